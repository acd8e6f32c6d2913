import { sortFindings, type Finding, type FindingEvidence } from '../findings.js';
import { DRAFT, responseEvidence, type ProbedRequest } from './findings/evidence.js';
import { mismatchFinding } from './findings/mismatches.js';
import { formatElapsed, formatRequests } from './format.js';
import type { HeaderScheme, Inference, Mismatch, ObservedResponse, ProbeStop } from './types.js';

/**
 * What an API reviewer would say about an endpoint's rate limiting, as findings (src/lib/findings.ts) with stable
 * ids `ratelimit.<thing>`: malformed header values, limit responses without Retry-After, 503 as the limit status,
 * missing or legacy-only headers, no limit at all, each header mismatch (truth.ts; findings/mismatches.ts), and a
 * probe that could not finish. Messages are one line with every number formatted for people and nothing the
 * server wrote; server text appears only as `evidence.value` (and in the parser's notes), which the renderers
 * sanitise.
 */

export interface RateLimitFindingsInput extends ProbedRequest {
  observed: readonly ObservedResponse[];
  inferred: Inference;
  mismatches: readonly Mismatch[];
  limitStatuses: readonly number[];
  stopped: ProbeStop;
  /** The transport failure that ended the probe (stopped 'error'). */
  error?: { code: string; message: string } | null;
}

/** Every id this module emits besides the mismatch ids (`ratelimit.<MismatchKind>`). */
export const RATELIMIT_FINDING_IDS = [
  'ratelimit.malformed-header',
  'ratelimit.no-retry-after',
  'ratelimit.status-503',
  'ratelimit.no-headers',
  'ratelimit.no-quota-headers',
  'ratelimit.legacy-headers',
  'ratelimit.unlimited',
  'ratelimit.limit-unverified',
  'ratelimit.limit-not-measured',
  'ratelimit.queued',
  'ratelimit.probe-failed',
  'ratelimit.interrupted',
] as const;

export function rateLimitFindings(input: RateLimitFindingsInput): Finding[] {
  const answered = input.observed.filter((o) => o.entry.outcome !== 'failed');
  return sortFindings([
    ...malformedHeaders(input, answered),
    ...retryAfterMissing(input, answered),
    ...status503(input, answered),
    ...headerPresence(input, answered),
    ...limitFound(input, answered),
    ...queued(input),
    ...input.mismatches.map((m) => mismatchFinding(input, m)),
    ...probeEnd(input, answered),
  ]);
}

// ---------------------------------------------------------------------------------------------------------------

/** `X-RateLimit-Reset` from `x-ratelimit-reset`; anything unexpected is not echoed. */
function displayName(header: string): string {
  if (!/^[a-z0-9-]{1,64}$/.test(header)) return 'a rate-limit header';
  return header
    .split('-')
    .map((part) => (part === 'ratelimit' ? 'RateLimit' : part.charAt(0).toUpperCase() + part.slice(1)))
    .join('-');
}

function malformedAdvice(header: string): string {
  if (header === 'retry-after')
    return 'Send Retry-After as whole delay-seconds or an HTTP-date (RFC 9110 §10.2.3).';
  if (header === 'date')
    return 'Send Date as an IMF-fixdate (RFC 9110 §6.6.1): an HTTP-date Retry-After is read against it.';
  if (header === 'ratelimit' || header === 'ratelimit-policy') {
    return `Send RateLimit and RateLimit-Policy as RFC 9651 structured-field lists of named policies (${DRAFT}), e.g. "default";r=50;t=30.`;
  }
  return 'Send limit, remaining and reset as non-negative integers, the reset as delta seconds or one consistent epoch form.';
}

/** One finding per malformed header, its distinct bad values (up to three) as evidence. */
function malformedHeaders(input: RateLimitFindingsInput, answered: readonly ObservedResponse[]): Finding[] {
  const byHeader = new Map<
    string,
    { responses: Set<number>; evidence: FindingEvidence[]; values: Set<string> }
  >();
  for (const o of answered) {
    for (const p of o.parsed?.problems ?? []) {
      let group = byHeader.get(p.header);
      if (group === undefined) {
        group = { responses: new Set(), evidence: [], values: new Set() };
        byHeader.set(p.header, group);
      }
      group.responses.add(o.entry.seq);
      const key = `${p.value}\u0000${p.problem}`;
      if (!group.values.has(key) && group.evidence.length < 3) {
        group.evidence.push(
          responseEvidence(input, o, { header: p.header, value: p.value, note: p.problem }),
        );
      }
      group.values.add(key);
    }
  }
  return [...byHeader].map(([header, group]) => {
    const n = group.responses.size;
    const on = n === answered.length ? `on every response (${n})` : `on ${n} of ${answered.length} responses`;
    const others = group.values.size - group.evidence.length;
    const evidence =
      others > 0 ? [...group.evidence, { note: `${others} more distinct values` }] : group.evidence;
    return {
      id: 'ratelimit.malformed-header',
      severity: header === 'retry-after' ? 'medium' : 'low',
      message: `${displayName(header)} could not be read ${on}; apikit ignored it`,
      evidence,
      advice: malformedAdvice(header),
    };
  });
}

