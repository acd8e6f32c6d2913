import { describe, expect, it } from 'vitest';
import { renderAudit, type AuditResult } from '../../../src/commands/audit/audit.js';
import { auditMarkdown } from '../../../src/commands/audit/markdown.js';
import type { AuditFormat } from '../../../src/commands/shared/probe-flags.js';
import { ALL_CHECKS } from '../../../src/lib/audit/index.js';
import { auditSarif, sarifLevel } from '../../../src/commands/audit/sarif.js';
import { renderAuditTable } from '../../../src/commands/audit/view.js';
import { hasAnsi, stderrOf, stdoutOf, viewFor } from '../../helpers/view.js';
import { stripSgr } from '../probe/render-checks.js';
import { AUDITED_URL, busyReport, CHECKS, cleanReport, hostileReport } from './report-fixtures.js';
import { sarifErrors } from './sarif-schema.js';

/**
 * The audit's renderers, called directly on hand-made reports: the table for people with the TTY as a column, the
 * Markdown report (a snapshot), the SARIF log (validated against the official 2.1.0 schema).
 */
const REPORTS = [
  { name: 'clean', report: cleanReport() },
  { name: 'busy', report: busyReport() },
  { name: 'hostile', report: hostileReport() },
];

describe('renderAuditTable', () => {
  it.each(REPORTS.flatMap((r) => [true, false].map((tty) => ({ ...r, tty }))))(
    '$name tty=$tty',
    ({ report, tty }) => {
      const rendered = renderAuditTable(report, viewFor({ tty }));
      const out = stdoutOf(rendered);
      const plain = stripSgr(out);
      expect(hasAnsi(out)).toBe(tty);
      expect(stderrOf(rendered)).toBe('');
      expect(plain).toContain(`grade\t${report.grade} (${report.score}/100)`);
      expect(plain).toMatch(
        new RegExp(
          `observatory\t${report.observatory.grade.replace('+', '\\+')} \\(${report.observatory.score}/100\\)`,
        ),
      );
      if (report.findings.length === 0) expect(plain).toContain('Findings: no findings');
      for (const f of report.findings) expect(plain).toContain(f.id);
      // Nothing the server chose reaches the terminal raw (the renderer's own colour codes stripped first).
      // eslint-disable-next-line no-control-regex -- looks for control characters on purpose
      expect(out.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u202e]/);
      if (!tty) expect(out).not.toMatch(/[┌│└]/);
    },
  );

  it('groups findings by category, each with its points, worst first within a group', () => {
    const plain = stripSgr(stdoutOf(renderAuditTable(busyReport(), viewFor({ tty: false }))));
    const order = [
      'Transport (1)',
      'Security headers (1)',
      'Content (1)',
      'Cookies (1)',
      'Information disclosure (1)',
    ];
    const at = order.map((h) => plain.indexOf(h));
    expect(
      at.every((i) => i >= 0),
      plain,
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(plain).toMatch(/^ {2}high {6}audit\.hsts\.missing\s+-20 {2}No Strict-Transport-Security header$/m);
    expect(plain).toMatch(/^ {2}info {6}audit\.problem\.not-problem-json\s+0 {2}Error body/m);
    expect(plain).toContain('evidence: x-powered-by: "Express"');
    expect(plain).toContain('tls\tTLSv1, TLSv1.2, TLSv1.3 accepted; TLSv1.1 refused');
    expect(plain).toContain('certificate\tCN=api.example.test, valid to 2027-01-01; chain trusted');
    expect(plain).toContain('http redirect\tGET http://api.example.test/v1/me → 200');
    expect(plain).toContain('cors preflight\tOPTIONS from https://apikit-audit.invalid → 204');
    expect(plain).toContain('source\tlive: 3 requests, 4 TLS handshakes');
    expect(plain).toContain('strict-transport-security\thsts-not-implemented\t-20');
  });

  it('colours the grade on a terminal: red for D and F, yellow for B and C, green for A', () => {
    const red = '\u001b[31m';
    const yellow = '\u001b[33m';
    const green = '\u001b[32m';
    const out = (grade: 'F' | 'C' | 'A+') =>
      stdoutOf(renderAuditTable({ ...cleanReport(), grade }, viewFor({ tty: true })));
    expect(out('F')).toContain(`${red}F (100/100)`);
    expect(out('C')).toContain(`${yellow}C (100/100)`);
    expect(out('A+')).toContain(`${green}A+ (100/100)`);
  });
});

describe('auditMarkdown', () => {
  it('matches the snapshot (busy report)', async () => {
    await expect(auditMarkdown(busyReport())).toMatchFileSnapshot('./__snapshots__/busy.md');
  });

  it('matches the snapshot (clean report)', async () => {
    await expect(auditMarkdown(cleanReport())).toMatchFileSnapshot('./__snapshots__/clean.md');
  });

  it('escapes what the server chose: no raw markup, escapes or table breaks', () => {
    const md = auditMarkdown(hostileReport());
    expect(md).not.toMatch(/(?<!\\)<img/);
    // eslint-disable-next-line no-control-regex -- looks for an escape on purpose
    expect(md).not.toMatch(/[\u001b\u202e]/);
    for (const line of md.split('\n').filter((l) => l.startsWith('|'))) {
      // Every table row has as many unescaped bars as its header.
      expect(line.replace(/\\\|/g, '').split('|').length).toBeGreaterThanOrEqual(3);
    }
  });
});

