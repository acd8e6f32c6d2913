import { sortFindings, type Finding, type FindingEvidence, type Severity } from '../findings.js';
import { primaryState } from './headers.js';
import {
  formatElapsed,
  formatRequests,
  formatSeconds,
  headerOf,
  isMismatchKind,
  type MismatchKind,
} from './truth.js';
import type { HeaderScheme, Inference, Mismatch, ObservedResponse, ProbeStop } from './types.js';

/**
 * What an API reviewer would say about an endpoint's rate limiting, as findings (src/lib/findings.ts) with stable
 * ids `ratelimit.<thing>`: malformed header values, limit responses without Retry-After, 503 as the limit status,
 * missing or legacy-only headers, no limit at all, each header mismatch (truth.ts), and a probe that could not
 * finish. Messages are one line with every number formatted for people and nothing the server wrote; server
 * text appears only as `evidence.value` (and in the parser's notes), which the renderers sanitise.
 */

export interface RateLimitFindingsInput {
  url: string;
  /** The request method, for evidence lines (`GET https://…`); omitted when not given. */
  method?: string;
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

const DRAFT = 'draft-ietf-httpapi-ratelimit-headers';

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

function request(input: RateLimitFindingsInput): string {
  return input.method === undefined ? input.url : `${input.method} ${input.url}`;
}

/** One response as evidence: the request, its status, `#seq at 1.5 s` and anything more. */
function responseEvidence(
  input: RateLimitFindingsInput,
  o: ObservedResponse,
  more: { header?: string; value?: string; note?: string } = {},
): FindingEvidence {
  const e: FindingEvidence = { request: request(input) };
  if (o.entry.status !== null) e.status = o.entry.status;
  if (more.header !== undefined) e.header = more.header;
  if (more.value !== undefined) e.value = more.value;
  const at = `#${o.entry.seq} at ${formatElapsed(o.entry.sent_ms)}`;
  e.note = more.note === undefined ? at : `${at}: ${more.note}`;
  return e;
}

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

function mismatchFinding(input: RateLimitFindingsInput, m: Mismatch): Finding {
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
