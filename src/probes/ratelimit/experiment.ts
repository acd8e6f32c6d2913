import { formatProgressSeconds } from '../../lib/ratelimit/format.js';
import { primaryState } from '../../lib/ratelimit/headers.js';
import { fitTokenBucket, fitWindow, nextTokenAt, toTrials, type Trial } from '../../lib/ratelimit/infer.js';
import type { ObservedResponse } from '../../lib/ratelimit/types.js';
import type { Session } from './session.js';

/**
 * The experiment, phase by phase, each ending as soon as its evidence suffices (the request costs assume a
 * limiter of N per burst; the goal is at most 2N + 20 in all):
 *
 * 1. burst — back-to-back from the fresh state until the first limit status (N + 1). A quota advertised beyond
 *    the budget is checked with a few requests, not spent. Accepted responses held back far beyond the first
 *    ones mean a queue (nginx without nodelay): the queue phase times its drain instead.
 * 2. recovery — after the first limit: wait what the server asked (Retry-After, else an exhausted quota's reset)
 *    and send one; without a hint, single probes 25 ms, 50 ms, 100 ms … after the limit until one is accepted.
 * 3. refill — right after recovery, up to ⌈N/2⌉ back-to-back. A limit before that: the quota comes back
 *    gradually, a bucket (4). All accepted: a window, or a bucket that refilled in the wait (5 tells).
 * 4. bucket rate — bisection: one request when the middle of the rates still possible says a token is back
 *    (accepted: the rate is at least that; limited: below); when the server makes it wait, a burst after the
 *    wait counts the tokens refilled in a known time. Until the rate is pinned to ±7 % and a bucket explains
 *    at least two more requests than any window (else a short burst right after an acceptance: a window that
 *    just reset would let it through).
 * 5. window — part-way through the window after the recovery (half-way; 0.7 of it, in two parts when the
 *    window is long, once hints gave its length), fill the window: a window lets exactly N − ⌈N/2⌉ through, a
 *    bucket that refills that fast more. Then one window after the recovery (the hint, or probes stepping 15 %
 *    of the window), a burst: a fixed window gives its whole quota back, a sliding log only the ⌈N/2⌉ spent at
 *    the recovery (anything between: a bucket after all, 4). A log is then shown still full short of the
 *    fill's expiry (a fixed window restarted at the test would not be) — after the hint, or half-way there —
 *    and, without hints, probes around that expiry pin the window.
 */

/** Consecutive held-back responses (one in flight) that reveal a queue. */
const QUEUE_RUN = 4;
/** Requests served through a queue to time its drain. */
const QUEUE_SAMPLES = 10;
/** Requests spent checking a quota advertised beyond the budget. */
const VERIFY = 10;
/** The first probe after a limit without a hint, and the factor between probes. */
const FIRST_PROBE_MS = 25;
/** The bucket rate is pinned when the rates still possible span less than this factor (±7 %). */
const RATE_SPREAD = 1.15;
/** At most this many bisection probes and refill bursts in the bucket phase. */
const MAX_BISECT = 14;
const MAX_REFILLS = 5;
const MAX_CONFIRMS = 3;
/** The spacing a split fill needs: whole-second hints may be up to a second late. */
const SPLIT_MIN_MS = 1200;

export type Progress = (line: string) => void;

export async function runExperiment(s: Session, progress: Progress): Promise<void> {
  const opening = await burstPhase(s, progress);
  if (s.stopped) return;
  const firstLimited = opening.find((o) => o.entry.outcome === 'limited');
  const n0 = opening.filter((o) => o.entry.outcome !== 'limited').length;
  if (firstLimited === undefined) {
    if (queueSeen(s, opening)) await queuePhase(s, progress);
    return;
  }
  // A wave into a queue: the accepted ones were held back, the rest refused at once. That is the queue's depth
  // and its drain in one go.
  if (opening.filter((o) => s.isHeldBack(o)).length >= 2) {
    progress(`queue: ${n0} of a wave of ${opening.length} queued, the rest refused`);
    return;
  }
  const recovered = await recover(s, (k) => firstLimited.received_at_ms + FIRST_PROBE_MS * 2 ** k);
  if (recovered === null) return;
  progress(
    `recovery: accepted again ${formatProgressSeconds(recovered.received_at_ms - firstLimited.received_at_ms)} after the first limit`,
  );
  if (n0 <= 1) return bucketPhase(s, n0, progress);

  const half = Math.ceil(n0 / 2);
  const refill = await s.burst('refill', half - 1);
  if (s.stopped) return;
  if (refill.some((o) => o.entry.outcome === 'limited')) {
    progress(
      `refill: ${1 + refill.filter((o) => o.entry.outcome !== 'limited').length} back right after recovery: quota returns gradually`,
    );
    return bucketPhase(s, n0, progress);
  }
  progress(`refill: ${half} back at once after recovery`);
  return windowPhase(s, n0, half, recovered, progress);
}

