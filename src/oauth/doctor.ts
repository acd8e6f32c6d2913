import type { Context } from '../context.js';
import { hasCode, isApikitError, NetworkError } from '../errors.js';
import { discoveryUrls, isLoopbackHost } from '../lib/oauth/metadata.js';
import { member, readDiscovery, urlProblem, type DoctorFacts, type JwksFacts } from '../lib/oauth/doctor.js';
import { MAX_DISCOVERY_BYTES } from './discovery.js';
import { fetchJwks } from './jwks.js';
import { DOCTOR_TIMEOUT_MS, exchange } from './doctor/exchange.js';
import { probeLoopbackRedirect } from './doctor/authorize.js';

/**
 * Gathers what `apikit doctor` judges (src/lib/oauth/doctor.ts): both discovery documents, then — only when the
 * document names exactly this issuer — its JWKS and, with a client id, one authorization request (two at most,
 * see ./doctor/authorize.ts). At most five requests, each with its own timeout and body cap; no redirect is
 * followed. Talks to nobody but the server: no output, no profile.
 * `elsewhere` is the context for requests to another origin than the issuer's (the command gives one without the
 * user's credential headers: the rule of a cross-origin redirect).
 */
export interface DoctorRequest {
  issuer: string;
  clientId?: string;
  /** The loopback port to ask for (default: a random one, as "arbitrary" as RFC 8252 §7.3 means). */
  port?: number;
}

export async function gatherDoctorFacts(
  ctx: Context,
  req: DoctorRequest,
  elsewhere: Context = ctx,
): Promise<DoctorFacts> {
  const issuerUrl = new URL(req.issuer);
  const base = { issuer: req.issuer, ...(req.clientId !== undefined ? { clientId: req.clientId } : {}) };
  if (
    issuerUrl.protocol !== 'https:' &&
    !(issuerUrl.protocol === 'http:' && isLoopbackHost(issuerUrl.hostname))
  ) {
    return { ...base, issuerInsecure: true, discovery: [] };
  }
  const http = await ctx.http({ maxBodyBytes: MAX_DISCOVERY_BYTES, timeoutMs: DOCTOR_TIMEOUT_MS });
  const discovery = [];
  for (const url of discoveryUrls(req.issuer)) {
    discovery.push(await exchange(http, { url, headers: { accept: 'application/json' } }));
  }
  if (discovery.every((a) => a.error?.code === 'ERR_HTTP_TRANSPORT')) {
    throw new NetworkError(
      `issuer ${req.issuer} is unreachable: ${discovery[0]!.error!.message}`,
      'ERR_DOCTOR_UNREACHABLE',
      { hint: 'check the issuer URL and the network (--connect-timeout, --timeout)' },
    );
  }
  const facts: DoctorFacts = { ...base, discovery };
  const reading = readDiscovery(facts);
  if (!reading.trusted || !reading.meta) return facts;
  const meta = reading.meta;
  const contextFor = (url: string): Context => (new URL(url).origin === issuerUrl.origin ? ctx : elsewhere);

  const jwksUri = member(meta, 'jwks_uri');
  if (typeof jwksUri === 'string' && urlProblem(jwksUri) === undefined) {
    facts.jwks = await jwks(contextFor(jwksUri), jwksUri);
  }
  const endpoint = member(meta, 'authorization_endpoint');
  if (req.clientId !== undefined && typeof endpoint === 'string' && urlProblem(endpoint) === undefined) {
    const scopes = member(meta, 'scopes_supported');
    facts.authorize = await probeLoopbackRedirect(
      await contextFor(endpoint).http({ timeoutMs: DOCTOR_TIMEOUT_MS }),
      {
        authorizationEndpoint: endpoint,
        clientId: req.clientId,
        port: req.port,
        openid: Array.isArray(scopes) && scopes.includes('openid'),
      },
    );
  }
  return facts;
}

/** The JWKS through the one JWKS fetcher (its cap, timeout and no-redirect rule); its failure is a fact. */
async function jwks(ctx: Context, url: string): Promise<JwksFacts> {
  try {
    const set = await fetchJwks(ctx, url);
    return { url, keys: set.keys as unknown[] };
  } catch (err) {
    if (!isApikitError(err) || hasCode(err, 'ERR_INTERRUPTED')) throw err;
    return { url, error: { code: err.code, message: err.message } };
  }
}
