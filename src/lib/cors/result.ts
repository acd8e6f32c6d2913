import type { Candidate, CandidateResult, CorsExchange } from './types.js';
import { allowOriginMatches, judgeReadability, type JudgeExchanges } from './judge.js';

/**
 * Which recorded preflight is which: the first is the one for the method under test, the state-changing one is
 * the next whose Access-Control-Request-Method is DELETE (else simply the second). The probe sends them in that
 * order (src/probes/cors.ts).
 */
export function splitPreflights(
  preflights: readonly CorsExchange[],
): Pick<JudgeExchanges, 'preflight' | 'stateChanging'> {
  const preflight = preflights[0] ?? null;
  const rest = preflights.slice(1);
  const stateChanging = rest.find((p) => p.request_method?.toUpperCase() === 'DELETE') ?? rest[0] ?? null;
  return { preflight, stateChanging };
}

/** A candidate with its exchanges, judged: `allowed`, `credentials` and `readable` filled from the responses. */
export function candidateResult(
  candidate: Candidate,
  preflights: CorsExchange[],
  actual: CorsExchange | null,
): CandidateResult {
  const headers = actual?.status != null ? actual.headers : null;
  return {
    ...candidate,
    preflights,
    actual,
    allowed: headers !== null && allowOriginMatches(candidate.origin, headers),
    credentials: headers !== null && headers.acac === 'true',
    readable: judgeReadability(candidate.origin, { actual, ...splitPreflights(preflights) }),
  };
}
