import type { Finding, FindingEvidence, Severity } from '../../findings.js';
import { formatSeconds, headerOf } from '../format.js';
import { primaryState } from '../headers.js';
import { isMismatchKind, type MismatchKind } from '../truth.js';
import type { Mismatch, ObservedResponse } from '../types.js';
import { DRAFT, responseEvidence, type ProbedRequest } from './evidence.js';

/** Severity and advice per mismatch kind: how much a client that believes the header loses. */
const MISMATCH_FINDINGS: Readonly<Record<MismatchKind, { severity: Severity; advice: string }>> = {
  'retry-after-too-short': {
    severity: 'high',
    advice:
      'Send a Retry-After no shorter than the time until requests are accepted again, rounded up (RFC 6585 §4, RFC 9110 §10.2.3): clients that obey it are rejected again.',
  },
  'retry-after-too-long': {
    severity: 'medium',
    advice:
      'Compute Retry-After from when quota really returns (the window end, the next token) and keep it in step with the reset field (RFC 9110 §10.2.3).',
  },
  'reset-too-short': {
    severity: 'medium',
    advice: `Report in the reset field (t, Reset) the time until quota returns, rounded up (${DRAFT}).`,
  },
  'reset-too-long': {
    severity: 'low',
    advice: `Report in the reset field the time until quota returns, not a longer one (${DRAFT}).`,
  },
  'reset-not-counting-down': {
    severity: 'medium',
    advice: `Send the reset as the seconds left until quota returns, counting down (${DRAFT} t), or as one fixed epoch instant.`,
  },
  'limit-too-high': {
    severity: 'high',
    advice: `Advertise the limit that is enforced (${DRAFT}: RateLimit-Policy q): clients pacing to a larger one are rejected.`,
  },
  'limit-too-low': {
    severity: 'low',
    advice: `Advertise the limit that is enforced (${DRAFT}: RateLimit-Policy q), so that clients do not hold back needlessly.`,
  },
  'remaining-not-decreasing': {
    severity: 'medium',
    advice: `Decrement remaining with every request counted against the quota (${DRAFT}: RateLimit r).`,
  },
  'remaining-not-zero': {
    severity: 'medium',
    advice: `Report remaining from the counter that rejects requests, so that it reaches 0 before the first limited response (${DRAFT}: RateLimit r).`,
  },
  'zero-remaining-accepted': {
    severity: 'medium',
    advice: `Send r=0 (remaining 0) only when the next request would be rejected: clients that honour it stop for nothing (${DRAFT}).`,
  },
  'limited-with-remaining': {
    severity: 'medium',
    advice: `If another limit rejected the request, advertise that policy too; otherwise send remaining 0 with the limited response (${DRAFT}, RFC 6585 §4).`,
  },
  'policy-window': {
    severity: 'medium',
    advice: `Advertise the window that is enforced (${DRAFT}: RateLimit-Policy w).`,
  },
};

/** The header a mismatch is about, as the first cited response sent it. */
function mismatchHeader(m: Mismatch, o: ObservedResponse | undefined): string | undefined {
  if (m.field === 'retry-after') return 'retry-after';
  const state = primaryState(o?.parsed ?? null);
  const scheme = state?.scheme ?? o?.parsed?.policies[0]?.scheme;
  if (scheme === undefined || scheme === 'retry-after') return undefined;
  if (m.field === 'status') return headerOf(scheme, 'remaining');
  if (m.field === 'policy') return headerOf(scheme, 'policy');
  return headerOf(scheme, m.field);
}

/** What a response's headers said, in numbers: `remaining 0, reset 3 s, Retry-After 1 s`. */
function saidBy(o: ObservedResponse): string | undefined {
  const parts: string[] = [];
  const state = primaryState(o.parsed);
  if (state?.limit != null) parts.push(`limit ${state.limit}`);
  if (state?.remaining != null) parts.push(`remaining ${state.remaining}`);
  if (state?.reset_s != null) parts.push(`reset ${formatSeconds(state.reset_s)}`);
  if (o.parsed?.retry_after_s != null) parts.push(`Retry-After ${formatSeconds(o.parsed.retry_after_s)}`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** A header mismatch (truth.ts) as the finding `ratelimit.<kind>`, citing up to three responses that show it. */
export function mismatchFinding(
  input: ProbedRequest & { observed: readonly ObservedResponse[] },
  m: Mismatch,
): Finding {
  const known = isMismatchKind(m.kind) ? MISMATCH_FINDINGS[m.kind] : null;
  const cited = (m.seq ?? []).flatMap((seq) => input.observed.filter((o) => o.entry.seq === seq)).slice(0, 3);
  const header = mismatchHeader(m, cited[0]);
  const evidence: FindingEvidence[] =
    cited.length > 0
      ? cited.map((o) => responseEvidence(input, o, { ...(header ? { header } : {}), note: saidBy(o) }))
      : [{ note: `advertised ${m.advertised}; observed ${m.observed}` }];
  return {
    id: known ? `ratelimit.${m.kind}` : `ratelimit.mismatch-${m.field}`,
    severity: known?.severity ?? 'medium',
    message: m.message,
    evidence,
    advice:
      known?.advice ?? `Make the ${m.field} the headers advertise match what the server enforces (${DRAFT}).`,
  };
}
