import { q } from './discovery.js';
import type { Answer, Check } from './types.js';

/**
 * Clock skew between this machine and the server, from the `Date` header of its first answer (RFC 9110 §6.6.1:
 * the time the answer was generated, to the second). `exp`, `nbf` and `iat` checks break when the clocks
 * disagree by more than a verifier's leeway: warn above 30 s, fail above 5 min.
 */
export const SKEW_WARN_SECONDS = 30;
export const SKEW_FAIL_SECONDS = 300;

/**
 * Seconds the server's clock is ahead (positive) or behind, at the least: the header is truncated to the second,
 * so the server's time lay in [Date, Date + 1 s) when the headers arrived here. Within that second, no skew.
 */
export function skewSeconds(date: string, receivedAt: number): number | undefined {
  // Date.parse reads the IMF-fixdate of RFC 9110 (and the obsolete forms); anything else is NaN.
  const server = Date.parse(date);
  if (!Number.isFinite(server)) return undefined;
  const ms =
    receivedAt < server ? server - receivedAt : receivedAt >= server + 1000 ? server + 1000 - receivedAt : 0;
  return Math.round(ms / 1000) || 0;
}

export function clockSkewCheck(answers: readonly Answer[]): Check {
  const title = "clock skew between this machine and the server's Date header";
  const base = { id: 'clock-skew' as const, title };
  const answer = answers.find((a) => a.status !== undefined);
  if (!answer)
    return { ...base, status: 'skip', evidence: ['not checked: the server did not answer'], advice: null };
  if (answer.date === undefined || answer.receivedAt === undefined) {
    return {
      ...base,
      status: 'warn',
      evidence: [`${answer.url} sent no Date header`],
      advice: 'send a Date header (RFC 9110 §6.6.1) from a clock synchronised with NTP',
      details: { skewSeconds: null, serverDate: null },
    };
  }
  const skew = skewSeconds(answer.date, answer.receivedAt);
  if (skew === undefined) {
    return {
      ...base,
      status: 'warn',
      evidence: [`${answer.url}: the Date header ${q(answer.date, 60)} is not an HTTP date`],
      advice: 'send the Date header as an IMF-fixdate (RFC 9110 §5.6.7)',
      details: { skewSeconds: null, serverDate: answer.date },
    };
  }
  const abs = Math.abs(skew);
  const evidence = [
    `Date: ${q(answer.date, 60)} from ${answer.url}, received at ${new Date(answer.receivedAt).toISOString()}`,
    abs === 0
      ? 'the clocks agree to the second'
      : `the server's clock is ${abs} s ${skew > 0 ? 'ahead of' : 'behind'} this machine's`,
  ];
  const details = { skewSeconds: skew, serverDate: answer.date };
  if (abs <= SKEW_WARN_SECONDS) return { ...base, status: 'pass', evidence, advice: null, details };
  return {
    ...base,
    status: abs > SKEW_FAIL_SECONDS ? 'fail' : 'warn',
    evidence: [
      ...evidence,
      abs > SKEW_FAIL_SECONDS
        ? 'beyond 5 min: tokens look expired or not yet valid to verifiers here'
        : 'beyond 30 s: verifiers with a small leeway may refuse fresh tokens',
    ],
    advice: "synchronise the server's clock (and this machine's) with NTP",
    details,
  };
}
