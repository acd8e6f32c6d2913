import type { CorsReport } from '../../lib/cors/types.js';
import { renderMarkdown, type MarkdownBlock } from '../../lib/report/markdown.js';
import { CANDIDATE_HEAD, candidateCells, corsSummaryRows, notTestedText } from './cors-summary.js';

/**
 * `--format markdown`: a report for a CI job summary (`>> "$GITHUB_STEP_SUMMARY"`), from the blocks of the shared
 * Markdown renderer (src/lib/report/markdown.ts), which escapes every value the server chose.
 */
export function corsMarkdownBlocks(report: CorsReport, level: 2 | 3 = 2): MarkdownBlock[] {
  const sub = (level + 1) as 3 | 4;
  const rest = notTestedText(report);
  return [
    { kind: 'heading', level, text: `CORS: ${report.method} ${report.url}` },
    { kind: 'key-value', rows: corsSummaryRows(report) },
    { kind: 'heading', level: sub, text: 'Candidates' },
    report.candidates.length === 0
      ? { kind: 'paragraph', text: 'None tested.' }
      : { kind: 'table', head: CANDIDATE_HEAD, rows: report.candidates.map(candidateCells) },
    ...(rest === null
      ? []
      : [{ kind: 'paragraph', text: `Not tested (${report.not_tested?.length ?? 0}): ${rest}` } as const]),
    { kind: 'heading', level: sub, text: 'Findings' },
    { kind: 'findings', findings: report.findings },
  ];
}

export function corsMarkdown(report: CorsReport): string {
  return renderMarkdown(corsMarkdownBlocks(report));
}
