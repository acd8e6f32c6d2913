import type { AuditReport } from '../../lib/audit/types.js';
import { evidenceText } from '../../lib/report/evidence.js';
import { renderMarkdown, type MarkdownBlock } from '../../lib/report/markdown.js';
import {
  auditSummaryRows,
  partialSummaryRows,
  type AuditPartial,
  findingsByCategory,
  leftOutText,
  OBSERVATORY_HEAD,
  observatoryRows,
  pointsText,
} from './summary.js';

/**
 * `--format markdown`: the audit for a PR comment or a CI job summary (`>> "$GITHUB_STEP_SUMMARY"`), from the blocks
 * of the shared Markdown renderer (src/lib/report/markdown.ts), which escapes every value the server chose. One
 * table per category so each finding's points sit beside it.
 */
export function auditMarkdownBlocks(report: AuditReport, level: 2 | 3 = 2): MarkdownBlock[] {
  const sub = (level + 1) as 3 | 4;
  const groups = findingsByCategory(report.findings);
  const blocks: MarkdownBlock[] = [
    { kind: 'heading', level, text: `Audit: ${report.method} ${report.url} — grade ${report.grade}` },
    { kind: 'key-value', rows: auditSummaryRows(report) },
  ];
  if (groups.length === 0) {
    blocks.push(
      { kind: 'heading', level: sub, text: 'Findings' },
      { kind: 'paragraph', text: 'No findings.' },
    );
  }
  for (const group of groups) {
    blocks.push(
      { kind: 'heading', level: sub, text: `${group.title} (${group.findings.length})` },
      {
        kind: 'table',
        head: ['severity', 'points', 'id', 'finding', 'evidence'],
        rows: group.findings.map((f) => [
          f.severity,
          pointsText(f.points),
          f.id,
          f.advice === undefined ? f.message : `${f.message} (${f.advice})`,
          f.evidence.map(evidenceText).join('\n'),
        ]),
      },
    );
  }
  if (report.observatory.tests.length > 0) {
    blocks.push(
      { kind: 'heading', level: sub, text: 'Mozilla HTTP Observatory-equivalent' },
      { kind: 'table', head: OBSERVATORY_HEAD, rows: observatoryRows(report) },
    );
    const left = leftOutText(report);
    if (left !== null) blocks.push({ kind: 'paragraph', text: `Left out: ${left}.` });
  }
  return blocks;
}

export function auditMarkdown(report: AuditReport): string {
  return renderMarkdown(auditMarkdownBlocks(report));
}

/** The audited request failed: a heading and the summary, no grade. */
export function partialMarkdown(partial: AuditPartial): string {
  return renderMarkdown([
    { kind: 'heading', level: 2, text: `Audit: ${partial.method} ${partial.url} — failed` },
    { kind: 'key-value', rows: partialSummaryRows(partial) },
  ]);
}
