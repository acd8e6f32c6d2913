import { formatDuration, formatMillis, formatRequests } from './format.js';
import type { RequestOutcome, TimelineEntry } from './types.js';

/**
 * The timeline picture of `apikit probe ratelimit`, laid out as data: the probe's time cut into equal buckets, one
 * terminal column each; per bucket a stacked bar of the requests sent in it (accepted at the bottom, then queued,
 * limited, failed: a burst is a tall bar with a red top) and, as a second row, the slowest latency. Pure: the
 * renderer picks characters and colours, and says it in plain words instead when the output is not a terminal
 * (`timelineSummary`).
 */

/** What one column shows: the most telling outcome among its requests, or nothing sent then. */
export type CellKind = RequestOutcome | 'idle';

export interface PictureCell {
  kind: CellKind;
  /** Requests sent in this bucket, by outcome. */
  counts: Record<RequestOutcome, number>;
  /** The slowest response in the bucket in ms (a queue shows as a rising edge); null when none arrived. */
  latencyMs: number | null;
  /** 0 … levels-1 for the latency row, scaled to the run's slowest response; null when none arrived. */
  latencyLevel: number | null;
  /** The bar, bottom up: `rows` cells at most, each an outcome; empty when nothing was sent. */
  stack: RequestOutcome[];
}

export interface TimelinePicture {
  /** Milliseconds per column. */
  bucketMs: number;
  /** The time the picture spans, from the probe's start (≥ the last request's send time). */
  spanMs: number;
  cells: PictureCell[];
  /** The bars' height in rows; the tallest bar stands for `maxPerColumn` requests. */
  rows: number;
  maxPerColumn: number;
  /** Fastest and slowest response of the run; null when no response arrived. */
  latency: { minMs: number; maxMs: number } | null;
}

/**
 * In a column with several outcomes the rarer, more telling one shows: a failure over a limit over a queued
 * request over an accepted one (a single 429 among nine 200s is the event the picture is for).
 */
const PRIORITY: readonly RequestOutcome[] = ['failed', 'limited', 'queued', 'accepted'];
/** A bar, bottom up: what passed, then what was held back, refused, lost. */
const STACK_ORDER: readonly RequestOutcome[] = ['accepted', 'queued', 'limited', 'failed'];
export const DEFAULT_ROWS = 4;

export const LATENCY_LEVELS = 8;

export interface LayoutOptions {
  /** Columns available for the picture (at least 1). */
  columns: number;
  /** The probe's duration: the picture spans it even when the last request went out earlier. */
  durationMs?: number;
  /** Height of the bars (default 4). */
  rows?: number;
  levels?: number;
}

export function layoutTimeline(timeline: readonly TimelineEntry[], options: LayoutOptions): TimelinePicture {
  const columns = Math.max(1, Math.floor(options.columns));
  const levels = Math.max(1, Math.floor(options.levels ?? LATENCY_LEVELS));
  const lastSent = timeline.reduce((max, e) => Math.max(max, finiteOr(e.sent_ms, 0)), 0);
  const spanMs = Math.max(1, lastSent + 1, finiteOr(options.durationMs ?? 0, 0));
  // Whole milliseconds per column, never fewer than one: a short run gets fewer columns, not thinner ones.
  const bucketMs = Math.max(1, Math.ceil(spanMs / columns));
  const used = Math.min(columns, Math.ceil(spanMs / bucketMs));
  const cells: PictureCell[] = Array.from({ length: used }, () => ({
    kind: 'idle',
    counts: { accepted: 0, limited: 0, queued: 0, failed: 0 },
    latencyMs: null,
    latencyLevel: null,
    stack: [],
  }));
  let minMs = Infinity;
  let maxMs = -Infinity;
  for (const e of timeline) {
    const at = Math.min(used - 1, Math.max(0, Math.floor(finiteOr(e.sent_ms, 0) / bucketMs)));
    const c = cells[at]!;
    c.counts[e.outcome]++;
    if (e.latency_ms !== null && Number.isFinite(e.latency_ms) && e.latency_ms >= 0) {
      c.latencyMs = Math.max(c.latencyMs ?? 0, e.latency_ms);
      minMs = Math.min(minMs, e.latency_ms);
      maxMs = Math.max(maxMs, e.latency_ms);
    }
  }
  const latency = maxMs >= 0 ? { minMs, maxMs } : null;
  const totals = cells.map((c) => total(c.counts));
  const maxPerColumn = Math.max(0, ...totals);
  const rows = Math.max(1, Math.min(Math.floor(options.rows ?? DEFAULT_ROWS), maxPerColumn));
  cells.forEach((c, i) => {
    // One row per request while they fit; scaled beyond, never below one row for a column that sent anything.
    const n = totals[i]!;
    const height =
      maxPerColumn <= rows ? n : n === 0 ? 0 : Math.max(1, Math.round((n * rows) / maxPerColumn));
    c.stack = stackOf(c.counts, height);
  });
  for (const c of cells) {
    c.kind = PRIORITY.find((k) => c.counts[k] > 0) ?? 'idle';
    if (c.latencyMs !== null && latency !== null) {
      // Linear in the slowest response, the lowest level for anything that arrived: a queue is a ramp.
      const ratio = latency.maxMs > 0 ? c.latencyMs / latency.maxMs : 0;
      c.latencyLevel = Math.min(levels - 1, Math.max(0, Math.ceil(ratio * levels) - 1));
    }
  }
  return { bucketMs, spanMs, cells, rows, maxPerColumn, latency };
}

