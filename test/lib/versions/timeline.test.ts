import { describe, expect, it } from 'vitest';
import { layoutVersionTimeline, timelineRows } from '../../../src/lib/versions/timeline.js';
import type { VersionEntry } from '../../../src/lib/versions/types.js';

const NOW = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
const iso = (days: number) => new Date(NOW + days * DAY).toISOString();

function entry(
  id: string,
  dep: number | null,
  sunset: number | null,
  status: VersionEntry['status'] = 'live',
): VersionEntry {
  return {
    id,
    url_or_header: id,
    status,
    http_status: 200,
    location: null,
    served_as: null,
    named_by: ['neighbour'],
    deprecation: dep === null ? null : { date: iso(dep), raw: '@1', legacy: null },
    sunset: sunset === null ? null : { date: iso(sunset), raw: 'x' },
    days_left: sunset,
    successor: null,
    links: [],
  };
}

describe('the versions timeline', () => {
  it('from the earliest date to the last Sunset, today inside; each row live, deprecated, its sunset, then gone', () => {
    const layout = layoutVersionTimeline(
      [entry('v1', -50, 50), entry('v2', null, null), entry('v0', -40, -10)],
      NOW,
      101,
    )!;
    expect(layout.startMs).toBe(NOW - 50 * DAY);
    expect(layout.endMs).toBe(NOW + 51 * DAY);
    expect(layout.todayCol).toBe(50);
    const [v1, v2, v0] = layout.rows;
    expect(v1!.cells[0]).toBe('deprecated');
    expect(v1!.cells[v1!.sunsetCol!]).toBe('sunset');
    expect(v0!.cells[0]).toBe('live');
    expect(v0!.cells[v0!.deprecationCol!]).toBe('deprecated');
    expect(v0!.cells[v0!.sunsetCol!]).toBe('sunset');
    expect(v0!.cells.at(-1)).toBe('gone');
    expect(new Set(v2!.cells)).toEqual(new Set(['live']));
  });

  it('nothing dated: no picture', () => {
    expect(layoutVersionTimeline([entry('v1', null, null)], NOW, 80)).toBeNull();
  });

  it('plain rows with relative days', () => {
    expect(
      timelineRows([entry('v1', -10, 20), entry('v2', null, null), entry('v0', null, null, 'gone')], NOW),
    ).toEqual([
      'v1: deprecated 2025-12-22 (10 days ago); sunset 2026-01-21 (in 20 days)',
      'v2: no deprecation; no sunset',
    ]);
  });
});
