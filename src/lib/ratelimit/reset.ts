import type { AdvertisedState, ObservedResponse, ResetForm } from './types.js';

/**
 * Reset values: how they were written and how many seconds from the response they mean.
 *
 * The IETF drafts send delta seconds; the `X-RateLimit-Reset` world sends whatever its author liked — GitHub,
 * Okta, X and express-rate-limit's legacy headers an epoch in seconds, GitLab the same in `RateLimit-Reset`,
 * others delta seconds, a few epoch milliseconds, delta milliseconds or an HTTP-date. One response's magnitude,
 * read against that response's `Date` (the server's clock, not ours), tells most forms apart; `reconcileResets`
 * then decides across successive responses: an epoch stays constant while a delta counts down — by one per
 * second in seconds, by a thousand in milliseconds.
 */

/** The longest delta taken seriously: a yearly quota (366 days). Longer is reported, not used. */
export const MAX_DELTA_S = 366 * 86_400;
/** An epoch instant this far in the past is not a reset (a stale value, or a mistaken form). */
const PAST_TOLERANCE_S = 86_400;
/** Epoch seconds below this (2001-09-09) cannot be current; values below are deltas. */
const EPOCH_S_FLOOR = 1e9;
/** Epoch milliseconds from here (1973-03-03) up; epoch seconds stop being plausible long before (year 5138). */
const EPOCH_MS_FLOOR = 1e11;
const EPOCH_MS_CEILING = 1e14;

export type NumericResetForm = Exclude<ResetForm, 'http-date'>;

export interface ResetReading {
  reset_s: number | null;
  reset_form: ResetForm | null;
  /** The number as sent, kept even when unusable alone: the responses after it may tell what it meant. */
  reset_raw: number | null;
  /** Set when the value was unusable (reset_s is then null) or non-conforming for the dialect. */
  problem: string | null;
}

/**
 * The anchor "now" for a response: the server's `Date` when sent, else the time it arrived. `Date` has a
 * one-second resolution, so when our clock agrees with it (same second, give or take transit) ours is finer.
 */
export function anchorMs(dateMs: number | null, receivedAtMs: number): number {
  if (dateMs === null || !Number.isFinite(dateMs)) return receivedAtMs;
  const skew = receivedAtMs - dateMs;
  return skew >= 0 && skew < 2000 ? receivedAtMs : dateMs;
}

/** Milliseconds → seconds, rounded to the millisecond so that float noise never shows in --json. */
function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}

/** The form a raw number's magnitude suggests on its own. */
export function formOfMagnitude(raw: number): NumericResetForm | null {
  if (raw < EPOCH_S_FLOOR) return 'delta-seconds';
  if (raw < EPOCH_MS_FLOOR) return 'epoch-seconds';
  if (raw < EPOCH_MS_CEILING) return 'epoch-ms';
  return null;
}

/** Seconds from `anchor` for a raw number read in a given form, or why it is unusable. */
export function normaliseReset(
  raw: number,
  form: NumericResetForm,
  anchor: number,
): { reset_s: number | null; problem: string | null } {
  if (form === 'delta-seconds' || form === 'delta-ms') {
    const s = form === 'delta-seconds' ? raw : seconds(raw);
    if (s > MAX_DELTA_S)
      return { reset_s: null, problem: `reset of ${raw} (${form}) is more than a year away` };
    return { reset_s: s, problem: null };
  }
  return fromInstant(form === 'epoch-seconds' ? raw * 1000 : raw, anchor, form);
}

function fromInstant(
  instantMs: number,
  anchor: number,
  form: ResetForm,
): { reset_s: number | null; problem: string | null } {
  const deltaS = (instantMs - anchor) / 1000;
  if (!Number.isFinite(deltaS)) return { reset_s: null, problem: `reset is not a usable ${form}` };
  if (deltaS < -PAST_TOLERANCE_S)
    return { reset_s: null, problem: `reset (${form}) is more than a day in the past` };
  if (deltaS > MAX_DELTA_S) return { reset_s: null, problem: `reset (${form}) is more than a year away` };
  // A reset a moment in the past (clock skew, Date's one-second resolution) means "now".
  return { reset_s: Math.max(0, seconds(instantMs - anchor)), problem: null };
}

/**
 * One response's reset number (already checked finite and ≥ 0). `deltaOnly`: the dialect defines delta
 * seconds (the IETF drafts); another form is still understood — servers do send epochs there — but noted.
 */
export function readResetNumber(raw: number, anchor: number, deltaOnly: boolean): ResetReading {
  const form = formOfMagnitude(raw);
  if (form === null)
    return { reset_s: null, reset_form: null, reset_raw: null, problem: `reset ${raw} is not a time` };
  const { reset_s, problem } = normaliseReset(raw, form, anchor);
  if (reset_s === null) return { reset_s: null, reset_form: null, reset_raw: raw, problem };
  const note =
    deltaOnly && form !== 'delta-seconds' ? `reset looks like ${form}; the draft says delta seconds` : null;
  return { reset_s, reset_form: form, reset_raw: raw, problem: note };
}

