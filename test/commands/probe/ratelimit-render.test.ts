import { describe, expect, it } from 'vitest';
import { renderProbeRatelimit } from '../../../src/commands/probe/ratelimit.js';
import type { RateLimitReport } from '../../../src/lib/ratelimit/types.js';
import { hasAnsi, inEveryMode, stderrOf, stdoutOf, viewFor } from '../../helpers/view.js';
import {
  controls,
  expectHostileValuesAsJson,
  expectMarkdownStructure,
  expectPlainMarkdown,
  expectTheReportAsJson,
  resultOf as result,
  stripSgr,
} from './render-checks.js';
import { hostileReport, limitedReport, unlimitedReport } from './report-fixtures.js';

const PICTURE_CHARS = /[█▒╳·▁▂▃▄▅▆▇│└]/;

const REPORTS = [
  { name: 'limited', report: limitedReport() },
  { name: 'unlimited', report: unlimitedReport() },
  { name: 'hostile', report: hostileReport() },
  { name: 'interrupted', report: limitedReport({ stopped: 'interrupted' }) },
  {
    name: 'error',
    report: limitedReport({
      stopped: 'error',
      error: { code: 'ERR_HTTP_TRANSPORT', message: 'GET 127.0.0.1:4000: timed out after 300 ms' },
    }),
  },
];

describe('renderProbeRatelimit --format table', () => {
  it.each(inEveryMode(REPORTS))('$name tty=$tty json=$json', ({ report, tty, json }) => {
    const rendered = renderProbeRatelimit(result(report, json ? 'json' : 'table'), viewFor({ tty, json }));
    const out = stdoutOf(rendered);
    const err = stderrOf(rendered);
    if (json) {
      expectTheReportAsJson(rendered, report);
      return;
    }
    const plain = stripSgr(out);
    expect(hasAnsi(out)).toBe(tty);
    // The summary table comes first, its head naming the request.
    expect(rendered[0]).toMatchObject({ to: 'out' });
    expect(plain).toContain(`GET ${report.url}`);
    expect(plain).toMatch(/limited\s/);
    expect(plain).toContain('algorithm');
    expect(plain).toContain(report.limited ? 'yes (429)' : 'no limit seen in 20 requests');
    if (tty) {
      expect(plain).toMatch(/Timeline\n(?: +\d* │.*\n)* +requests │.*\n +latency │/);
    } else {
      // No picture characters and no colour when piped: a line of words instead.
      expect(out).not.toMatch(PICTURE_CHARS);
      expect(out).toMatch(/^timeline: \d+ requests over /m);
    }
    expect(plain).toContain('Findings (');
    expect(err).toBe(report.stopped === 'interrupted' ? 'interrupted: the result above is partial\n' : '');
  });

  it('piped: the summary is tab-separated, the timeline one line of words', () => {
    const out = stdoutOf(renderProbeRatelimit(result(limitedReport(), 'table'), viewFor({ tty: false })));
    expect(out).toContain('probe\tGET http://127.0.0.1:4000/\n');
    expect(out).toContain('limited\tyes (429)\n');
    expect(out).toContain('algorithm\tfixed-window (high confidence)\n');
    expect(out).toContain('burst\t5 requests back-to-back\n');
    expect(out).toContain('sustained rate\t5/s\n');
    expect(out).toContain('window\t1 s\n');
    expect(out).toContain('Retry-After\t1 s\n');
    expect(out).toContain('header scheme\tx-ratelimit, retry-after\n');
    expect(out).toContain('advertised\tlimit 5, remaining 4, reset in 1 s\n');
    expect(out).toContain('requests\t12 of at most 150, in 1.2 s of 60 s (200: 10, 429: 2)\n');
    expect(out).toContain('stopped\tthe evidence sufficed\n');
    expect(out).toContain(
      'timeline: 12 requests over 1.2 s: 10 accepted, 2 limited (first at 0.05 s, request 6); ' +
        'latency 3 ms to 14 ms, median 8 ms\n',
    );
    expect(out).toContain('policy\tscheme\tquota\twindow\tunit\nburst\tietf\t5\t1 s\trequests\n');
    expect(out).toContain('Header mismatches (1)\n  - retry-after: Retry-After said 60 s');
    expect(out).toMatch(
      /Findings \(2\)\n {2}medium {4}ratelimit\.no-retry-after {2}429 without Retry-After\n/,
    );
    expect(out).toContain('evidence: GET http://127.0.0.1:4000/ → 429; retry-after (absent)');
    expect(out).toContain('Evidence\n  - 5 accepted back-to-back, then 429\n');
  });

  it('a token bucket says that it cannot be told from GCRA or nginx nodelay', () => {
    const out = stdoutOf(
      renderProbeRatelimit(
        result(limitedReport({ algorithm: 'token-bucket', confidence: 'medium' }), 'table'),
        viewFor({ tty: false }),
      ),
    );
    expect(out).toContain(
      'token-bucket (medium confidence); a token bucket, GCRA and nginx limit_req nodelay look alike from outside',
    );
  });

  it('503 counted as a limit says it is only a possible signal', () => {
    const out = stdoutOf(
      renderProbeRatelimit(
        result(
          limitedReport({ limit_statuses: [429, 503], status_counts: { '200': 10, '503': 2 } }),
          'table',
        ),
        viewFor({ tty: false }),
      ),
    );
    expect(out).toContain('limited\tyes (503, a possible limit signal)\n');
  });

  it('an error stop names the failure in the summary', () => {
    const report = REPORTS.find((r) => r.name === 'error')!.report;
    const out = stdoutOf(renderProbeRatelimit(result(report, 'table'), viewFor({ tty: false })));
    expect(out).toContain(
      'stopped\ta request failed: a partial result (GET 127.0.0.1:4000: timed out after 300 ms)\n',
    );
  });

  it('on a terminal the picture stacks each slice: accepted at the bottom, limited on top, the waits dotted', () => {
    const out = stripSgr(
      stdoutOf(renderProbeRatelimit(result(limitedReport(), 'table'), viewFor({ tty: true, columns: 80 }))),
    );
    const picture = /Timeline\n([\s\S]*?)\n {2}█ accepted/.exec(out)![1]!.split('\n');
    // The fixture sends two requests per 19 ms column at most: bars two rows high, the top row labelled 2.
    expect(picture.map((l) => l.slice(0, 12))).toEqual([
      '         2 │',
      '  requests │',
      '   latency │',
      '           └',
    ]);
    const [top, bottom, latency] = picture.map((l) => l.slice(12));
    // At most the columns left beside the labels; whole milliseconds per column may leave a few unused.
    expect(bottom!.length).toBeLessThanOrEqual(80 - 14);
    expect(bottom!.length).toBeGreaterThan(50);
    expect(bottom!.startsWith('███·')).toBe(true);
    expect(top!.startsWith('██╳')).toBe(true);
    expect(bottom).toMatch(/·{20,}/);
    // Latencies rise through the fixture (3 ms … 14 ms): the row climbs to the full block.
    const levels = [...latency!.replace(/ /g, '')].map((ch) => '▁▂▃▄▅▆▇█'.indexOf(ch));
    expect(levels.every((l) => l >= 0)).toBe(true);
    expect(levels).toEqual([...levels].sort((a, b) => a - b));
    expect(levels.at(-1)).toBe(7);
    expect(picture[3]).toMatch(/└0 s +1\.2 s$/);
    expect(out).toContain('█ accepted  ▒ queued  ╳ limited  ! failed  · nothing sent');
    expect(out).toContain('one column = 19 ms, the tallest bar = 2 requests');
  });
});

