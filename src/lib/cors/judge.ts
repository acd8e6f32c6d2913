import type { CorsExchange, CorsHeaders, Readability } from './types.js';
import {
  corsUnsafeRequestHeaderNames,
  isSafelistedMethod,
  NON_WILDCARD_REQUEST_HEADERS,
  normalizeMethod,
} from './fetch-rules.js';
import { parseTokenList } from './headers.js';

/**
 * What a page at `origin` could do with the recorded responses, by the Fetch standard's CORS check
 * (https://fetch.spec.whatwg.org/#cors-check) and CORS-preflight fetch (#cors-preflight-fetch, #cors-preflight-
 * cache), as Chromium implements them (services/network/public/cpp/cors/cors.cc CheckAccess,
 * services/network/cors/preflight_result.cc). The browser-agreement test (test/browser/) is the judge of this file.
 */

export type CorsFailure =
  | 'no-response' // the request failed, or was not made
  | 'missing-allow-origin'
  | 'wildcard-with-credentials' // `*` with credentials mode "include"
  | 'multiple-allow-origin' // a space or comma in the value: several origins, never valid
  | 'allow-origin-mismatch' // not byte-equal to the serialised request origin
  | 'credentials-not-true' // credentials requested, ACAC not exactly `true`
  | 'preflight-status' // the preflight's status is not 2xx (#ok-status; redirects fail too)
  | 'invalid-allow-methods' // an element of ACAM is not a token
  | 'invalid-allow-headers' // an element of ACAH is not a token
  | 'method-not-allowed'
  | 'header-not-allowed'
  | 'authorization-not-covered-by-wildcard'; // ACAH `*` without credentials, Authorization not named

export type Check = { ok: true } | { ok: false; reason: CorsFailure; detail?: string };

const OK: Check = { ok: true };
const fail = (reason: CorsFailure, detail?: string): Check =>
  detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };

/**
 * #cors-check. ACAO must be `*` (only without credentials) or byte-equal to the serialised origin — `null` for
 * an opaque one, which Chromium accepts as a match; with credentials, ACAC must be exactly `true` (case-sensitive;
 * `true, true` from a repeated header fails). Chromium's ordering of the error reasons is kept so the reason
 * names what DevTools would say.
 */
export function corsCheck(origin: string, headers: CorsHeaders, credentials: boolean): Check {
  const acao = headers.acao;
  if (acao === null) return fail('missing-allow-origin');
  if (acao === '*') {
    // The response URL is always http(s) here, so the data: URL exception in cors.cc does not apply.
    return credentials ? fail('wildcard-with-credentials') : OK;
  }
  if (acao !== origin) {
    return /[ ,]/.test(acao) ? fail('multiple-allow-origin', acao) : fail('allow-origin-mismatch', acao);
  }
  if (credentials && headers.acac !== 'true') return fail('credentials-not-true', headers.acac ?? undefined);
  return OK;
}

/**
 * #cors-preflight-fetch steps 7 and after, for one recorded OPTIONS response: the CORS check, an ok status (200–
 * 299), then the method and header lists. `*` in ACAM and ACAH is a wildcard only without credentials (with them
 * it is a literal name); ACAH `*` never covers Authorization (#cors-non-wildcard-request-header-name). Methods
 * compare byte for byte with the normalised request method (the spec-conformant comparison Chromium ships behind
 * `acam_preflight_spec_conformant`; the older one upper-cased the request method first — the two differ only
 * for lower-case non-standard methods such as `patch`); header names compare case-insensitively. A safelisted
 * method needs no ACAM entry, but an ACAM that does not parse still fails the preflight.
 */
export function checkPreflight(
  origin: string,
  exchange: CorsExchange | null,
  method: string,
  unsafeHeaders: readonly string[],
  credentials: boolean,
): Check {
  if (exchange === null || exchange.status === null) return fail('no-response');
  const access = corsCheck(origin, exchange.headers, credentials);
  if (!access.ok) return access;
  if (exchange.status < 200 || exchange.status > 299)
    return fail('preflight-status', String(exchange.status));
  const methods = parseTokenList(exchange.headers.acam, false);
  if (methods === null) return fail('invalid-allow-methods', exchange.headers.acam ?? undefined);
  const headers = parseTokenList(exchange.headers.acah, true);
  if (headers === null) return fail('invalid-allow-headers', exchange.headers.acah ?? undefined);

  const wanted = normalizeMethod(method);
  const methodOk =
    methods.includes(wanted) || isSafelistedMethod(wanted) || (!credentials && methods.includes('*'));
  if (!methodOk) return fail('method-not-allowed', wanted);

  if (!credentials && headers.includes('*')) {
    for (const name of NON_WILDCARD_REQUEST_HEADERS) {
      if (unsafeHeaders.includes(name) && !headers.includes(name)) {
        return fail('authorization-not-covered-by-wildcard', name);
      }
    }
    return OK;
  }
  for (const name of unsafeHeaders) {
    if (!headers.includes(name.toLowerCase())) return fail('header-not-allowed', name.toLowerCase());
  }
  return OK;
}