function limitedResponses(answered: readonly ObservedResponse[]): ObservedResponse[] {
  return answered.filter((o) => o.entry.outcome === 'limited');
}

/** RFC 6585 §4: a 429 MAY say how long to wait; without it (or a reset hint) a client can only guess. */
function retryAfterMissing(input: RateLimitFindingsInput, answered: readonly ObservedResponse[]): Finding[] {
  const limited = limitedResponses(answered);
  const without = limited.filter((o) => !(o.parsed?.schemes ?? []).includes('retry-after'));
  if (without.length === 0) return [];
  const hinted = without.every((o) =>
    (o.parsed?.states ?? []).some((s) => s.remaining === 0 && s.reset_s !== null),
  );
  const statuses = [...new Set(without.map((o) => o.entry.status ?? 0))].sort((a, b) => a - b).join(', ');
  const message =
    without.length === limited.length
      ? `no limited response (${statuses}) carried a Retry-After`
      : `${without.length} of ${limited.length} limited responses (${statuses}) carried no Retry-After`;
  return [
    {
      id: 'ratelimit.no-retry-after',
      severity: hinted ? 'low' : 'medium',
      message: hinted ? `${message}, only a reset hint` : message,
      evidence: [responseEvidence(input, without[0]!, { header: 'retry-after' })],
      advice:
        'Send Retry-After with every 429 (RFC 6585 §4), as delay-seconds (RFC 9110 §10.2.3), so clients know when to retry.',
    },
  ];
}

function status503(input: RateLimitFindingsInput, answered: readonly ObservedResponse[]): Finding[] {
  if (!input.limitStatuses.includes(503)) return [];
  const seen = answered.filter((o) => o.entry.status === 503);
  if (seen.length === 0) return [];
  return [
    {
      id: 'ratelimit.status-503',
      severity: 'medium',
      message: `limited with 503 instead of 429: apikit counted ${formatRequests(seen.length)} answered 503 as possible limit signals`,
      evidence: [responseEvidence(input, seen[0]!)],
      advice:
        'Answer 429 Too Many Requests when a client exceeds its limit (RFC 6585 §4): clients and monitors read 503 as an outage (nginx: limit_req_status 429).',
    },
  ];
}

const LEGACY_LABEL: Partial<Record<HeaderScheme, string>> = {
  'ietf-07': 'RateLimit (draft -07)',
  'ietf-06': 'RateLimit-Limit/-Remaining/-Reset (draft -06)',
  'x-ratelimit': 'X-RateLimit-*',
  'x-rate-limit': 'X-Rate-Limit-*',
};

/** No headers, Retry-After only, or only the older dialects. */
function headerPresence(input: RateLimitFindingsInput, answered: readonly ObservedResponse[]): Finding[] {
  const schemes = new Set(answered.flatMap((o) => o.parsed?.schemes ?? []));
  const limited = limitedResponses(answered);
  const out: Finding[] = [];
  if (schemes.size === 0) {
    if (limited.length > 0) {
      out.push({
        id: 'ratelimit.no-headers',
        severity: 'medium',
        message: 'requests were limited, but no response carried a rate-limit header or Retry-After',
        evidence: [responseEvidence(input, limited[0]!)],
        advice: `Advertise the quota with RateLimit-Policy and RateLimit (${DRAFT}) and send Retry-After with every 429 (RFC 6585 §4).`,
      });
    }
    return out;
  }
  if (schemes.size === 1 && schemes.has('retry-after') && limited.length > 0) {
    out.push({
      id: 'ratelimit.no-quota-headers',
      severity: 'low',
      message: 'only Retry-After was sent: no header advertised the quota or what remained of it',
      evidence: [],
      advice: `Add RateLimit-Policy and RateLimit (${DRAFT}) so that clients can pace themselves before they are limited.`,
    });
  }
  const legacy = [...schemes].map((s) => LEGACY_LABEL[s]).filter((l): l is string => l !== undefined);
  if (!schemes.has('ietf') && legacy.length > 0) {
    out.push({
      id: 'ratelimit.legacy-headers',
      severity: 'info',
      message: `rate-limit headers only in older dialects (${legacy.join(', ')}); the current draft's fields are RateLimit and RateLimit-Policy`,
      evidence: [],
      advice: `Also send RateLimit-Policy and RateLimit as ${DRAFT} specifies, keeping the old fields while clients move.`,
    });
  }
  return out;
}