describe('renderProbeRatelimit: a hostile server', () => {
  it.each(inEveryMode([{ format: 'table' as const }, { format: 'markdown' as const }]))(
    '$format tty=$tty json=$json: no escape, BEL or bidi override reaches the output',
    ({ format, tty, json }) => {
      const report = hostileReport();
      const rendered = renderProbeRatelimit(result(report, json ? 'json' : format), viewFor({ tty, json }));
      const out = stdoutOf(rendered) + stderrOf(rendered);
      if (json) {
        expectHostileValuesAsJson(out, report);
        return;
      }
      expect(controls(stripSgr(out))).toEqual([]);
      // The evidence, the policy name, the mismatch, the finding: all there, each defanged.
      expect(out.replace(/\\/g, '')).toContain('x?[2J?]0;pwned??evil');
    },
  );
});

describe('renderProbeRatelimit --format markdown', () => {
  const md = (report: RateLimitReport): string =>
    stdoutOf(renderProbeRatelimit(result(report, 'markdown'), viewFor({ tty: false })));

  it.each([true, false])('tty=%s: the same Markdown, no colour', (tty) => {
    const rendered = renderProbeRatelimit(result(limitedReport(), 'markdown'), viewFor({ tty }));
    expectPlainMarkdown(rendered, md(limitedReport()));
  });

  it('headings, the key/value summary, the picture, policies, mismatches, findings and evidence', () => {
    const out = md(limitedReport());
    expect(out).toMatch(
      /^## Rate limit: GET http:\/\/127\.0\.0\.1:4000\/\n\n\| {2}\| {2}\|\n\| --- \| --- \|\n/,
    );
    expect(out).toContain('| limited | yes (429) |\n');
    expect(out).toContain('| algorithm | fixed-window (high confidence) |\n');
    expect(out).toContain('### Timeline\n\n12 requests over 1.2 s: 10 accepted, 2 limited');
    expect(out).toMatch(/```text\n {9}2 │█ █ +█ ╳\n {2}requests │███╳·+████·+\n {3}latency │/);
    expect(out).toContain(
      '### Policies\n\n| policy | scheme | quota | window | unit |\n| --- | --- | --- | --- | --- |\n| burst | ietf | 5 | 1 s | requests |\n',
    );
    expect(out).toContain('### Header mismatches\n\n- retry-after: Retry-After said 60 s');
    expect(out).toContain(
      '| **medium** | `ratelimit.no-retry-after` | 429 without Retry-After (send Retry-After with every 429 (RFC 6585 §4)) | GET http://127.0.0.1:4000/ → 429; retry-after (absent) |',
    );
    expect(out).toContain('### Evidence\n\n- 5 accepted back-to-back, then 429\n');
  });

  it('a hostile value breaks neither a table row nor the document structure', () => {
    const out = md(hostileReport());
    // Every table row intact, no heading but the renderer's; and the backticks did not open code.
    expectMarkdownStructure(out, 3);
    expect(out).toContain('evil\\|\\`md\\` \\# heading');
  });
});
