import { describe, expect, it } from 'vitest';
import { renderProbeCors } from '../../../src/commands/probe/cors.js';
import type { CorsReport } from '../../../src/lib/cors/types.js';
import { hasAnsi, inEveryMode, stderrOf, stdoutOf, viewFor } from '../../helpers/view.js';
import {
  allowListReport,
  buildReport,
  wildcardCredentials,
  hostileReport,
  PROBED_URL,
  reflectingReport,
  TRUSTED,
} from './cors-report-fixtures.js';
import {
  controls,
  expectHostileValuesAsJson,
  expectMarkdownStructure,
  expectPlainMarkdown,
  expectTheReportAsJson,
  resultOf as result,
  stripSgr,
} from './render-checks.js';

const REPORTS = [
  { name: 'reflecting', report: reflectingReport() },
  { name: 'allow-list', report: allowListReport() },
  { name: 'hostile', report: hostileReport() },
  { name: 'budget', report: allowListReport({ testOnly: 10, stopped: 'budget' }) },
  { name: 'interrupted', report: reflectingReport({ testOnly: 3, stopped: 'interrupted' }) },
  {
    name: 'error',
    report: reflectingReport({
      testOnly: 5,
      stopped: 'error',
      error: { code: 'ERR_HTTP_TRANSPORT', message: 'GET 127.0.0.1:4000: timed out after 300 ms' },
    }),
  },
];

describe('renderProbeCors', () => {
  it.each(inEveryMode(REPORTS))('$name tty=$tty json=$json', ({ report, tty, json }) => {
    const rendered = renderProbeCors(result(report, json ? 'json' : 'table'), viewFor({ tty, json }));
    const out = stdoutOf(rendered);
    const err = stderrOf(rendered);
    if (json) {
      expectTheReportAsJson(rendered, report);
      return;
    }
    const plain = stripSgr(out);
    expect(hasAnsi(out)).toBe(tty);
    expect(plain).toContain(`CORS of GET ${PROBED_URL}`);
    expect(plain).toMatch(/rule\s/);
    expect(plain).toContain(`Candidates (${report.candidates.length})`);
    // Every tested candidate has its row, and the verdict column says what its page could do.
    for (const c of report.candidates) expect(plain).toContain(c.class);
    expect(plain).toMatch(report.findings.length === 0 ? /Findings: no findings/ : /Findings \(\d+\)/);
    if ((report.not_tested ?? []).length > 0)
      expect(plain).toContain(`Not tested (${report.not_tested!.length})`);
    else expect(plain).not.toContain('Not tested');
    expect(err).toBe(report.stopped === 'interrupted' ? 'interrupted: the result above is partial\n' : '');
  });

  it('piped: the summary and the candidates tab-separated, in words', () => {
    const out = stdoutOf(renderProbeCors(result(reflectingReport(), 'table'), viewFor({ tty: false })));
    expect(out).toContain(`probe\tCORS of GET ${PROBED_URL}\n`);
    expect(out).toContain(`trusted\t${TRUSTED}\n`);
    expect(out).toMatch(/^rule\treflects any Origin it is sent.* \(reflect-any\)\n/m);
    expect(out).toContain(
      'preflight\thandled (204); Max-Age 600 s; methods GET, POST, DELETE; headers authorization, content-type, x-api-key\n',
    );
    expect(out).toMatch(/^findings\t\d+ high/m);
    expect(out).toContain('requests\t96 of at most 96, in 0.42 s of 60 s\n');
    expect(out).toContain('stopped\tevery candidate was tested\n');
    expect(out).toContain('origin\tclass\tpreflight\tactual\tcredentials\treadable by its page\n');
    expect(out).toContain(
      'https://evil.example\tarbitrary\t204 echoed; DELETE 204 echoed\t200 echoed\tallowed\twith credentials, preflighted, DELETE sent\n',
    );
    expect(out).toMatch(/^ {2}high {6}cors\.origin-reflected +reflects any Origin/m);
  });

  it('an allow-list: the look-alikes are refused, the trusted origin reads with credentials', () => {
    const out = stdoutOf(renderProbeCors(result(allowListReport(), 'table'), viewFor({ tty: false })));
    expect(out).toContain(
      `${TRUSTED}\ttrusted\t204 echoed; DELETE 204 echoed\t200 echoed\tallowed\twith credentials, preflighted, DELETE sent\n`,
    );
    expect(out).toContain(
      'https://evil.example\tarbitrary\t204 no ACAO; DELETE 204 no ACAO\t200 no ACAO\t-\tno\n',
    );
    expect(out).toContain('candidates\t32 of 32 tested; 0 untrusted readable\n');
    expect(out).toMatch(/^rule\t.*\(exact\)$/m);
  });

  it('on a terminal the verdict is coloured: red for an attacker origin, green for the trusted one', () => {
    const out = stdoutOf(renderProbeCors(result(reflectingReport(), 'table'), viewFor({ tty: true })));
    // The table as the output layer gets it (it draws the box): a row per candidate, the verdict last.
    const rows = out.split('\n');
    const rowOf = (origin: string): string => rows.find((l) => l.startsWith(`${origin}\t`))!;
    expect(rowOf('https://evil.example')).toContain('\u001b[31mwith credentials');
    expect(rowOf(TRUSTED)).toContain('\u001b[32mwith credentials');
    expect(out).toContain('\u001b[31mhigh');
  });

  it('the credentials column: refused for `*`, anything but exactly `true` quoted', () => {
    const out = stdoutOf(
      renderProbeCors(result(buildReport(wildcardCredentials), 'table'), viewFor({ tty: false })),
    );
    expect(out).toMatch(
      /^https:\/\/evil\.example\tarbitrary\t[^\t]+\t200 ACAO \*\trefused: ACAO \*\twithout credentials\n/m,
    );
    expect(out).toMatch(
      new RegExp(
        `^${TRUSTED.replace(/\./g, '\\.')}\ttrusted\t[^\t]+\t200 echoed\tACAC "TRUE"\twithout credentials\n`,
        'm',
      ),
    );
  });

  it('a preflight answered 404: the summary says so', () => {
    const report = buildReport((origin, kind) => (kind === 'preflight' ? { status: 404 } : { acao: origin }));
    const out = stdoutOf(renderProbeCors(result(report, 'table'), viewFor({ tty: false })));
    expect(out).toContain('preflight\tnot handled: OPTIONS answered 404\n');
    expect(out).toContain(
      'https://evil.example\tarbitrary\t404 no ACAO; DELETE 404 no ACAO\t200 echoed\t-\twithout credentials\n',
    );
  });

  it('not tested: the classes left over are named, and the summary says why it stopped', () => {
    const out = stdoutOf(
      renderProbeCors(
        result(allowListReport({ testOnly: 10, stopped: 'budget' }), 'table'),
        viewFor({ tty: false }),
      ),
    );
    expect(out).toContain('candidates\t10 of 32 tested; 0 untrusted readable; 22 not tested\n');
    expect(out).toContain(
      'stopped\tthe request budget (--max-requests) was used up: the rest are not tested\n',
    );
    expect(out).toMatch(
      /^Not tested \(22\): special-char \(\d+\), insecure-twin \(1\), .*dev-hosting \(4\)$/m,
    );
  });

  it('an error stop names the failure in the summary', () => {
    const report = REPORTS.find((r) => r.name === 'error')!.report;
    const out = stdoutOf(renderProbeCors(result(report, 'table'), viewFor({ tty: false })));
    expect(out).toContain(
      'stopped\ta request failed: a partial result (GET 127.0.0.1:4000: timed out after 300 ms)\n',
    );
  });
});

