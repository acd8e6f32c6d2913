import type { AllowRule, CandidateResult, CorsFinding, PreflightSummary } from './types.js';
import { bypassFindings } from './findings-bypass.js';
import {
  credentialsFindings,
  exposeFindings,
  invalidAllowOriginFindings,
  varyFindings,
  wildcardFindings,
} from './findings-headers.js';
import { preflightFindings } from './findings-preflight.js';
import { isPrivateHost } from './origin.js';

/**
 * What a reviewer would say about an endpoint's CORS, as findings (src/lib/findings.ts) with stable ids
 * `cors.<thing>`. Allow-list bypasses come one per origin (findings-bypass.ts: `origin` is the page that gets
 * in); header and preflight problems one per distinct problem, naming the first origin that showed it
 * (findings-headers.ts, findings-preflight.ts). Messages are ours; server text appears only as evidence values,
 * which the renderers sanitise. Unsorted: the caller sorts (sortFindings).
 */
export interface CorsFindingsInput {
  url: string;
  method: string;
  trusted: readonly string[];
  results: readonly CandidateResult[];
  rule: AllowRule;
  preflight: PreflightSummary;
}

export const CORS_FINDING_IDS = [
  'cors.origin-reflected',
  'cors.null-origin-allowed',
  'cors.wildcard-with-credentials',
  'cors.suffix-match-bypass',
  'cors.prefix-match-bypass',
  'cors.unescaped-dot-bypass',
  'cors.special-char-bypass',
  'cors.insecure-origin-trusted',
  'cors.any-subdomain-trusted',
  'cors.missing-vary-origin',
  'cors.preflight-not-handled',
  'cors.preflight-max-age-missing',
  'cors.preflight-max-age-over-browser-cap',
  'cors.wildcard-allow-headers-with-authorization',
  'cors.invalid-allow-origin',
  'cors.credentials-not-exactly-true',
  'cors.rate-limit-headers-not-exposed',
  'cors.wildcard-origin',
] as const;
export type CorsFindingId = (typeof CORS_FINDING_IDS)[number];

export function corsFindings(input: CorsFindingsInput): CorsFinding[] {
  const { url, results, rule } = input;
  return [
    ...bypassFindings(url, rule, input.trusted, results, privateTarget(url)),
    ...wildcardFindings(url, results),
    ...invalidAllowOriginFindings(url, results),
    ...credentialsFindings(url, results),
    ...varyFindings(url, results),
    ...preflightFindings(url, rule, results),
    ...exposeFindings(url, results),
  ];
}

/** The target is only reachable from inside a network: there, what any site can read uncredentialed matters. */
function privateTarget(url: string): boolean {
  try {
    return isPrivateHost(new URL(url).hostname);
  } catch {
    return false;
  }
}
