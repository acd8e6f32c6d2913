import { ALL_CHECKS, GRADE_BANDS } from '../../../src/lib/audit/index.js';
import type { CheckSpec } from '../../../src/lib/audit/types.js';

/**
 * The README's `apikit audit` tables made from the code: the checks (ALL_CHECKS) and the grade bands
 * (GRADE_BANDS). readme.test.ts compares them with README.md; after changing a check, print these with
 * `npx vitest run test/commands/audit/readme.test.ts -t print` and paste them between the markers.
 */
export const CHECKS_BEGIN =
  '<!-- audit-checks:begin (generated from ALL_CHECKS; test/commands/audit/readme.test.ts) -->';
export const CHECKS_END = '<!-- audit-checks:end -->';
export const BANDS_BEGIN = '<!-- audit-grades:begin (generated from GRADE_BANDS) -->';
export const BANDS_END = '<!-- audit-grades:end -->';

/** Markdown-safe text for a cell: the characters that would make markup or end the cell are escaped. */
function md(text: string): string {
  return text.replace(/[\\|*_`<>[\]]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : `\\${c}`));
}

const kinds = (c: CheckSpec): string => (c.kinds.length === 2 ? 'both' : c.kinds.join(''));

export function checksTable(checks: readonly CheckSpec[] = ALL_CHECKS): string {
  const rows = checks.map(
    (c) => `| \`${c.id}\` | ${c.category} | ${c.severity} | ${c.points} | ${kinds(c)} | ${md(c.title)} |`,
  );
  return [
    '| id | category | severity | points | kind | what it reports |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

export function bandsTable(): string {
  const rows = GRADE_BANDS.map((b, i) => {
    const above = GRADE_BANDS[i - 1];
    const range = above === undefined ? `${b.min}` : `${b.min}–${above.min - 1}`;
    return `| ${b.grade} | ${range} |`;
  });
  return ['| grade | score |', '| --- | --- |', ...rows].join('\n');
}

/** The text between two markers of the README (trimmed); undefined when a marker is missing. */
export function between(text: string, begin: string, end: string): string | undefined {
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a < 0 || b < a) return undefined;
  return text.slice(a + begin.length, b).trim();
}
