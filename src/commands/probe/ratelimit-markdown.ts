import { layoutTimeline, timelineSummary } from '../../lib/ratelimit/picture.js';
import type { RateLimitReport } from '../../lib/ratelimit/types.js';
import { renderMarkdown, type MarkdownBlock } from '../../lib/report/markdown.js';
import { pictureLines } from './ratelimit-view.js';
import { POLICY_HEAD, policyCells, summaryRows } from './ratelimit-summary.js';

/** The picture in a fenced block: the same characters as on a terminal, without colour, 80 columns wide. */
const PICTURE_COLUMNS = 80;

/**
 * `--format markdown`: a report for a CI job summary (`>> "$GITHUB_STEP_SUMMARY"`), built from the blocks of the
 * shared Markdown renderer (src/lib/report/markdown.ts), which escapes every value the server chose.
 */
export function ratelimitMarkdown(report: RateLimitReport): string {
  const picture = layoutTimeline(report.timeline, {
    columns: PICTURE_COLUMNS,
    durationMs: report.duration_ms,
  });
  const blocks: MarkdownBlock[] = [
    { kind: 'heading', level: 2, text: `Rate limit: ${report.method} ${report.url}` },
    { kind: 'key-value', rows: summaryRows(report) },
    { kind: 'heading', level: 3, text: 'Timeline' },
    { kind: 'paragraph', text: timelineSummary(report.timeline, report.duration_ms) },
    ...(report.timeline.length === 0
      ? []
      : [{ kind: 'code', lang: 'text', text: pictureLines(picture).join('\n') } as const]),
    { kind: 'heading', level: 3, text: 'Policies' },
    report.policies.length === 0
      ? { kind: 'paragraph', text: 'None advertised.' }
      : { kind: 'table', head: POLICY_HEAD, rows: report.policies.map(policyCells) },
    { kind: 'heading', level: 3, text: 'Header mismatches' },
    report.mismatches.length === 0
      ? { kind: 'paragraph', text: 'None.' }
      : { kind: 'list', items: report.mismatches.map((m) => `${m.field}: ${m.message}`) },
    { kind: 'heading', level: 3, text: 'Findings' },
    { kind: 'findings', findings: report.findings },
  ];
  if (report.evidence.length > 0) {
    blocks.push({ kind: 'heading', level: 3, text: 'Evidence' }, { kind: 'list', items: report.evidence });
  }
  return renderMarkdown(blocks);
}