/**
 * `height` cells shared among the outcomes present: each gets one first (the most telling first, when there is
 * less room than outcomes), the rest goes by largest shortfall against its proportional share.
 */
function stackOf(counts: Record<RequestOutcome, number>, height: number): RequestOutcome[] {
  const n = total(counts);
  const cells: Record<RequestOutcome, number> = { accepted: 0, limited: 0, queued: 0, failed: 0 };
  let left = height;
  for (const k of PRIORITY) {
    if (left > 0 && counts[k] > 0) {
      cells[k] = 1;
      left--;
    }
  }
  for (; left > 0; left--) {
    const short = (k: RequestOutcome): number => (counts[k] / n) * height - cells[k];
    const k = STACK_ORDER.filter((o) => counts[o] > 0).reduce((a, b) => (short(b) > short(a) ? b : a));
    cells[k]++;
  }
  return STACK_ORDER.flatMap((k) => Array.from({ length: cells[k] }, () => k));
}

function total(counts: Record<RequestOutcome, number>): number {
  return counts.accepted + counts.limited + counts.queued + counts.failed;
}

/**
 * The picture in words, for a pipe: `14 requests over 3.2 s: 5 accepted, 9 limited (first at 0.1 s, request 6);
 * latency 2 ms to 41 ms, median 4 ms`. Plain ASCII: no picture characters.
 */
export function timelineSummary(timeline: readonly TimelineEntry[], durationMs: number): string {
  const counts: Record<RequestOutcome, number> = { accepted: 0, limited: 0, queued: 0, failed: 0 };
  for (const e of timeline) counts[e.outcome]++;
  const parts = PRIORITY.slice()
    .reverse()
    .filter((k) => counts[k] > 0)
    .map((k) => {
      const first = timeline.find((e) => e.outcome === k);
      const when =
        k !== 'accepted' && first !== undefined
          ? ` (first at ${formatDuration(first.sent_ms)}, request ${first.seq + 1})`
          : '';
      return `${counts[k]} ${k}${when}`;
    });
  const n = timeline.length;
  let text = `${formatRequests(n)} over ${formatDuration(durationMs)}`;
  if (parts.length > 0) text += `: ${parts.join(', ')}`;
  const latencies = timeline
    .map((e) => e.latency_ms)
    .filter((l): l is number => l !== null && Number.isFinite(l) && l >= 0)
    .sort((a, b) => a - b);
  if (latencies.length > 0) {
    const median = latencies[Math.floor((latencies.length - 1) / 2)]!;
    text += `; latency ${formatMillis(latencies[0]!)} to ${formatMillis(latencies.at(-1)!)}, median ${formatMillis(median)}`;
  }
  return text;
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}
