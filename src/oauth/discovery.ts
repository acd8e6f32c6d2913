import type { Context } from '../context.js';
import { InputError, NetworkError } from '../errors.js';
import type { HttpClient } from '../http/client.js';
import { redirectNote } from './jwks.js';
import {
  discoveryUrls,
  requireSecureUrl,
  validateMetadata,
  type ServerMetadata,
} from '../lib/oauth/metadata.js';

/**
 * Fetches an issuer's metadata: RFC 8414 `/.well-known/oauth-authorization-server` first, then OIDC
 * `/.well-known/openid-configuration`. The document's `issuer` must equal `issuer` exactly.
 * Network failures and 5xx → exit 3; an issuer with neither document → exit 3 naming both URLs.
 * `client` lets a command reuse its own client (the user's --timeout and -H apply to discovery too); without one,
 * the context's client gets a 512 KiB cap (a ceiling: --max-body can only lower it, src/commands/shared/http-flags.ts).
 * Redirects are never followed: the metadata names the endpoints and keys apikit trusts, so it comes from the
 * issuer's own URL, not from wherever that host (or an open redirect on it) points.
 */
export const MAX_DISCOVERY_BYTES = 512 * 1024;

export async function discover(ctx: Context, issuer: string, client?: HttpClient): Promise<ServerMetadata> {
  requireSecureUrl(issuer, '--issuer');
  const http = client ?? (await ctx.http({ maxBodyBytes: MAX_DISCOVERY_BYTES }));
  const tried: string[] = [];
  for (const url of discoveryUrls(issuer)) {
    const res = await http.request({ url, headers: { accept: 'application/json' } });
    if (res.status === 404 || res.status === 405 || res.status === 400) {
      tried.push(`${url} (${res.status})`);
      continue;
    }
    if (res.status !== 200) {
      throw new NetworkError(
        `discovery at ${url} failed: HTTP ${res.status}${redirectNote(res.status)}`,
        'ERR_DISCOVERY_HTTP',
      );
    }
    const doc = res.json();
    return validateMetadata(doc, issuer, url);
  }
  throw new NetworkError(
    `no discovery document for issuer ${issuer}: tried ${tried.join(', ')}`,
    'ERR_DISCOVERY_NOT_FOUND',
    {
      hint: 'check the issuer URL, or give the endpoints explicitly',
    },
  );
}

/** The endpoint a command needs from metadata, or a clear error that the issuer does not offer it. */
export function requireEndpoint(
  meta: ServerMetadata,
  field: keyof ServerMetadata & string,
  what: string,
): string {
  const value = meta[field];
  if (typeof value !== 'string') {
    throw new InputError(
      `issuer ${meta.issuer} does not advertise a ${what} ("${field}")`,
      'ERR_DISCOVERY_ENDPOINT',
    );
  }
  return value;
}
