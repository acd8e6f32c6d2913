import type { HeaderDate } from './types.js';

export const DAY_MS = 86_400_000;

/**
 * Whole days from `nowMs` to `epochMs`, rounded down: negative exactly when the moment is in the past (half a day
 * ago is -1, half a day ahead is 0), so "days left" never rounds a passed date up to zero.
 */
export function daysFrom(nowMs: number, epochMs: number): number {
  const days = Math.floor((epochMs - nowMs) / DAY_MS);
  return days === 0 ? 0 : days; // never -0
}

/** The UTC calendar day of a moment, `2026-06-30`. */
export function isoDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** A HeaderDate, or undefined when the moment is outside what a Date can hold (±8.64e15 ms). */
export function headerDate(epochMs: number, raw: string): HeaderDate | undefined {
  const date = new Date(epochMs);
  if (!Number.isFinite(date.getTime())) return undefined;
  return { iso: date.toISOString(), epochMs: date.getTime(), raw };
}
