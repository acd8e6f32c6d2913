import { DAY_MS, daysFrom, isoDay } from '../lifecycle/index.js';
import type { VersionEntry } from './types.js';

/**
 * The versions' lifecycle over time, from the earliest date announced (or today) to the last Sunset: the layout of
 * the picture a terminal shows, and the plain rows a pipe gets instead. Pure: characters are the view's business.
 * Rows: every version that answers, and every version with a Deprecation or Sunset date.
 */
export type TimelineCell = 'live' | 'deprecated' | 'sunset' | 'gone';

export interface TimelineRow {
  id: string;
  cells: TimelineCell[];
  /** Columns of the two dates, when they fall in the picture. */
  deprecationCol: number | null;
  sunsetCol: number | null;
}

export interface TimelineLayout {
  startMs: number;
  endMs: number;
  /** Today's column. */
  todayCol: number;
  columns: number;
  rows: TimelineRow[];
}

function dates(v: VersionEntry): { dep: number | null; sunset: number | null } {
  const dep = v.deprecation?.date == null ? null : Date.parse(v.deprecation.date);
  const sunset = v.sunset === null ? null : Date.parse(v.sunset.date);
  return { dep, sunset };
}

function shown(v: VersionEntry): boolean {
  const d = dates(v);
  return v.status === 'live' || v.status === 'fallback' || d.dep !== null || d.sunset !== null;
}

/** Null when no version announces a date: there is nothing to draw. */
export function layoutVersionTimeline(
  versions: readonly VersionEntry[],
  nowMs: number,
  columns: number,
): TimelineLayout | null {
  const rows = versions.filter(shown);
  const all = rows.flatMap((v) => Object.values(dates(v)).filter((d): d is number => d !== null));
  if (all.length === 0) return null;
  const startMs = Math.min(nowMs, ...all);
  // A day past the last date, so that the last mark is not the last column.
  const endMs = Math.max(nowMs, ...all) + DAY_MS;
  const width = Math.max(10, columns);
  const col = (ms: number): number =>
    Math.min(width - 1, Math.max(0, Math.floor(((ms - startMs) / (endMs - startMs)) * width)));
  return {
    startMs,
    endMs,
    todayCol: col(nowMs),
    columns: width,
    rows: rows.map((v) => {
      const d = dates(v);
      const depCol = d.dep === null ? null : col(d.dep);
      const sunsetCol = d.sunset === null ? null : col(d.sunset);
      const cells: TimelineCell[] = [];
      for (let c = 0; c < width; c++) {
        if (sunsetCol !== null && c === sunsetCol) cells.push('sunset');
        else if (sunsetCol !== null && c > sunsetCol) cells.push('gone');
        else if (depCol !== null && c >= depCol) cells.push('deprecated');
        else cells.push('live');
      }
      return { id: v.id, cells, deprecationCol: depCol, sunsetCol };
    }),
  };
}

/**
 * The plain rows for a pipe, one per version shown: `v0: deprecated 2025-01-01 (365 days ago); sunset 2025-06-30
 * (185 days ago)`; `v2: no deprecation, no sunset`.
 */
export function timelineRows(versions: readonly VersionEntry[], nowMs: number): string[] {
  return versions.filter(shown).map((v) => {
    const d = dates(v);
    const dep =
      v.deprecation === null
        ? 'no deprecation'
        : d.dep === null
          ? 'deprecated (no date)'
          : `deprecated ${isoDay(d.dep)} (${relative(daysFrom(nowMs, d.dep))})`;
    const sunset =
      d.sunset === null ? 'no sunset' : `sunset ${isoDay(d.sunset)} (${relative(daysFrom(nowMs, d.sunset))})`;
    return `${v.id}: ${dep}; ${sunset}`;
  });
}

/** `in 12 days`, `today`, `3 days ago`. */
export function relative(days: number): string {
  if (days === 0) return 'today';
  if (days > 0) return days === 1 ? 'in 1 day' : `in ${days} days`;
  return days === -1 ? '1 day ago' : `${-days} days ago`;
}
