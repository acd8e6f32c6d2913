import type { ChalkInstance } from 'chalk';
import type { Rendered, View } from '../../io/render.js';
import type { AuditReport } from '../../lib/audit/types.js';
import { compareGrade, type Grade } from '../../lib/findings.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import { renderFindings } from '../shared/findings-view.js';
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
 * `apikit audit` for people: the summary (the request, the kind, apikit's grade and score beside the
 * Observatory-equivalent one, the transport), the findings grouped by category through the shared findings view
 * — each with what it costs — and the Observatory-equivalent tests. On a terminal the grades and severities are
 * coloured and the tables boxed; piped, the same words without colour and the tables tab-separated. Everything
 * the server chose goes through terminalSafe.
 */

/** The longest a summary cell gets (the whole value is in --json). */
const CELL_CHARS = 200;

export function renderAuditTable(report: AuditReport, view: View): Rendered {
  const doc = view.doc();
  const c = view.color.out;
  const rows = auditSummaryRows(report).map(([k, v]) => [k, terminalSafe(v, CELL_CHARS)]);
  for (const row of rows) {
    if (row[0] === 'grade') row[1] = gradeColour(report.grade, c)(row[1]!);
    if (row[0] === 'observatory') row[1] = gradeColour(report.observatory.grade, c)(row[1]!);
  }
  // The request row is the table's head: `audit | GET https://… → 200`.
  doc.table(['audit', rows[0]![1]!], rows.slice(1));

  const groups = findingsByCategory(report.findings);
  if (groups.length === 0) doc.add(renderFindings([], view));
  for (const group of groups) {
    // The points go in front of the message, so the shared view's layout (severity, id, message) stays as it is.
    const findings = group.findings.map((f) => ({
      ...f,
      message: `${pointsText(f.points).padStart(4)}  ${f.message}`,
    }));
    doc.add(renderFindings(findings, view, { title: group.title }));
  }

  if (report.observatory.tests.length > 0) {
    doc.result(c.bold('Mozilla HTTP Observatory-equivalent'));
    doc.table(
      OBSERVATORY_HEAD,
      observatoryRows(report).map((r) => r.map((cell) => terminalSafe(cell, CELL_CHARS))),
    );
    const left = leftOutText(report);
    if (left !== null) doc.result(`${c.dim('left out:')} ${terminalSafe(left, CELL_CHARS * 2)}`);
  }
  return doc.blocks;
}

/** The audited request failed: its failure and what else was learned, no grade (the exit code is 3). */
export function renderPartialTable(partial: AuditPartial, view: View): Rendered {
  const doc = view.doc();
  const rows = partialSummaryRows(partial).map(([k, v]) => [k, terminalSafe(v, CELL_CHARS)]);
  doc.table(['audit', rows[0]![1]!], rows.slice(1));
  return doc.blocks;
}

/** A and A+ green, B and C yellow, D and F red. */
function gradeColour(grade: Grade, c: ChalkInstance): (s: string) => string {
  if (compareGrade(grade, 'A-') >= 0) return c.green;
  if (compareGrade(grade, 'C-') >= 0) return c.yellow;
  return c.red;
}