/** A reset sent as an HTTP-date (some `X-RateLimit-Reset`, GitLab's `RateLimit-ResetTime`). */
export function readResetDate(dateMs: number, anchor: number): ResetReading {
  const { reset_s, problem } = fromInstant(dateMs, anchor, 'http-date');
  return { reset_s, reset_form: reset_s === null ? null : 'http-date', reset_raw: null, problem };
}

interface Point {
  response: ObservedResponse;
  state: AdvertisedState;
}

/**
 * Copies of `observed` whose numeric resets are read in the form their series shows: one series per
 * (scheme, policy) across the responses, ordered by arrival. Returns the copies and the indexes of those
 * whose states changed. Responses without a verdict from the series keep their one-response reading.
 */
export function reconcileResetForms(observed: readonly ObservedResponse[]): {
  responses: ObservedResponse[];
  changed: Set<number>;
} {
  const responses = observed.map(copyResponse);
  const series = new Map<string, Point[]>();
  for (const response of responses) {
    if (response.parsed === null) continue;
    const seen = new Map<string, number>();
    for (const state of response.parsed.states) {
      if (state.reset_raw === null || state.reset_form === 'http-date') continue;
      const base = `${state.scheme}\u0000${state.policy ?? ''}`;
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      const key = `${base}\u0000${n}`;
      const points = series.get(key) ?? [];
      points.push({ response, state });
      series.set(key, points);
    }
  }
  const changed = new Set<number>();
  for (const points of series.values()) {
    points.sort((a, b) => a.response.received_at_ms - b.response.received_at_ms);
    const form = seriesForm(points);
    if (form === null) continue;
    for (const { response, state } of points) {
      if (state.reset_form === form && state.reset_s !== null) continue;
      const anchor = anchorMs(response.date_ms, finiteOr(response.received_at_ms, 0));
      const { reset_s } = normaliseReset(state.reset_raw!, form, anchor);
      state.reset_form = reset_s === null ? null : form;
      state.reset_s = reset_s;
      changed.add(responses.indexOf(response));
    }
  }
  return { responses, changed };
}

/**
 * What successive raw values say about their form. Pairs at least half a second apart vote: unchanged for
 * 1.5 s or more → an instant (a whole-second delta would have moved); falling by about the elapsed seconds →
 * delta seconds; by about a thousand times that → delta milliseconds. A rise (the window rolled over, or
 * quota came back) says nothing. A clear majority decides, and only for a form the magnitude allows.
 */
function seriesForm(points: readonly Point[]): NumericResetForm | null {
  const votes = { instant: 0, seconds: 0, ms: 0, other: 0 };
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const dt = (b.response.received_at_ms - a.response.received_at_ms) / 1000;
    if (!(dt >= 0.5) || !Number.isFinite(dt)) continue;
    const d = b.state.reset_raw! - a.state.reset_raw!;
    if (d > 0.5) continue;
    if (Math.abs(d) <= 0.5) {
      if (dt >= 1.5) votes.instant++;
    } else if (Math.abs(d + dt) <= Math.max(1, 0.25 * dt)) votes.seconds++;
    else if (Math.abs(d + 1000 * dt) <= Math.max(250, 250 * dt)) votes.ms++;
    else votes.other++;
  }
  const total = votes.instant + votes.seconds + votes.ms + votes.other;
  const [winner, count] = (Object.entries(votes) as [keyof typeof votes, number][])
    .filter(([k]) => k !== 'other')
    .sort((x, y) => y[1] - x[1])[0]!;
  if (count === 0 || count < 3 * (total - count)) return null;
  const largest = Math.max(...points.map((p) => p.state.reset_raw!));
  switch (winner) {
    case 'seconds':
      return largest <= MAX_DELTA_S ? 'delta-seconds' : null;
    case 'ms':
      return largest / 1000 <= MAX_DELTA_S ? 'delta-ms' : null;
    default: {
      // Constant: an instant — but a small constant is a delta that does not count down (truth.ts reports it).
      const form = formOfMagnitude(largest);
      return form === 'epoch-seconds' || form === 'epoch-ms' ? form : null;
    }
  }
}

function finiteOr(n: number, fallback: number): number {
  return Number.isFinite(n) ? n : fallback;
}

function copyResponse(o: ObservedResponse): ObservedResponse {
  return {
    ...o,
    entry: { ...o.entry },
    parsed:
      o.parsed === null
        ? null
        : {
            ...o.parsed,
            schemes: [...o.parsed.schemes],
            policies: o.parsed.policies.map((p) => ({ ...p })),
            states: o.parsed.states.map((s) => ({ ...s })),
            problems: o.parsed.problems.map((p) => ({ ...p })),
          },
  };
}
