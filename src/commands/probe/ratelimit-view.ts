import type { ChalkInstance } from 'chalk';
import type { Rendered, View } from '../../io/render.js';
import { formatDuration, formatMillis, formatRequests } from '../../lib/ratelimit/format.js';
import {
  layoutTimeline,
  timelineSummary,
  type CellKind,
  type TimelinePicture,
} from '../../lib/ratelimit/picture.js';
import type { RateLimitReport } from '../../lib/ratelimit/types.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import { renderFindings } from '../shared/findings-view.js';
import { POLICY_HEAD, policyCells, summaryRows } from './ratelimit-summary.js';

/**
 * `apikit probe ratelimit` for people: the summary table, the timeline (a picture on a terminal, one line of
 * words when piped), the advertised policies, the header mismatches, the findings and the evidence. Every value
 * the server chose (policy names, evidence, mismatch texts, the URL given on argv) goes through terminalSafe.
 */
export function renderRatelimitTable(report: RateLimitReport, view: View): Rendered {
  const doc = view.doc();
  const c = view.color.out;
  const safe = (text: string): string => terminalSafe(text);
  doc.table(
    ['probe', safe(`${report.method} ${report.url}`)],
    summaryRows(report).map(([k, v]) => [k, safe(v)]),
  );

  if (view.stdoutIsTTY) {
    const picture = layoutTimeline(report.timeline, {
      columns: pictureColumns(view.columns),
      durationMs: report.duration_ms,
    });
    doc.result([c.bold('Timeline'), ...pictureLines(picture, c)].join('\n'));
  } else {
    doc.result(`timeline: ${timelineSummary(report.timeline, report.duration_ms)}`);
  }

  if (report.policies.length === 0) {
    doc.result(`${c.bold('Policies')}: none advertised`);
  } else {
    doc.result(c.bold('Policies'));
    doc.table(
      POLICY_HEAD,
      report.policies.map((p) => policyCells(p).map(safe)),
    );
  }

  if (report.mismatches.length === 0) {
    doc.result(`${c.bold('Header mismatches')}: none`);
  } else {
    doc.result(
      [
        c.bold(`Header mismatches (${report.mismatches.length})`),
        ...report.mismatches.map((m) => `  - ${c.yellow(terminalSafe(m.field, 20))}: ${safe(m.message)}`),
      ].join('\n'),
    );
  }

  doc.add(renderFindings(report.findings, view));

  if (report.evidence.length > 0) {
    doc.result([c.bold('Evidence'), ...report.evidence.map((e) => `  - ${safe(e)}`)].join('\n'));
  }
  // The exit code says it too, but a person reading a half table should be told why it is half.
  if (report.stopped === 'interrupted') doc.notice('interrupted: the result above is partial');
  return doc.blocks;
}

/** Label column ("  requests │") and a margin; the picture never gets fewer than 10 columns or more than 120. */
const LABEL = 13;
export function pictureColumns(terminalColumns: number): number {
  return Math.max(10, Math.min(120, terminalColumns - LABEL - 1));
}

const GLYPH: Record<CellKind, string> = {
  accepted: '█',
  queued: '▒',
  limited: '╳',
  failed: '!',
  idle: '·',
};
const LATENCY_GLYPHS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

type Paint = (s: string) => string;
const bare: Paint = (s) => s;

function paint(kind: CellKind, c: ChalkInstance | undefined): Paint {
  if (c === undefined) return bare;
  switch (kind) {
    case 'accepted':
      return c.green;
    case 'queued':
      return c.yellow;
    case 'limited':
      return c.red;
    case 'failed':
      return c.magenta;
    case 'idle':
      return c.dim;
  }
}

/**
 * The picture as lines: a stacked bar per time slice of the requests sent in it (the top line names the height
 * of the tallest), the slowest latency in it, a time axis and a legend. Coloured with `c` when given (Markdown
 * takes the bare characters).
 */
export function pictureLines(picture: TimelinePicture, c?: ChalkInstance): string[] {
  const cyan = c?.cyan ?? bare;
  const bars: string[] = [];
  for (let row = picture.rows - 1; row >= 0; row--) {
    const line = picture.cells
      .map((cell) => {
        const kind = cell.stack[row];
        if (kind !== undefined) return paint(kind, c)(GLYPH[kind]);
        // The bottom row marks the slices in which nothing was sent: the waits show.
        return row === 0 && cell.stack.length === 0 ? paint('idle', c)(GLYPH.idle) : ' ';
      })
      .join('');
    const label = row === 0 ? 'requests' : row === picture.rows - 1 ? String(picture.maxPerColumn) : '';
    bars.push(`  ${label.padStart(8)} │${line}`.trimEnd());
  }
  const low = picture.cells
    .map((cell) =>
      cell.latencyLevel === null
        ? ' '
        : cyan(LATENCY_GLYPHS[Math.min(LATENCY_GLYPHS.length - 1, cell.latencyLevel)]!),
    )
    .join('');
  const width = picture.cells.length;
  const start = '0 s';
  const end = formatDuration(picture.spanMs);
  const axis = width > start.length + end.length ? start + end.padStart(width - start.length) : end;
  const legend = (['accepted', 'queued', 'limited', 'failed', 'idle'] as const)
    .map((k) => `${paint(k, c)(GLYPH[k])} ${k === 'idle' ? 'nothing sent' : k}`)
    .join('  ');
  const latency =
    picture.latency === null
      ? 'no responses'
      : `${LATENCY_GLYPHS[0]} ${formatMillis(picture.latency.minMs)} … ${LATENCY_GLYPHS.at(-1)} ${formatMillis(picture.latency.maxMs)}`;
  const tallest = formatRequests(picture.maxPerColumn);
  return [
    ...bars,
    `   latency │${low}`.trimEnd(),
    `           └${axis}`,
    `  ${legend}`,
    `  one column = ${formatMillis(picture.bucketMs)}, the tallest bar = ${tallest}; latency: slowest in the column, ${latency}`,
  ];
}
