import { severityCountsText } from '../../lib/report/numbers.js';
import { fieldValue } from '../../lib/headers.js';
import {
  AUDIT_CATEGORIES,
  type AuditCategory,
  type AuditFinding,
  type AuditReport,
  type TlsFacts,
} from '../../lib/audit/types.js';
import { sortFindings } from '../../lib/findings.js';

/**
 * What the terminal view and the Markdown report of `apikit audit` both say, as plain text: the summary rows,
 * the findings grouped by category with their points, the Observatory-equivalent tests. Not sanitised: the view
 * passes everything through terminalSafe, the Markdown renderer through its escaping.
 */

export const CATEGORY_TITLES: Record<AuditCategory, string> = {
  transport: 'Transport',
  headers: 'Security headers',
  content: 'Content',
  cookies: 'Cookies',
  cors: 'CORS',
  disclosure: 'Information disclosure',
  versioning: 'Versioning',
};

/** The --json document when the audited request failed (exit 3): no grade, the failure, what else was learned. */
export interface AuditPartial {
  url: string;
  method: string;
  source: 'live';
  error: { code: string; message: string };
  tls: TlsFacts | null;
  requests: number;
  authenticated: boolean;
}

/** `-20`, `-5`, `0`: what a finding costs on the 100-point scale. */
export function pointsText(points: number): string {
  return points === 0 ? '0' : `${points > 0 ? '+' : ''}${points}`;
}

/** The findings by category, in AUDIT_CATEGORIES order, worst first within each; empty categories left out. */
export function findingsByCategory(
  findings: readonly AuditFinding[],
): { category: AuditCategory; title: string; findings: AuditFinding[] }[] {
  return AUDIT_CATEGORIES.map((category) => ({
    category,
    title: CATEGORY_TITLES[category],
    findings: sortFindings(findings.filter((f) => f.category === category)) as AuditFinding[],
  })).filter((g) => g.findings.length > 0);
}

function kindText(report: AuditReport): string {
  if (report.target !== 'auto') return `${report.kind} (--target ${report.target})`;
  const type = fieldValue(report.headers, 'content-type');
  return `${report.kind} (auto: Content-Type ${type === undefined ? 'absent' : type})`;
}

function tlsProtocolsText(tls: TlsFacts): string {
  const accepted = tls.protocols.filter((p) => p.accepted).map((p) => p.version);
  const refused = tls.protocols.filter((p) => !p.accepted).map((p) => p.version);
  const parts: string[] = [];
  if (accepted.length > 0) parts.push(`${accepted.join(', ')} accepted`);
  if (refused.length > 0) parts.push(`${refused.join(', ')} refused`);
  return parts.length === 0 ? 'not tried' : parts.join('; ');
}

function certificateText(tls: TlsFacts): string {
  const leaf = tls.chain[0];
  const trust = tls.authorized
    ? 'chain trusted'
    : `not trusted (${tls.authorizationError ?? 'unknown reason'})`;
  if (leaf === undefined) return `no certificate seen; ${trust}`;
  return `${leaf.subject}, valid to ${leaf.validTo.slice(0, 10)}; ${trust}`;
}

function transportRows(report: AuditReport): [string, string][] {
  const rows: [string, string][] = [];
  const url = new URL(report.url, 'file:///');
  if (url.protocol === 'http:') {
    rows.push([
      'transport',
      report.assumeHttps ? 'plain http, judged as https (--assume-https)' : 'plain http',
    ]);
  }
  if (report.tls !== null) {
    rows.push(['tls', tlsProtocolsText(report.tls)]);
    rows.push(['certificate', certificateText(report.tls)]);
  }
  if (report.redirect !== null) {
    const r = report.redirect;
    const answer =
      r.status === undefined
        ? `no answer (${r.error ?? 'failed'})`
        : `${r.status}${r.location === undefined ? '' : ` → ${r.location}`}`;
    rows.push(['http redirect', `GET ${r.url} → ${answer}`]);
  }
  return rows;
}

/** The summary of the report, as key/value rows. */
export function auditSummaryRows(report: AuditReport): [string, string][] {
  const rows: [string, string][] = [
    ['request', `${report.method} ${report.url} → ${report.status}`],
    ['kind', kindText(report)],
    ['grade', `${report.grade} (${report.score}/100)`],
    [
      'observatory',
      `${report.observatory.grade} (${report.observatory.score}/100), the Mozilla HTTP Observatory-equivalent ` +
        `score over ${report.observatory.tests.length} tests`,
    ],
    ['findings', severityCountsText(report.findings)],
    ...transportRows(report),
  ];
  if (report.cors !== null) {
    const c = report.cors;
    const answer =
      c.preflightStatus === null ? `no answer (${c.error ?? 'not sent'})` : String(c.preflightStatus);
    rows.push(['cors preflight', `OPTIONS from ${c.origin} → ${answer}`]);
  }
  rows.push(['authenticated', report.authenticated ? 'yes (a credential was sent)' : 'no']);
  rows.push([
    'source',
    report.source === 'offline'
      ? 'a saved response (--headers): nothing sent'
      : `live: ${report.requests} request${report.requests === 1 ? '' : 's'}` +
        (report.tls === null ? '' : `, ${report.tls.protocols.length} TLS handshakes`),
  ]);
  return rows;
}

/** The summary when the audited request failed: the failure, and the TLS facts (they often say why). */
export function partialSummaryRows(partial: AuditPartial): [string, string][] {
  const rows: [string, string][] = [
    ['request', `${partial.method} ${partial.url} → no answer`],
    ['failure', partial.error.message],
    ['grade', 'none: the request failed, so there is nothing to grade'],
  ];
  if (partial.tls !== null) {
    rows.push(['tls', tlsProtocolsText(partial.tls)]);
    rows.push(['certificate', certificateText(partial.tls)]);
  }
  rows.push(['authenticated', partial.authenticated ? 'yes (a credential was sent)' : 'no']);
  rows.push(['source', `live: ${partial.requests} request${partial.requests === 1 ? '' : 's'}`]);
  return rows;
}

export const OBSERVATORY_HEAD = ['observatory test', 'result', 'modifier'];

export function observatoryRows(report: AuditReport): string[][] {
  return report.observatory.tests.map((t) => [t.name, t.result, pointsText(t.modifier)]);
}

/** `subresource-integrity (needs the page's scripts)`, the tests the equivalent score leaves out; null when none. */
export function leftOutText(report: AuditReport): string | null {
  const left = report.observatory.leftOut ?? [];
  return left.length === 0 ? null : left.map((t) => `${t.name} (${t.reason})`).join('; ');
}

export const FINDINGS_HEAD = ['severity', 'points', 'id', 'finding', 'advice'];