/** The largest quota any response advertised (state limits and request-unit policies). */
function advertisedQuota(answered: readonly ObservedResponse[]): number | null {
  let best: number | null = null;
  for (const o of answered) {
    const quotas = [
      ...(o.parsed?.states ?? []).map((s) => s.limit),
      ...(o.parsed?.policies ?? [])
        .filter((p) => p.quota_unit === null || p.quota_unit === 'requests')
        .map((p) => p.quota),
    ];
    for (const q of quotas) if (q !== null && Number.isFinite(q) && (best === null || q > best)) best = q;
  }
  return best;
}

/** No limit within the budget (a finding for an API), or a limit the probe could not size. */
function limitFound(input: RateLimitFindingsInput, answered: readonly ObservedResponse[]): Finding[] {
  const { inferred } = input;
  if (inferred.limited) {
    if (inferred.burst !== null) return [];
    const first = answered[0];
    const stale = first !== undefined && first.entry.outcome === 'limited';
    return [
      {
        id: 'ratelimit.limit-not-measured',
        severity: 'info',
        message: stale
          ? 'requests were limited from the first one on: the quota was not fresh, so the burst size is unknown'
          : 'requests were limited, but the burst size could not be measured within the budget',
        evidence: [],
        advice: 'Probe again with a fresh quota (a new key, or after the window), or with a larger budget.',
      },
    ];
  }
  if (input.stopped === 'error' || input.stopped === 'interrupted') return [];
  const accepted = answered.filter((o) => o.entry.outcome === 'accepted' || o.entry.outcome === 'queued');
  const last = input.observed.at(-1);
  const spanMs = last === undefined ? 0 : last.entry.sent_ms + (last.entry.latency_ms ?? 0);
  const quota = advertisedQuota(answered);
  if (quota !== null && quota > accepted.length) {
    return [
      {
        id: 'ratelimit.limit-unverified',
        severity: 'info',
        message: `the headers advertise ${formatRequests(quota)}; the probe's ${accepted.length} accepted did not reach it, so it is unverified`,
        evidence: [],
        advice: 'Probe with a budget above the advertised limit (against a test environment) to verify it.',
      },
    ];
  }
  return [
    {
      id: 'ratelimit.unlimited',
      severity: 'medium',
      message: `no rate limit found: none of ${formatRequests(answered.length)} in ${formatElapsed(spanMs)} was limited`,
      evidence: [],
      advice: `Limit requests per client (per key or address) and answer the excess with 429 and Retry-After (RFC 6585 §4); advertise the limit with RateLimit-Policy (${DRAFT}).`,
    },
  ];
}

/** Requests held in a queue (nginx without nodelay, a leaky bucket): the limit shows as latency, not as 429. */
function queued(input: RateLimitFindingsInput): Finding[] {
  const held = input.observed.filter((o) => o.entry.outcome === 'queued');
  if (held.length === 0) return [];
  const longest = held.reduce((a, b) => ((b.entry.latency_ms ?? 0) > (a.entry.latency_ms ?? 0) ? b : a));
  return [
    {
      id: 'ratelimit.queued',
      severity: 'low',
      message: `${formatRequests(held.length)} held back by the server (up to ${formatElapsed(longest.entry.latency_ms ?? 0)}) instead of being rejected`,
      evidence: [
        responseEvidence(input, longest, {
          note: `answered after ${formatElapsed(longest.entry.latency_ms ?? 0)}`,
        }),
      ],
      advice:
        'A queue hides the limit from clients and turns it into latency and timeouts; unless that is intended, reject the excess with 429 and Retry-After (nginx: limit_req … nodelay).',
    },
  ];
}

/** A probe that did not finish: what follows is partial. */
function probeEnd(input: RateLimitFindingsInput, answered: readonly ObservedResponse[]): Finding[] {
  if (input.stopped === 'interrupted') {
    return [
      {
        id: 'ratelimit.interrupted',
        severity: 'info',
        message: `the probe was interrupted after ${formatRequests(input.observed.length)}: the results are partial`,
        evidence: [],
      },
    ];
  }
  if (input.stopped !== 'error') return [];
  const failed = input.observed.filter((o) => o.entry.outcome === 'failed');
  const evidence = failed
    .slice(0, 1)
    .map((o) =>
      responseEvidence(input, o, input.error ? { note: `${input.error.code}: ${input.error.message}` } : {}),
    );
  if (evidence.length === 0 && input.error)
    evidence.push({ note: `${input.error.code}: ${input.error.message}` });
  return [
    {
      id: 'ratelimit.probe-failed',
      severity: 'low',
      message: `the probe stopped at a transport failure after ${answered.length} answered ${answered.length === 1 ? 'request' : 'requests'}: the results are partial`,
      evidence,
      advice:
        'Answer every request within the client timeout: a limiter should reject with 429 and Retry-After, not hang or drop the connection.',
    },
  ];
}