async function burstPhase(s: Session, progress: Progress): Promise<ObservedResponse[]> {
  let verifyUntil: number | null = null;
  const max = s.options.maxRequests;
  const opening = await s.burst('burst', s.remaining, {
    stopWhen: (o, all) => {
      if (all.length === 1) {
        const state = primaryState(o.parsed);
        // More quota advertised than the budget could ever use up: a few requests check it, no more.
        if (state?.remaining != null && state.remaining + 1 > max) verifyUntil = VERIFY;
      }
      if (verifyUntil !== null && all.length >= verifyUntil) return true;
      // Held back, not refused: a queue no deeper than the concurrency never refuses anything.
      return heldBackRun(s, all) >= QUEUE_RUN;
    },
  });
  const limited = opening.findIndex((o) => o.entry.outcome === 'limited');
  progress(
    limited < 0
      ? `burst: ${opening.length} sent, no limit`
      : `burst: ${opening.length} sent, first ${opening[limited]!.entry.status} after ${opening.filter((o) => o.entry.outcome !== 'limited').length} accepted`,
  );
  if (limited < 0 && verifyUntil !== null && opening.length >= verifyUntil) s.budget.stop('done');
  return opening;
}

/** How many of the latest accepted responses in a row were held back. */
function heldBackRun(s: Session, all: readonly ObservedResponse[]): number {
  let run = 0;
  for (let i = all.length - 1; i >= 0 && s.isHeldBack(all[i]!); i--) run++;
  return run;
}

function queueSeen(s: Session, opening: readonly ObservedResponse[]): boolean {
  return heldBackRun(s, opening) >= QUEUE_RUN || opening.filter((o) => s.isHeldBack(o)).length >= QUEUE_RUN;
}

/** One in flight through a queue: time the drain over a few more served requests. */
async function queuePhase(s: Session, progress: Progress): Promise<void> {
  const held = s.observed.filter((o) => s.isHeldBack(o)).length;
  const more = await s.burst('queue', Math.max(0, QUEUE_SAMPLES - held));
  progress(`queue: ${held + more.filter((o) => s.isHeldBack(o)).length} requests held back by the server`);
}

/**
 * Single probes after a limited response until one is accepted: at the server's hint when it gave one, else at
 * `schedule(k)` (epoch ms) for the k-th unhinted probe.
 */
async function recover(s: Session, schedule: (k: number) => number): Promise<ObservedResponse | null> {
  let k = 0;
  for (;;) {
    const hinted = s.blockedUntil > s.now();
    const notBefore = hinted ? s.blockedUntil : schedule(k++);
    const o = await s.send('recovery', { notBefore });
    if (o === null) return null;
    if (o.entry.outcome !== 'limited') return o;
  }
}

async function bucketPhase(s: Session, n0: number, progress: Progress): Promise<void> {
  let bisections = 0;
  let refills = 0;
  let confirms = 0;
  while (!s.stopped && s.remaining > 0) {
    const trials = toTrials(s.observed);
    const fit = fitTokenBucket(trials, Math.max(1, n0));
    if (fit === null) return;
    const pinned = fit.bounded && fit.rateHi / fit.rateLo <= RATE_SPREAD;
    if (pinned && (n0 <= 1 || windowLead(trials, n0, fit.misses) >= 2)) {
      progress(`refill: ${fit.rate.toFixed(2)}/s (${fit.rateLo.toFixed(2)}–${fit.rateHi.toFixed(2)})`);
      return;
    }
    if (s.blockedUntil > s.now()) {
      // The server makes us wait: count what refilled meanwhile.
      if (refills++ >= MAX_REFILLS) return;
      await s.burst('refill', fit.capacity + 1, { notBefore: s.blockedUntil });
      continue;
    }
    const last = s.observed[s.observed.length - 1];
    if (pinned && last?.entry.outcome === 'accepted') {
      // The rate is known but a window could still explain it: right after an acceptance a window that just
      // reset would let more through, a bucket does not.
      if (confirms++ >= MAX_CONFIRMS) return;
      await s.burst('refill', 3);
      continue;
    }
    if (bisections++ >= MAX_BISECT) return;
    await s.send('paced', { notBefore: s.startMs + nextTokenAt(trials, fit.capacity, fit.rate / 1000) });
  }
}

/** How many more requests the best window model gets wrong than the bucket. */
function windowLead(trials: readonly Trial[], n0: number, bucketMisses: number): number {
  const windows = (['anchored', 'aligned', 'sliding'] as const).map((kind) => fitWindow(trials, kind, [n0]));
  const best = Math.min(...windows.map((w) => w?.misses ?? Infinity));
  return best - bucketMisses;
}

