import { fieldLines } from '../../headers.js';
import type { AuditFinding, AuditRule, CheckSpec, RuleContext } from '../types.js';
import { findingOf, lineEvidence } from './header-common.js';
import { readMediaType } from '../../media-type.js';

/**
 * Error bodies as RFC 9457 problem details (`application/problem+json`): one machine-readable shape for every
 * error, so clients need no per-endpoint parsing, and a place (`type`, `detail`) for what went wrong that is not
 * a stack trace. Information, not a grade: an API may document another error format. A body that claims to be a
 * problem document but is not one is reported too (still info), since clients that trust the media type break.
 */

const kinds = ['api'] as const;
const REF = 'RFC 9457';

export const PROBLEM_CHECKS = {
  notProblem: {
    id: 'audit.problem.not-problem-json',
    category: 'content',
    severity: 'info',
    points: 0,
    kinds,
    title: 'An error response is not RFC 9457 problem details',
    advice:
      'Answer errors with `Content-Type: application/problem+json` and `{"type", "title", "status", "detail"}` ' +
      '(RFC 9457): one error shape for every endpoint, and no stack traces.',
    reference: `${REF} §3`,
  },
  invalid: {
    id: 'audit.problem.invalid',
    category: 'content',
    severity: 'info',
    points: 0,
    kinds,
    title: 'An application/problem+json body is not a valid problem document',
    advice:
      'Send a JSON object whose `type` and `instance` are URI references, `title` and `detail` strings, and ' +
      '`status` the response’s own status code.',
    reference: `${REF} §3.1`,
  },
} as const satisfies Record<string, CheckSpec>;

const PROBLEM_JSON = 'application/problem+json';
const PROBLEM_XML = 'application/problem+xml';

/** What is wrong with a problem document (empty: nothing), per RFC 9457 §3.1's member definitions. */
export function problemDocumentFaults(body: string, status: number, baseUrl: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return ['the body is not JSON'];
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return ['the body is not a JSON object'];
  const d = doc as Record<string, unknown>;
  const faults: string[] = [];
  for (const name of ['type', 'instance'] as const) {
    if (d[name] === undefined) continue;
    if (typeof d[name] !== 'string' || !isUriReference(d[name], baseUrl))
      faults.push(`"${name}" is not a URI reference`);
  }
  for (const name of ['title', 'detail'] as const) {
    if (d[name] !== undefined && typeof d[name] !== 'string') faults.push(`"${name}" is not a string`);
  }
  if (d.status !== undefined) {
    if (typeof d.status !== 'number' || !Number.isInteger(d.status))
      faults.push('"status" is not an integer');
    // §3.1.2: "generators MUST use the same status code in the actual HTTP response".
    else if (d.status !== status) faults.push(`"status" is ${d.status} but the response is ${status}`);
  }
  return faults;
}

function isUriReference(value: string, baseUrl: string): boolean {
  if (/[\s<>"{}|\\^`]/.test(value)) return false;
  return URL.canParse(value, URL.canParse(baseUrl) ? baseUrl : 'https://base.invalid/');
}

function run(ctx: RuleContext): AuditFinding[] {
  const r = ctx.facts.response;
  if (r.status < 400 || r.method.toUpperCase() === 'HEAD') return [];
  const C = PROBLEM_CHECKS;
  const lines = fieldLines(r.headers, 'content-type');
  const value = lines[0]?.trim();
  const media = value === undefined ? undefined : readMediaType(value);
  const essence = media && 'essence' in media ? media.essence : undefined;
  const ev =
    value === undefined
      ? [{ header: 'content-type', note: 'not present' }]
      : [lineEvidence('content-type', value)];
  if (essence === PROBLEM_XML) return []; // RFC 9457 Appendix B: the XML form is problem details too
  const opts = { header: 'content-type' };
  if (essence !== PROBLEM_JSON) {
    const as =
      essence !== undefined
        ? `as ${essence}`
        : value === undefined
          ? 'with no Content-Type'
          : 'with an unreadable Content-Type';
    return [
      findingOf(
        C.notProblem,
        `The ${r.status} error is answered ${as}, not application/problem+json`,
        ev,
        opts,
      ),
    ];
  }
  const body = r.body ?? '';
  // A sample cut at BODY_SAMPLE_BYTES cannot be parsed; a problem document that large is odd, not invalid.
  if (r.bodyBytes !== undefined && r.bodyBytes > new TextEncoder().encode(body).length) return [];
  if (body.trim() === '') {
    return [findingOf(C.invalid, `The ${r.status} problem+json response has an empty body`, ev, opts)];
  }
  const faults = problemDocumentFaults(body, r.status, r.url || ctx.facts.url);
  if (faults.length === 0) return [];
  return [
    findingOf(C.invalid, `The ${r.status} problem document is not valid: ${faults.join('; ')}`, ev, opts),
  ];
}

export const problemRule: AuditRule = {
  name: 'problem',
  checks: Object.values(PROBLEM_CHECKS),
  run,
};
