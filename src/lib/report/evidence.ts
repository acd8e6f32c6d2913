import type { FindingEvidence } from '../findings.js';

/**
 * One finding's piece of evidence as one line of plain text, the same in every report (terminal, Markdown):
 * `GET https://api.example/ → 429; retry-after: "soon"; a note`. A header value is quoted as JSON, so spaces,
 * an empty value and control characters are visible (`"\u001b[2J"`). Not sanitised: the terminal view passes it
 * through terminalSafe, the Markdown report through its escaping.
 */
export function evidenceText(e: FindingEvidence): string {
  const parts: string[] = [];
  if (e.request !== undefined) parts.push(e.status === undefined ? e.request : `${e.request} → ${e.status}`);
  else if (e.status !== undefined) parts.push(`status ${e.status}`);
  if (e.header !== undefined) {
    parts.push(e.value === undefined ? `${e.header} (absent)` : `${e.header}: ${JSON.stringify(e.value)}`);
  } else if (e.value !== undefined) {
    parts.push(`value ${JSON.stringify(e.value)}`);
  }
  if (e.note !== undefined) parts.push(e.note);
  return parts.join('; ');
}