describe('auditSarif', () => {
  it.each(REPORTS)('$name: a valid SARIF 2.1.0 log', ({ report }) => {
    const log = auditSarif(report, CHECKS, '0.1.0');
    expect(sarifErrors(log)).toEqual([]);
  });

  it('names the tool, lists every check as a rule, points each result at its rule and the URL', () => {
    const report = busyReport();
    const log = auditSarif(report, CHECKS, '9.8.7') as {
      runs: {
        tool: { driver: { name: string; version: string; informationUri: string; rules: { id: string }[] } };
        results: {
          ruleId: string;
          ruleIndex: number;
          level: string;
          message: { text: string };
          locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
          properties: { points: number };
        }[];
        properties: { score: number; grade: string };
      }[];
    };
    const run = log.runs[0]!;
    expect(run.tool.driver).toMatchObject({ name: 'apikit', version: '9.8.7' });
    expect(run.tool.driver.informationUri).toMatch(/^https:\/\//);
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(CHECKS.map((c) => c.id));
    expect(run.results).toHaveLength(report.findings.length);
    for (const [i, r] of run.results.entries()) {
      const f = report.findings[i]!;
      expect(r.ruleId).toBe(f.id);
      expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(f.id);
      expect(r.level).toBe(sarifLevel(f.severity));
      expect(r.properties.points).toBe(f.points);
      expect(r.locations[0]!.physicalLocation.artifactLocation.uri).toBe(AUDITED_URL);
      expect(r.message.text).toContain(f.message);
    }
    expect(run.properties).toMatchObject({ score: 45, grade: 'C-' });
  });

  it('maps severities to SARIF levels', () => {
    expect(['critical', 'high', 'medium', 'low', 'info'].map((s) => sarifLevel(s as 'high'))).toEqual([
      'error',
      'error',
      'warning',
      'note',
      'note',
    ]);
  });

  it('the schema is really checked: a broken log is refused', () => {
    const log = auditSarif(busyReport(), CHECKS, '0.1.0') as { runs: { results: { level: string }[] }[] };
    log.runs[0]!.results[0]!.level = 'fatal';
    expect(sarifErrors(log).join('\n')).toMatch(/level/);
    expect(sarifErrors({ version: '2.1.0' })).not.toEqual([]);
  });
});

describe('renderAudit (the format switch)', () => {
  const result = (format: AuditFormat, report = busyReport()): AuditResult => ({
    report,
    partial: null,
    format,
    outcome: 'ok',
    version: '0.1.0',
    error: null,
  });
  const failed = (format: AuditFormat): AuditResult => ({
    report: null,
    partial: {
      url: AUDITED_URL,
      method: 'GET',
      source: 'live',
      error: { code: 'ERR_HTTP_TLS', message: 'GET api.example.test: CERT_HAS_EXPIRED' },
      tls: busyReport().tls,
      requests: 1,
      authenticated: false,
    },
    format,
    outcome: 'ok',
    version: '0.1.0',
    error: { code: 'ERR_HTTP_TLS', message: 'GET api.example.test: CERT_HAS_EXPIRED' },
  });

  it.each([true, false])('json is the report exactly, without outcome (tty=%s)', (tty) => {
    const r = result('json');
    const out = stdoutOf(renderAudit(r, viewFor({ tty })));
    expect(JSON.parse(out)).toEqual(r.report);
    expect(hasAnsi(out)).toBe(false);
  });

  it('--json wins over the format field', () => {
    expect(JSON.parse(stdoutOf(renderAudit(result('table'), viewFor({ tty: false, json: true }))))).toEqual(
      busyReport(),
    );
  });

  it('sarif uses every check of the code as a rule and validates', () => {
    const log = JSON.parse(stdoutOf(renderAudit(result('sarif'), viewFor({ tty: false })))) as {
      runs: { tool: { driver: { rules: { id: string }[] } } }[];
    };
    expect(sarifErrors(log)).toEqual([]);
    expect(log.runs[0]!.tool.driver.rules.map((r) => r.id)).toEqual(ALL_CHECKS.map((c) => c.id));
  });

  it.each(['table', 'markdown', 'json', 'sarif'] as const)(
    'a failed request (%s): the failure and the TLS facts',
    (format) => {
      const out = stdoutOf(renderAudit(failed(format), viewFor({ tty: false })));
      if (format === 'json') {
        expect(JSON.parse(out)).toEqual(failed('json').partial);
      } else if (format === 'sarif') {
        const log = JSON.parse(out) as { runs: { invocations: { executionSuccessful: boolean }[] }[] };
        expect(sarifErrors(log)).toEqual([]);
        expect(log.runs[0]!.invocations[0]!.executionSuccessful).toBe(false);
      } else {
        expect(out.replace(/\\_/g, '_')).toContain('CERT_HAS_EXPIRED');
        expect(out).toContain('TLSv1, TLSv1.2, TLSv1.3 accepted');
        expect(out).toMatch(/nothing to grade/);
      }
    },
  );
});