async function windowPhase(
  s: Session,
  n0: number,
  half: number,
  recovered: ObservedResponse,
  progress: Progress,
): Promise<void> {
  const fit = fitWindow(toTrials(s.observed), 'anchored', [n0]);
  const recoveredAt = s.startMs + recovered.entry.sent_ms;
  const firstAt = s.startMs + (s.observed[0]?.entry.sent_ms ?? 0);
  const hi = fit?.windowHi ?? recoveredAt - firstAt;
  const lo = fit && fit.windowLo > 0 ? fit.windowLo : hi / 2;
  const mid = fit?.window ?? (lo + hi) / 2;
  // The server's hints gave the window's length: the fill can go late in the window, in two parts.
  const precise = fit !== null && fit.windowHi !== null && fit.windowHi <= fit.windowLo * 1.1;

  // Fill the window part-way through it: late enough that a sliding log's fill outlives the test below even when
  // a hint makes that test late, early enough to stay inside the window when its length is only roughly known.
  // With the length known and long enough that whole-second hints (up to 1 s late) still tell the steps apart,
  // the fill comes in two parts (0.35 and 0.7 of the window), so that a log's quota returns in two steps the
  // hints make the probe wait for, each one a request a fixed window would accept.
  const rest = n0 - half;
  const early = precise && rest >= 2 && mid * 0.35 >= SPLIT_MIN_MS ? Math.floor(rest / 2) : 0;
  const first =
    early > 0
      ? await s.burst('refill', early, { notBefore: recoveredAt + mid * 0.35 })
      : ([] as ObservedResponse[]);
  if (s.stopped) return;
  const late = await s.burst('refill', n0 + 1, { notBefore: recoveredAt + mid * (precise ? 0.7 : 0.5) });
  if (s.stopped) return;
  const fill = [...first, ...late];
  const filled = fill.filter((o) => o.entry.outcome !== 'limited').length;
  const fillLimited = late.find((o) => o.entry.outcome === 'limited');
  if (
    first.some((o) => o.entry.outcome === 'limited') ||
    fillLimited === undefined ||
    Math.abs(filled - rest) > Math.max(1, Math.round(0.15 * n0))
  ) {
    progress(`refill: ${filled} later in the window (a window would allow ${rest}): quota returns gradually`);
    return bucketPhase(s, n0, progress);
  }
  progress(`refill: ${filled} more later in the window, as a window allows`);

  // One window after the recovery the requests spent there return — in a fixed window, with all the rest.
  const step = Math.max(20, 0.15 * mid);
  const start = Math.max(s.now(), recoveredAt + lo);
  const ladderEnd = recoveredAt + hi + step;
  const back = await recover(s, (k) => {
    const t = start + k * step;
    return t <= ladderEnd ? t : ladderEnd + FIRST_PROBE_MS * 2 ** (k - Math.ceil((ladderEnd - start) / step));
  });
  if (back === null) return;
  // With the window's length from the server's hints, the test runs to the limit: the wait asked for then is
  // one more thing a model must explain.
  const test = await s.burst('refill', precise ? n0 : Math.min(n0 - 1, half + 2));
  if (s.stopped) return;
  const returned = 1 + test.filter((o) => o.entry.outcome !== 'limited').length;
  if (returned >= n0 || !test.some((o) => o.entry.outcome === 'limited')) {
    progress(`window: ${returned} back at once one window after recovery: a fixed window`);
    return;
  }
  if (returned > half) {
    // More than a log frees, less than a fixed window: a bucket that happened to look like a window so far.
    progress(`window: ${returned} back one window after recovery: neither window's share`);
    return bucketPhase(s, n0, progress);
  }
  progress(`window: only ${returned} back one window after recovery: the quota slides`);
  if (s.blockedUntil > s.now()) {
    // The hint runs until the early fill's share returns: that share, and then the limit again, where a fixed
    // window restarted at the test would still have room.
    if (early > 0) await s.burst('refill', early + 1);
    return;
  }
  // Until the fill's share returns a log stays full, where a fixed window restarted at the test would not: one
  // probe half-way there. Then probes stepping a third of what is left of the window pin its length.
  const fillAt = s.startMs + fill[0]!.entry.sent_ms;
  const sliding = fitWindow(toTrials(s.observed), 'sliding', [n0]);
  const freeLo = fillAt + (sliding && sliding.windowLo > 0 ? sliding.windowLo : lo);
  const freeHi = Math.max(freeLo, fillAt + (sliding?.windowHi ?? hi));
  if (freeLo - s.now() > 2 * FIRST_PROBE_MS) {
    const full = await s.send('paced', { notBefore: (s.now() + freeLo) / 2 });
    if (full === null || full.entry.outcome !== 'limited') return;
  }
  const third = Math.max(FIRST_PROBE_MS, (freeHi - freeLo) / 3);
  await recover(s, (k) => freeLo + k * third);
}
