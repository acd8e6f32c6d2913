import type { AllowRule, CandidateResult, CorsExchange, CorsFinding } from './types.js';
import { exchangeEvidence } from './evidence.js';
import { parseMaxAge, parseTokenList } from './headers.js';
import { preflightHandled } from './preflight-summary.js';

/**
 * Findings about how the preflight is answered for the trusted origins: not answered as a preflight at all
 * (one finding per trusted origin), and — from the first trusted preflight that was answered — Max-Age missing or
 * above the browsers' caps, and `Access-Control-Allow-Headers: *` relied on for Authorization. These break or
 * slow legitimate clients (low, info); none lets another origin in.
 */

/** Chromium caps the preflight cache at 2 h (preflight_result.cc kMaxTimeout); Firefox at 24 h. */
export const CHROMIUM_MAX_AGE_CAP_S = 7200;
export const FIREFOX_MAX_AGE_CAP_S = 86400;

export function preflightFindings(
  url: string,
  rule: AllowRule,
  results: readonly CandidateResult[],
): CorsFinding[] {
  const out: CorsFinding[] = [];
  const trusted = results.filter((r) => r.class === 'trusted');
  const firsts = trusted
    .map((r) => ({ r, ex: r.preflights[0] ?? null }))
    .filter((x): x is { r: CandidateResult; ex: CorsExchange } => x.ex !== null && x.ex.status !== null);

  if (rule.kind !== 'no-cors') {
    for (const { r, ex } of firsts) {
      if (preflightHandled(ex)) continue;
      out.push({
        id: 'cors.preflight-not-handled',
        severity: 'low',
        origin: r.origin,
        message: `OPTIONS is not answered as a CORS preflight (${
          ex.status! < 200 || ex.status! > 299 ? `status ${ex.status}` : 'no Access-Control-Allow-* headers'
        }): browsers send no request with Authorization, JSON or a non-simple method`,
        evidence: exchangeEvidence(url, r.origin, ex, ['acao', 'acam', 'acah']),
        advice:
          'Answer OPTIONS with a 2xx and the Access-Control-Allow-* headers for allowed origins (Fetch #cors-preflight-fetch).',
      });
    }
  }

  const handled = firsts.find(({ ex }) => preflightHandled(ex));
  if (handled === undefined) return out;
  const { r, ex } = handled;
  const maxAge = parseMaxAge(ex.headers.max_age);
  if (maxAge === null) {
    out.push({
      id: 'cors.preflight-max-age-missing',
      severity: 'low',
      origin: r.origin,
      message: `the preflight has ${
        ex.headers.max_age === null ? 'no' : 'an unparsable'
      } Access-Control-Max-Age: browsers cache it for 5 s only and repeat it before almost every request`,
      evidence: exchangeEvidence(url, r.origin, ex, ['max_age']),
      advice: `Send Access-Control-Max-Age in seconds, at most ${CHROMIUM_MAX_AGE_CAP_S} (Chromium's cap) (Fetch #http-access-control-max-age).`,
    });
  } else if (maxAge > CHROMIUM_MAX_AGE_CAP_S) {
    const overFirefox = maxAge > FIREFOX_MAX_AGE_CAP_S;
    out.push({
      id: 'cors.preflight-max-age-over-browser-cap',
      severity: overFirefox ? 'low' : 'info',
      origin: r.origin,
      message: `Access-Control-Max-Age ${maxAge} s is above Chromium's ${CHROMIUM_MAX_AGE_CAP_S} s cap${
        overFirefox ? ` and Firefox's ${FIREFOX_MAX_AGE_CAP_S} s` : ''
      }: browsers cache the preflight for less than that`,
      evidence: exchangeEvidence(url, r.origin, ex, ['max_age']),
      advice: `Use at most ${CHROMIUM_MAX_AGE_CAP_S}: Chromium caps Access-Control-Max-Age at ${CHROMIUM_MAX_AGE_CAP_S} s, Firefox at ${FIREFOX_MAX_AGE_CAP_S} s.`,
    });
  }

  const asked = ex.request_headers.map((h) => h.toLowerCase()).includes('authorization');
  const allowHeaders = parseTokenList(ex.headers.acah, true) ?? [];
  if (asked && allowHeaders.includes('*') && !allowHeaders.includes('authorization')) {
    out.push({
      id: 'cors.wildcard-allow-headers-with-authorization',
      severity: 'low',
      origin: r.origin,
      message:
        'Access-Control-Allow-Headers: * is relied on for Authorization, which * never covers (and with credentials * is a literal name): browsers refuse such requests',
      evidence: exchangeEvidence(url, r.origin, ex, ['acah', 'acac']),
      advice:
        'Name Authorization (and the other headers) explicitly in Access-Control-Allow-Headers (Fetch #cors-non-wildcard-request-header-name).',
    });
  }
  return out;
}
