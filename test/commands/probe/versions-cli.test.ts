import { describe, expect, it } from 'vitest';
import type { VersionsReport } from '../../../src/lib/versions/types.js';
import { SEVERITIES } from '../../../src/lib/findings.js';
import { ALL_APIS, pathApi } from '../../fixtures/versions/servers.js';
import { hasStackTrace, runBin } from '../../helpers/cli.js';
import { testServers } from '../../helpers/test-servers.js';
import { hasAnsi } from '../../helpers/view.js';

/**
 * `apikit probe versions` end to end: the built CLI (node bin/apikit.js, `npm run build` first) against the
 * express APIs of test/fixtures/versions. Exit codes (0; 1 with --fail-on; 2 usage; 3 network, the partial
 * report first), the --json document's shape, Markdown, the piped table (plain timeline rows, no colour), the
 * budget line on stderr, the credential sent and never printed, and the requests counted at the server.
 */
const api = testServers(async (name: keyof typeof ALL_APIS) => ALL_APIS[name]());
const TOKEN = 'tok-versions-0123456789abcdef';
const env = { API_TOKEN: TOKEN };

describe('probe versions: exit codes', () => {
  it.each([
    { name: 'path', flags: [], code: 0 },
    { name: 'path', flags: ['--fail-on', 'high'], code: 1 },
    { name: 'path-retired', flags: ['--fail-on', 'medium'], code: 0 },
    { name: 'mistakes', flags: ['--fail-on', 'medium'], code: 1 },
    { name: 'mistakes', flags: [], code: 0 },
    { name: 'query', flags: ['--fail-on', 'low'], code: 0 },
  ] as const)('$name $flags → exit $code, the report printed either way', async ({ name, flags, code }) => {
    const s = await api(name);
    const r = await runBin(['probe', 'versions', s.url, '--json', ...flags], { env });
    expect(r.code, r.stderr).toBe(code);
    const doc = JSON.parse(r.stdout) as VersionsReport;
    expect(doc.versions.filter((v) => v.status === 'live').map((v) => v.id)).toEqual(s.expect.live);
    expect(s.seen.length).toBe(doc.requests_sent);
  });

  it('a refused connection: the partial report on stdout, one line on stderr, exit 3', async () => {
    const s = await pathApi();
    await s.close();
    const r = await runBin(['probe', 'versions', s.url, '--json']);
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout) as VersionsReport;
    expect(doc.stopped).toBe('error');
    expect(doc.error?.code).toMatch(/^ERR_/);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stderr).toMatch(/^probing versions of /);
  });

  it('a usage error: exit 2, one line, nothing sent', async () => {
    const s = await api('path');
    const r = await runBin(['probe', 'versions', s.url, '--max-versions', 'lots']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/--max-versions "lots" is not a positive whole number/);
    expect(s.seen).toEqual([]);
  });
});

describe('probe versions --json', () => {
  it('one document: {url, schemes[], versions[], default_version, findings[]} and the run’s bounds', async () => {
    const s = await api('mistakes');
    const r = await runBin(['probe', 'versions', s.url, '--json', '--bearer-env', 'API_TOKEN'], { env });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as VersionsReport & Record<string, unknown>;
    expect(Object.keys(doc).sort()).toEqual(
      [
        'url',
        'method',
        'now',
        'schemes',
        'versions',
        'default_version',
        'findings',
        'requests_sent',
        'duration_ms',
        'budget',
        'stopped',
        'error',
      ].sort(),
    );
    expect(doc.url).toBe(s.url);
    expect(doc.schemes).toEqual([
      {
        scheme: 'path',
        name: null,
        current: 'v7',
        format: 'major',
        evidence: ['path segment 1 is "v7"'],
        primary: true,
      },
    ]);
    for (const v of doc.versions) {
      expect(Object.keys(v).sort()).toEqual(
        [
          'id',
          'url_or_header',
          'status',
          'http_status',
          'location',
          'served_as',
          'named_by',
          'deprecation',
          'sunset',
          'days_left',
          'successor',
          'links',
        ].sort(),
      );
    }
    expect(Object.keys(doc.default_version!).sort()).toEqual(
      ['request', 'http_status', 'answer', 'version', 'stated', 'how'].sort(),
    );
    for (const f of doc.findings) {
      expect(f.id).toMatch(/^versions\.[a-z0-9-]+$/);
      expect(SEVERITIES).toContain(f.severity);
      expect(typeof f.message).toBe('string');
    }
    const ids = new Set(doc.findings.map((f) => f.id));
    for (const id of [...s.expect.mediumOrAbove, ...(s.expect.low ?? [])]) expect(ids).toContain(id);
    // The credential went to every request and into no output.
    expect(s.seen.every((q) => q.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });
});

describe('probe versions: output for people', () => {
  it('piped: the budget line on stderr first, tab-separated tables, plain timeline rows, no colour', async () => {
    const s = await api('path');
    const r = await runBin(['probe', 'versions', s.url], { env: { FORCE_COLOR: '0' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(
      `probing versions of ${s.url}: up to 12 versions, at most 30 requests over 60 s, 1 at a time (GET only)\n`,
    );
    expect(hasAnsi(r.stdout)).toBe(false);
    expect(r.stdout).toContain('versions\tlive v0, v1, v2; gone v3\n');
    expect(r.stdout).toMatch(
      /\ntimeline:\n {2}v0: deprecated \d{4}-\d\d-\d\d \(20[01] days ago\); sunset \d{4}-\d\d-\d\d \(1[01] days ago\)\n/,
    );
    expect(r.stdout).not.toContain('▲');
    expect(r.stdout).toMatch(/^ {2}high {6}versions\.sunset-past-still-serving/m);
  });

  it('--format markdown: the report for a CI job summary', async () => {
    const s = await api('query');
    const r = await runBin(['probe', 'versions', s.url, '--format', 'markdown']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^## API versions: GET http:\/\/127\.0\.0\.1:\d+\/items\?api-version=2024-06-01\n/,
    );
    expect(r.stdout).toContain(
      '| version | status | deprecation | sunset | days left | successor | request |',
    );
    expect(r.stdout).toContain('### Timeline');
  });

  it('--max-requests: counted at the server, the budget line says so', async () => {
    const s = await api('mistakes');
    const r = await runBin(['probe', 'versions', s.url, '--max-requests', '3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(s.seen.length).toBe(3);
    expect(r.stderr).toContain('at most 3 requests over 60 s');
    expect((JSON.parse(r.stdout) as VersionsReport).stopped).toBe('budget');
  });
});
