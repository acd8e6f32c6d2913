import type { Context } from '../../context.js';
import { NetworkError } from '../../errors.js';
import { jwksCaching, type JwksCaching } from '../../lib/keys/rotation.js';
import { requireSecureUrl } from '../../lib/oauth/metadata.js';
import { JWKS_TIMEOUT_MS, MAX_JWKS_BYTES, redirectNote } from '../../oauth/jwks.js';

/** What the published JWKS URL says: how long it may be cached, and which kids it serves now. */
export interface PublishedJwks {
  url: string;
  caching: JwksCaching;
  /** The kids the URL serves; null when its body is not a JWKS. */
  kids: string[] | null;
}

/**
 * One GET of the JWKS URL (https, or http on loopback; no redirect followed; the JWKS body cap and timeout of
 * src/oauth/jwks.ts), read for its Cache-Control and the kids it publishes. Not through fetchJwks: that keeps
 * the keys and drops the headers, and here the headers are the point.
 */
export async function readPublishedJwks(ctx: Context, url: string): Promise<PublishedJwks> {
  requireSecureUrl(url, '--jwks-url');
  const http = await ctx.http({
    maxBodyBytes: MAX_JWKS_BYTES,
    timeoutMs: JWKS_TIMEOUT_MS,
    followRedirects: false,
  });
  const res = await http.request({ url, headers: { accept: 'application/jwk-set+json, application/json' } });
  if (res.status !== 200) {
    throw new NetworkError(`JWKS at ${url}: HTTP ${res.status}${redirectNote(res.status)}`, 'ERR_JWKS_HTTP');
  }
  return { url, caching: jwksCaching(res.headers), kids: kidsOf(res.body) };
}

function kidsOf(body: Buffer): string[] | null {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  const keys = typeof doc === 'object' && doc !== null ? (doc as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys)) return null;
  return keys.flatMap((k: unknown) =>
    typeof k === 'object' && k !== null && typeof (k as { kid?: unknown }).kid === 'string'
      ? [(k as { kid: string }).kid]
      : [],
  );
}
