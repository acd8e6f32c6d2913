import type { ChalkInstance } from 'chalk';
import type { Rendered, View } from '../../io/render.js';
import { isoDay } from '../../lib/lifecycle/index.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import {
  layoutVersionTimeline,
  timelineRows,
  type TimelineCell,
  type TimelineLayout,
} from '../../lib/versions/timeline.js';
import type { VersionEntry, VersionsReport } from '../../lib/versions/types.js';
import { renderFindings } from '../shared/findings-view.js';
import { VERSION_HEAD, versionCells, versionsSummaryRows } from './versions-summary.js';

/**
 * `apikit probe versions` for people: the summary (schemes, the versions by status, what an unversioned request
 * gets), the table of versions (status, deprecation, sunset, days left, successor), the timeline — a picture from
 * the earliest date to the last Sunset on a terminal, one plain row per version when piped — and the findings.
 * Every value the server chose goes through terminalSafe; table cells are also cut short.
 */
const CELL_CHARS = 120;

export function renderVersionsTable(report: VersionsReport, view: View, title = 'probe'): Rendered {
  const doc = view.doc();
  const c = view.color.out;
  const safe = (text: string): string => terminalSafe(text);
  doc.table(
    [title, safe(`versions of ${report.method} ${report.url}`)],
    versionsSummaryRows(report).map(([k, v]) => [k, safe(v)]),
  );
  if (report.versions.length === 0) {
    doc.result(`${c.bold('Versions')}: none tried`);
  } else {
    doc.result(c.bold(`Versions (${report.versions.length})`));
    doc.table(
      VERSION_HEAD,
      report.versions.map((v) => {
        const cells = versionCells(v, report.url).map((cell) => terminalSafe(cell, CELL_CHARS));
        cells[1] = statusColour(v, c)(cells[1]!);
        return cells;
      }),
    );
  }
  const nowMs = Date.parse(report.now);
  if (view.stdoutIsTTY) {
    const layout = layoutVersionTimeline(
      report.versions,
      nowMs,
      pictureColumns(view.columns, report.versions),
    );
    if (layout !== null) doc.result([c.bold('Timeline'), ...timelineLines(layout, c)].join('\n'));
  } else {
    const rows = timelineRows(report.versions, nowMs);
    if (report.versions.some((v) => v.deprecation !== null || v.sunset !== null)) {
      doc.result(['timeline:', ...rows.map((r) => `  ${safe(r)}`)].join('\n'));
    }
  }
  doc.add(renderFindings(report.findings, view));
  if (report.stopped === 'interrupted') doc.notice('interrupted: the result above is partial');
  return doc.blocks;
}

function statusColour(v: VersionEntry, c: ChalkInstance): (s: string) => string {
  switch (v.status) {
    case 'live':
      return v.sunset !== null && v.days_left !== null && v.days_left < 0
        ? c.red
        : v.deprecation
          ? c.yellow
          : c.green;
    case 'retired':
      return c.dim;
    case 'gone':
    case 'fallback':
      return c.yellow;
    default:
      return (s) => s;
  }
}

/** The label column (the longest id, at most 20) and a margin; the picture gets 10 to 100 columns. */
function labelWidth(versions: readonly VersionEntry[]): number {
  return Math.min(20, Math.max(4, ...versions.map((v) => terminalSafe(v.id, 20).length)));
}

export function pictureColumns(terminalColumns: number, versions: readonly VersionEntry[]): number {
  return Math.max(10, Math.min(100, terminalColumns - labelWidth(versions) - 6));
}

const GLYPH: Record<TimelineCell, string> = { live: '━', deprecated: '╍', sunset: '✕', gone: ' ' };

/**
 * One line per version (`v0   │━━━━╍╍╍╍✕    `), then the axis with today marked and the first and last day, and a
 * legend. Coloured with `c` (live green, deprecated yellow, sunset red); the characters say it without colour.
 */
export function timelineLines(layout: TimelineLayout, c?: ChalkInstance): string[] {
  const width = Math.max(4, ...layout.rows.map((r) => terminalSafe(r.id, 20).length));
  const paint: Record<TimelineCell, (s: string) => string> = {
    live: c?.green ?? ((s) => s),
    deprecated: c?.yellow ?? ((s) => s),
    sunset: c?.red ?? ((s) => s),
    gone: (s) => s,
  };
  const lines = layout.rows.map((row) => {
    // Runs of one kind painted at once: one escape sequence per run, not per column.
    let bar = '';
    let start = 0;
    for (let i = 1; i <= row.cells.length; i++) {
      if (i < row.cells.length && row.cells[i] === row.cells[start]) continue;
      const kind = row.cells[start]!;
      const glyphs = row.cells
        .slice(start, i)
        .map((cell, j) => (start + j === layout.todayCol && cell === 'gone' ? '┊' : GLYPH[cell]))
        .join('');
      bar += paint[kind](glyphs);
      start = i;
    }
    return `  ${terminalSafe(row.id, 20).padEnd(width)} │${bar}`.trimEnd();
  });
  // Near the right edge the word goes before the arrow, so the line stays as wide as the picture.
  const marker =
    layout.todayCol + 7 > layout.columns
      ? ' '.repeat(Math.max(0, layout.todayCol - 6)) + 'today ▲'
      : ' '.repeat(layout.todayCol) + '▲ today';
  const start = isoDay(layout.startMs);
  const end = isoDay(layout.endMs);
  const axis =
    layout.columns > start.length + end.length + 1
      ? start + end.padStart(layout.columns - start.length)
      : end;
  const pad = ' '.repeat(width + 3);
  return [
    ...lines,
    `${pad}└${'─'.repeat(layout.columns)}`,
    `${pad} ${marker}`.trimEnd(),
    `${pad} ${axis}`,
    `  ${paint.live(GLYPH.live)} live  ${paint.deprecated(GLYPH.deprecated)} deprecated  ${paint.sunset(GLYPH.sunset)} sunset`,
  ];
}
