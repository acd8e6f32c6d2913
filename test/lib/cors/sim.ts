import { generateCandidates } from '../../../src/lib/cors/candidates.js';
import { parseCorsHeaders } from '../../../src/lib/cors/headers.js';
import { candidateResult } from '../../../src/lib/cors/result.js';
import type { CandidateResult, CorsExchange } from '../../../src/lib/cors/types.js';
import type { HeaderMap } from '../../../src/lib/ratelimit/types.js';

/**
 * A CORS server as a function, the way the npm `cors` middleware and hand-written handlers behave, answering
 * the probe's three requests per candidate: the preflight for the method under test, the DELETE preflight and
 * the actual request. Everything goes through parseCorsHeaders and candidateResult, as in the probe.
 */
export interface SimServer {
  /** Whether to echo this Origin in Access-Control-Allow-Origin. */
  allow?: (origin: string) => boolean;
  /** Send `*` to every request instead of echoing. */
  wildcard?: boolean;
  /** A fixed ACAO value sent to every request (overrides allow/wildcard). */
  fixedAcao?: string | string[];
  /** ACAC on allowed responses; default 'true'; null for none. */
  credentials?: string | string[] | null;
  /** Vary: Origin on echoed responses (default true). */
  vary?: boolean;
  preflightStatus?: number;
  /** Preflight responses carry CORS headers (default true). */
  preflightCors?: boolean;
  /** Only the preflights echo (the actual response carries no ACAO). */
  preflightOnly?: boolean;
  acam?: string | null;
  /** 'reflect' echoes Access-Control-Request-Headers (the cors middleware's default). */
  acah?: string | null;
  maxAge?: string | null;
  aceh?: string | null;
  /** Rate-limit headers on the actual response. */
  rateLimit?: boolean;
  actualStatus?: number;
}

export const PROBE_ACRH = ['authorization', 'content-type', 'x-api-key'];

export function respond(server: SimServer, origin: string, kind: 'preflight' | 'actual'): HeaderMap {
  const h: Record<string, string | string[]> = {};
  if (kind === 'preflight' && server.preflightCors === false) return h;
  if (kind === 'actual' && server.preflightOnly) {
    if (server.rateLimit) Object.assign(h, rateLimitHeaders());
    return h;
  }
  let acao: string | string[] | null = null;
  if (server.fixedAcao !== undefined) acao = server.fixedAcao;
  else if (server.wildcard) acao = '*';
  else if (server.allow?.(origin)) acao = origin;
  if (acao !== null) {
    h['access-control-allow-origin'] = acao;
    const acac = server.credentials === undefined ? 'true' : server.credentials;
    if (acac !== null) h['access-control-allow-credentials'] = acac;
    if (acao !== '*' && server.vary !== false && server.fixedAcao === undefined) h['vary'] = 'Origin';
    if (kind === 'actual' && server.aceh != null) h['access-control-expose-headers'] = server.aceh;
  } else if (server.vary !== false && !server.wildcard && server.fixedAcao === undefined) {
    h['vary'] = 'Origin';
  }
  if (kind === 'preflight' && acao !== null) {
    const acam = server.acam === undefined ? 'GET,HEAD,PUT,PATCH,POST,DELETE' : server.acam;
    if (acam !== null) h['access-control-allow-methods'] = acam;
    const acah = server.acah === undefined ? 'reflect' : server.acah;
    if (acah === 'reflect') h['access-control-allow-headers'] = PROBE_ACRH.join(',');
    else if (acah !== null) h['access-control-allow-headers'] = acah;
    const maxAge = server.maxAge === undefined ? '600' : server.maxAge;
    if (maxAge !== null) h['access-control-max-age'] = maxAge;
  }
  if (kind === 'actual' && server.rateLimit) Object.assign(h, rateLimitHeaders());
  return h;
}

function rateLimitHeaders(): Record<string, string> {
  return { 'ratelimit-policy': '"default";q=100;w=60', ratelimit: '"default";r=99;t=60' };
}

export function exchange(
  server: SimServer,
  origin: string,
  kind: 'preflight' | 'actual',
  method: string,
  requestMethod: string | null,
): CorsExchange {
  const status = kind === 'preflight' ? (server.preflightStatus ?? 204) : (server.actualStatus ?? 200);
  return {
    kind,
    method,
    request_method: requestMethod,
    request_headers: kind === 'preflight' ? [...PROBE_ACRH] : [],
    status,
    headers: parseCorsHeaders(respond(server, origin, kind)),
    error: null,
  };
}

/** Every candidate of `trusted`, judged against the simulated server. */
export function simulate(trusted: string[], server: SimServer, method = 'GET'): CandidateResult[] {
  return generateCandidates(trusted).map((c) => {
    const preflights = [exchange(server, c.origin, 'preflight', 'OPTIONS', method)];
    if (method !== 'DELETE') preflights.push(exchange(server, c.origin, 'preflight', 'OPTIONS', 'DELETE'));
    return candidateResult(c, preflights, exchange(server, c.origin, 'actual', method, null));
  });
}

export const TRUSTED = 'https://app.example.com';
