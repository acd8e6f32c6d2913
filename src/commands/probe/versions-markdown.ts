import { renderMarkdown, type MarkdownBlock } from '../../lib/report/markdown.js';
import { timelineRows } from '../../lib/versions/timeline.js';
import type { VersionsReport } from '../../lib/versions/types.js';
import { VERSION_HEAD, versionCells, versionsSummaryRows } from './versions-summary.js';

/**
 * `--format markdown`: a report for a CI job summary, from the blocks of the shared Markdown renderer
 * (src/lib/report/markdown.ts), which escapes every value the server chose. The timeline is its plain rows.
 */
export function versionsMarkdownBlocks(report: VersionsReport, level: 2 | 3 = 2): MarkdownBlock[] {
  const sub = (level + 1) as 3 | 4;
  const rows = timelineRows(report.versions, Date.parse(report.now));
  const dated = report.versions.some((v) => v.deprecation !== null || v.sunset !== null);
  return [
    { kind: 'heading', level, text: `API versions: ${report.method} ${report.url}` },
    { kind: 'key-value', rows: versionsSummaryRows(report) },
    { kind: 'heading', level: sub, text: 'Versions' },
    report.versions.length === 0
      ? { kind: 'paragraph', text: 'None tried.' }
      : { kind: 'table', head: VERSION_HEAD, rows: report.versions.map((v) => versionCells(v, report.url)) },
    ...(dated
      ? [{ kind: 'heading', level: sub, text: 'Timeline' } as const, { kind: 'list', items: rows } as const]
      : []),
    { kind: 'heading', level: sub, text: 'Findings' },
    { kind: 'findings', findings: report.findings },
  ];
}

export function versionsMarkdown(report: VersionsReport): string {
  return renderMarkdown(versionsMarkdownBlocks(report));
}