describe('renderProbeCors: a hostile server', () => {
  it.each(inEveryMode([{ format: 'table' as const }, { format: 'markdown' as const }]))(
    '$format tty=$tty json=$json: no escape, BEL or bidi override reaches the output',
    ({ format, tty, json }) => {
      const report = hostileReport();
      const rendered = renderProbeCors(result(report, json ? 'json' : format), viewFor({ tty, json }));
      const out = stdoutOf(rendered) + stderrOf(rendered);
      if (json) {
        expectHostileValuesAsJson(out, report);
        return;
      }
      expect(controls(stripSgr(out))).toEqual([]);
      // The ACAO in the candidate table and in the finding's evidence: there, defanged.
      expect(out.replace(/\\/g, '')).toContain('x?[2J??evil');
      // Evidence quotes the value as JSON (C0 as \u escapes), the bidi override made "?".
      if (format === 'table') {
        expect(stripSgr(out)).toMatch(/evidence: .*access-control-allow-origin: "x\\u001b\[2J\\u0007\?evil/);
      }
    },
  );

  it('a megabyte of ACAO does not blow up a table cell', () => {
    const report = reflectingReport();
    report.candidates[1]!.actual!.headers.acao = 'A'.repeat(1_000_000);
    const out = stdoutOf(renderProbeCors(result(report, 'table'), viewFor({ tty: false })));
    const row = out.split('\n').find((l) => l.startsWith('https://evil.example\t'))!;
    expect(row.length).toBeLessThan(400);
  });
});

describe('renderProbeCors --format markdown', () => {
  const md = (report: CorsReport): string =>
    stdoutOf(renderProbeCors(result(report, 'markdown'), viewFor({ tty: false })));

  it.each([true, false])('tty=%s: the same Markdown, no colour, nothing on stderr', (tty) => {
    const rendered = renderProbeCors(result(reflectingReport(), 'markdown'), viewFor({ tty }));
    expectPlainMarkdown(rendered, md(reflectingReport()));
  });

  it('heading, summary, the candidate table and the findings table', () => {
    const out = md(reflectingReport());
    expect(out).toMatch(
      /^## CORS: GET http:\/\/127\.0\.0\.1:4000\/v1\/me\n\n\| {2}\| {2}\|\n\| --- \| --- \|\n/,
    );
    expect(out).toContain(`| trusted | ${TRUSTED} |\n`);
    expect(out).toContain(
      '### Candidates\n\n| origin | class | preflight | actual | credentials | readable by its page |\n',
    );
    expect(out).toContain(
      '| https://evil.example | arbitrary | 204 echoed; DELETE 204 echoed | 200 echoed | allowed | with credentials, preflighted, DELETE sent |\n',
    );
    expect(out).toMatch(/### Findings\n\n\| severity \| id \| finding \| evidence \|\n/);
    expect(out).toContain('| **high** | `cors.origin-reflected` |');
  });

  it('a hostile value breaks neither a table row nor the document structure', () => {
    const out = md(hostileReport());
    expectMarkdownStructure(out, 3);
    expect(out).toContain('evil\\|\\`md\\`<br>\\# heading');
  });
});