/**
 * The requests the four Readability fields stand for (types.ts): the preflighted one carries these headers
 * plus any extra names the probe asked for in Access-Control-Request-Headers; the state-changing one is a DELETE
 * with Authorization. Values are only there for the safelist rules (#cors-safelisted-request-header).
 */
export const PREFLIGHTED_REQUEST_HEADERS: readonly (readonly [string, string])[] = [
  ['Authorization', 'Bearer apikit'],
  ['Content-Type', 'application/json'],
  ['X-API-Key', 'apikit'],
];
export const STATE_CHANGING_REQUEST_HEADERS: readonly (readonly [string, string])[] = [
  ['Authorization', 'Bearer apikit'],
];

export interface JudgeExchanges {
  /** The actual request (the method under test) with Origin. */
  actual: CorsExchange | null;
  /** The preflight for the method under test with Authorization, Content-Type, X-API-Key (+ extras). */
  preflight: CorsExchange | null;
  /** The preflight for the state-changing method (DELETE). */
  stateChanging: CorsExchange | null;
}

export function judgeReadability(origin: string, exchanges: JudgeExchanges): Readability {
  const { actual, preflight, stateChanging } = exchanges;
  const method = normalizeMethod(actual?.method ?? preflight?.request_method ?? 'GET');
  const preflightedHeaders = unsafeNames(PREFLIGHTED_REQUEST_HEADERS, preflight?.request_headers ?? []);
  const stateHeaders = unsafeNames(STATE_CHANGING_REQUEST_HEADERS, []);
  const stateMethod = normalizeMethod(stateChanging?.request_method ?? 'DELETE');
  return {
    simple: requestCheck(origin, method, [], false, actual, preflight).ok,
    credentialed: requestCheck(origin, method, [], true, actual, preflight).ok,
    preflighted: requestCheck(origin, method, preflightedHeaders, true, actual, preflight).ok,
    state_changing_sent: checkPreflight(origin, stateChanging, stateMethod, stateHeaders, true).ok,
  };
}

/**
 * One request from a page: a preflight when the method is not safelisted or a header is CORS-unsafe
 * (#cors-preflight-fetch, "use-CORS-preflight flag"), then the CORS check on the actual response. The status of
 * the actual response does not matter: a 404 with the right headers is readable.
 */
export function requestCheck(
  origin: string,
  method: string,
  unsafeHeaders: readonly string[],
  credentials: boolean,
  actual: CorsExchange | null,
  preflight: CorsExchange | null,
): Check {
  const wanted = normalizeMethod(method);
  if (!isSafelistedMethod(wanted) || unsafeHeaders.length > 0) {
    const pre = checkPreflight(origin, preflight, wanted, unsafeHeaders, credentials);
    if (!pre.ok) return pre;
  }
  if (actual === null || actual.status === null) return fail('no-response');
  return corsCheck(origin, actual.headers, credentials);
}

/** The unsafe header names of `base`, plus extra names (values unknown: treated as unsafe, as the probe asked). */
function unsafeNames(base: readonly (readonly [string, string])[], extra: readonly string[]): string[] {
  const names = new Set(corsUnsafeRequestHeaderNames(base));
  const baseNames = new Set(base.map(([n]) => n.toLowerCase()));
  for (const n of extra) {
    const lower = n.trim().toLowerCase();
    if (lower !== '' && !baseNames.has(lower)) names.add(lower);
  }
  return [...names].sort();
}

/** ACAO echoes this origin byte for byte, or is `*`: the server meant to allow it (readable or not). */
export function allowOriginMatches(origin: string, headers: CorsHeaders): boolean {
  return headers.acao === '*' || headers.acao === origin;
}
