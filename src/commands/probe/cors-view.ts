import type { ChalkInstance } from 'chalk';
import type { Rendered, View } from '../../io/render.js';
import type { CandidateResult, CorsReport } from '../../lib/cors/types.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import { renderFindings } from '../shared/findings-view.js';
import {
  CANDIDATE_HEAD,
  candidateCells,
  corsSummaryRows,
  isAttacker,
  isReadable,
  notTestedText,
} from './cors-summary.js';

/**
 * `apikit probe cors` for people: the summary (the trusted origins, the reconstructed rule in words, the
 * preflight, the counts), a table of every candidate origin × (class, preflight, actual, credentials, what a page
 * there could read), the candidates not tested, and the findings through the shared findings view. On a terminal
 * the verdict column is coloured (red: someone else's page reads it; green: a trusted origin does); piped, the
 * same words without colour and the tables tab-separated. Every value the server chose goes through terminalSafe,
 * a table cell also cut short so a megabyte of ACAO cannot blow the table up.
 */

/** The longest a cell of the candidate table gets (a whole value is in --json). */
const CELL_CHARS = 120;

export function renderCorsTable(report: CorsReport, view: View, title = 'probe'): Rendered {
  const doc = view.doc();
  const c = view.color.out;
  const safe = (text: string): string => terminalSafe(text);
  doc.table(
    [title, safe(`CORS of ${report.method} ${report.url}`)],
    corsSummaryRows(report).map(([k, v]) => [k, safe(v)]),
  );

  if (report.candidates.length === 0) {
    doc.result(`${c.bold('Candidates')}: none tested`);
  } else {
    doc.result(c.bold(`Candidates (${report.candidates.length})`));
    doc.table(
      CANDIDATE_HEAD,
      report.candidates.map((cand) => {
        const cells = candidateCells(cand).map((cell) => terminalSafe(cell, CELL_CHARS));
        cells[cells.length - 1] = verdictColour(cand, c)(cells.at(-1)!);
        return cells;
      }),
    );
  }
  const rest = notTestedText(report);
  if (rest !== null) {
    doc.result(`${c.bold(`Not tested (${report.not_tested?.length ?? 0})`)}: ${safe(rest)}`);
  }

  doc.add(renderFindings(report.findings, view));
  // The exit code says it too, but a person reading a half table should be told why it is half.
  if (report.stopped === 'interrupted') doc.notice('interrupted: the result above is partial');
  return doc.blocks;
}

function verdictColour(cand: CandidateResult, c: ChalkInstance): (s: string) => string {
  if (!isReadable(cand.readable)) return c.dim;
  if (cand.attacker === 'none') return c.green;
  if (!isAttacker(cand)) return c.yellow;
  const credentialed =
    cand.readable.credentialed || cand.readable.preflighted || cand.readable.state_changing_sent;
  return credentialed ? c.red : c.yellow;
}
