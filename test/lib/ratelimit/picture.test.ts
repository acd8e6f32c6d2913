import { describe, expect, it } from 'vitest';
import { formatDuration as seconds } from '../../../src/lib/ratelimit/format.js';
import { layoutTimeline, timelineSummary } from '../../../src/lib/ratelimit/picture.js';
import type { RequestOutcome, TimelineEntry } from '../../../src/lib/ratelimit/types.js';

const e = (
  seq: number,
  sent_ms: number,
  outcome: RequestOutcome,
  latency_ms: number | null = 10,
): TimelineEntry => ({
  seq,
  phase: 'burst',
  sent_ms,
  latency_ms: outcome === 'failed' ? null : latency_ms,
  status: outcome === 'failed' ? null : outcome === 'limited' ? 429 : 200,
  outcome,
  remaining: null,
  reset_s: null,
  retry_after_s: null,
});

describe('layoutTimeline', () => {
  it('cuts the duration into whole-millisecond columns, idle where nothing was sent', () => {
    const p = layoutTimeline([e(0, 0, 'accepted'), e(1, 950, 'limited')], { columns: 10, durationMs: 1000 });
    expect(p.bucketMs).toBe(100);
    expect(p.spanMs).toBe(1000);
    expect(p.cells.map((c) => c.kind)).toEqual([
      'accepted',
      'idle',
      'idle',
      'idle',
      'idle',
      'idle',
      'idle',
      'idle',
      'idle',
      'limited',
    ]);
  });

  it('shows the most telling outcome of a column: failed over limited over queued over accepted', () => {
    const cases: [RequestOutcome[], string][] = [
      [['accepted', 'accepted', 'limited'], 'limited'],
      [['accepted', 'queued'], 'queued'],
      [['limited', 'failed', 'accepted'], 'failed'],
      [['accepted'], 'accepted'],
    ];
    for (const [outcomes, want] of cases) {
      const p = layoutTimeline(
        outcomes.map((o, i) => e(i, i, o)),
        { columns: 1 },
      );
      expect(p.cells).toHaveLength(1);
      expect(p.cells[0]!.kind).toBe(want);
      expect(p.cells[0]!.counts[want as RequestOutcome]).toBeGreaterThan(0);
    }
  });

  it('scales latency to the slowest response: a queue is a ramp to the top level', () => {
    const queue = [10, 20, 40, 80].map((lat, i) => e(i, i * 100, 'queued', lat));
    const p = layoutTimeline(queue, { columns: 4, durationMs: 400 });
    expect(p.cells.map((c) => c.latencyLevel)).toEqual([0, 1, 3, 7]);
    expect(p.latency).toEqual({ minMs: 10, maxMs: 80 });
  });

  it('a failed request has no latency; no response at all gives no latency range', () => {
    const p = layoutTimeline([e(0, 0, 'failed')], { columns: 5, durationMs: 500 });
    expect(p.cells[0]!.latencyLevel).toBeNull();
    expect(p.latency).toBeNull();
  });

  it('a short run gets fewer columns, never more than asked, and an empty timeline one idle column', () => {
    expect(layoutTimeline([e(0, 0, 'accepted'), e(1, 3, 'accepted')], { columns: 80 }).cells).toHaveLength(4);
    expect(layoutTimeline([], { columns: 80 }).cells.map((c) => c.kind)).toEqual(['idle']);
    const long = Array.from({ length: 500 }, (_, i) => e(i, i * 97, 'accepted'));
    expect(layoutTimeline(long, { columns: 60, durationMs: 60_000 }).cells.length).toBeLessThanOrEqual(60);
  });

  it('survives nonsense from a broken engine (NaN, negative, past the duration)', () => {
    const p = layoutTimeline(
      [e(0, Number.NaN, 'accepted', Number.NaN), e(1, -5, 'accepted', -1), e(2, 99_999, 'limited')],
      { columns: 10, durationMs: 1000 },
    );
    expect(p.cells.length).toBeLessThanOrEqual(10);
    expect(p.cells[0]!.counts.accepted).toBe(2);
    expect(p.cells.at(-1)!.kind).toBe('limited');
    expect(p.latency).toEqual({ minMs: 10, maxMs: 10 });
  });
});

describe('layoutTimeline: stacked bars', () => {
  const burst = (outcomes: RequestOutcome[], at = 0): TimelineEntry[] => outcomes.map((o, i) => e(i, at, o));

  it('one row per request while they fit: accepted at the bottom, then queued, limited, failed', () => {
    const p = layoutTimeline(burst(['limited', 'accepted', 'failed']), { columns: 1 });
    expect(p.rows).toBe(3);
    expect(p.maxPerColumn).toBe(3);
    expect(p.cells[0]!.stack).toEqual(['accepted', 'limited', 'failed']);
  });

  it('scaled to the rows beyond: a burst of 5 and a 429 is three accepted cells and a limited one', () => {
    const timeline = [
      ...burst(['accepted', 'accepted', 'accepted', 'accepted', 'accepted', 'limited']),
      e(6, 500, 'accepted'),
    ];
    const p = layoutTimeline(timeline, { columns: 10, durationMs: 1000, rows: 4 });
    expect(p.rows).toBe(4);
    expect(p.maxPerColumn).toBe(6);
    expect(p.cells[0]!.stack).toEqual(['accepted', 'accepted', 'accepted', 'limited']);
    // Never below one row for a column that sent anything; none for one that did not.
    expect(p.cells[5]!.stack).toEqual(['accepted']);
    expect(p.cells[1]!.stack).toEqual([]);
  });

  it('a column with less room than outcomes shows the most telling ones', () => {
    const timeline = [
      ...burst(Array<RequestOutcome>(12).fill('accepted')),
      ...burst(['accepted', 'limited'], 100),
    ];
    const p = layoutTimeline(timeline, { columns: 2, durationMs: 200, rows: 4 });
    expect(p.cells[0]!.stack).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    expect(p.cells[1]!.stack).toEqual(['limited']);
  });
});

describe('timelineSummary: the picture in words', () => {
  it.each([
    [[], 0, '0 requests over 0 s'],
    [[e(0, 0, 'accepted', 5)], 1000, '1 request over 1 s: 1 accepted; latency 5 ms to 5 ms, median 5 ms'],
    [
      [e(0, 0, 'accepted', 2), e(1, 10, 'accepted', 4), e(2, 20, 'limited', 1.25), e(3, 1500, 'failed')],
      2500,
      '4 requests over 2.5 s: 2 accepted, 1 limited (first at 0.02 s, request 3), 1 failed (first at 1.5 s, request 4); ' +
        'latency 1.3 ms to 4 ms, median 2 ms',
    ],
    [
      [e(0, 0, 'queued', 420)],
      12_345,
      '1 request over 12.3 s: 1 queued (first at 0 s, request 1); latency 420 ms to 420 ms, median 420 ms',
    ],
  ])('%#', (timeline, duration, want) => {
    expect(timelineSummary(timeline, duration)).toBe(want);
  });
});

describe('seconds', () => {
  it.each([
    [60_000, '60 s'],
    [1500, '1.5 s'],
    [250, '0.25 s'],
    [12_345, '12.3 s'],
    [Number.NaN, '0 s'],
  ])('%d → %s', (ms, want) => expect(seconds(ms)).toBe(want));
});
