import { describe, expect, it } from 'vitest';
import { CANDIDATE_CLASSES, RULE_KINDS, type CorsReport } from '../../../src/lib/cors/types.js';
import { SEVERITIES } from '../../../src/lib/findings.js';
import { hasStackTrace, runCli } from '../../helpers/cli.js';
import { runCliLive } from './live-cli.js';
import { testServers } from '../../helpers/test-servers.js';
import { ALLOW_LIST, REFLECTING, startCorsServer, TRUSTED } from './cors-servers.js';

/**
 * `apikit probe cors` end to end in-process, against the npm `cors` middleware on 127.0.0.1: the verdicts and exit
 * codes (--fail-on), the --json document's fields, Markdown and table output, the budget line before the first
 * request, the budget counted at the server, and a network failure's partial result and exit 3.
 */
const server = testServers(startCorsServer);

const probe = (url: string, ...extra: string[]): string[] => [
  'probe',
  'cors',
  url,
  '--origin',
  TRUSTED,
  ...extra,
];

describe('probe cors: verdicts and exit codes', () => {
  it.each([
    { name: 'reflecting', cors: REFLECTING, flags: [], code: 0 },
    { name: 'reflecting', cors: REFLECTING, flags: ['--fail-on', 'high'], code: 1 },
    { name: 'reflecting', cors: REFLECTING, flags: ['--fail-on', 'medium'], code: 1 },
    { name: 'reflecting', cors: REFLECTING, flags: ['--fail-on', 'HIGH'], code: 1 },
    { name: 'allow-list', cors: ALLOW_LIST, flags: [], code: 0 },
    { name: 'allow-list', cors: ALLOW_LIST, flags: ['--fail-on', 'medium'], code: 0 },
    { name: 'allow-list', cors: ALLOW_LIST, flags: ['--fail-on', 'high'], code: 0 },
  ])('$name $flags → exit $code, the report printed either way', async ({ name, cors, flags, code }) => {
    const s = await server({ cors });
    const r = await runCli([...probe(s.url, '--json'), ...flags]);
    expect(r.code, r.stderr).toBe(code);
    const doc = JSON.parse(r.stdout) as CorsReport;
    const ids = doc.findings.map((f) => f.id);
    if (name === 'reflecting') {
      const reflected = doc.findings.find((f) => f.id === 'cors.origin-reflected');
      expect(reflected?.severity).toBe('high');
      expect(reflected?.origin).toBe('https://evil.example');
      expect(doc.rule.kind).toBe('reflect-any');
    } else {
      expect(ids).not.toContain('cors.origin-reflected');
      // The correct configuration: nothing above low.
      expect(
        doc.findings.filter((f) => f.severity !== 'low' && f.severity !== 'info'),
        ids.join(),
      ).toEqual([]);
      expect(doc.rule.kind).toBe('exact');
    }
  });

  it('without --fail-on, exit 0 even with a high finding (no default threshold)', async () => {
    const s = await server({ cors: REFLECTING });
    const r = await runCli(probe(s.url));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}high {6}cors\.origin-reflected/m);
  });
});

describe('probe cors --json', () => {
  it('prints one CorsReport with every documented field, typed, and the server saw what it says it sent', async () => {
    const s = await server({ cors: REFLECTING });
    const r = await runCli(probe(s.url, '--json'));
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as CorsReport & Record<string, unknown>;
    expect(Object.keys(doc).sort()).toEqual(
      [
        'url',
        'method',
        'trusted_origins',
        'rule',
        'findings',
        'preflight',
        'candidates',
        'not_tested',
        'requests_sent',
        'duration_ms',
        'budget',
        'stopped',
        'error',
      ].sort(),
    );
    expect(doc.url).toBe(s.url);
    expect(doc.method).toBe('GET');
    expect(doc.trusted_origins).toEqual([TRUSTED]);
    expect(RULE_KINDS).toContain(doc.rule.kind);
    for (const k of doc.rule.kinds) expect(RULE_KINDS).toContain(k);
    expect(typeof doc.rule.description).toBe('string');
    for (const f of doc.findings) {
      expect(f.id).toMatch(/^cors\.[a-z-]+$/);
      expect(SEVERITIES).toContain(f.severity);
      expect(typeof f.message).toBe('string');
      expect(f.origin === null || typeof f.origin === 'string').toBe(true);
      expect(Array.isArray(f.evidence)).toBe(true);
    }
    expect(doc.preflight).toEqual({
      handled: true,
      status: 204,
      max_age_s: null,
      allow_methods: expect.any(Array),
      allow_headers: ['authorization', 'content-type', 'x-api-key'],
    });
    expect(doc.candidates.length).toBeGreaterThan(20);
    expect(doc.candidates[0]).toMatchObject({ origin: TRUSTED, class: 'trusted', attacker: 'none' });
    for (const c of doc.candidates) {
      expect(CANDIDATE_CLASSES).toContain(c.class);
      expect(typeof c.note).toBe('string');
      expect(c.preflights.map((p) => [p.kind, p.method, p.request_method])).toEqual([
        ['preflight', 'OPTIONS', 'GET'],
        ['preflight', 'OPTIONS', 'DELETE'],
      ]);
      for (const p of c.preflights)
        expect(p.request_headers).toEqual(['authorization', 'content-type', 'x-api-key']);
      expect(c.actual).toMatchObject({
        kind: 'actual',
        method: 'GET',
        request_method: null,
        status: 200,
        error: null,
      });
      for (const e of [...c.preflights, c.actual!]) {
        for (const h of ['acao', 'acac', 'acam', 'acah', 'aceh', 'max_age', 'vary'] as const) {
          expect(e.headers[h] === null || typeof e.headers[h] === 'string', h).toBe(true);
        }
      }
      expect(typeof c.allowed).toBe('boolean');
      expect(typeof c.credentials).toBe('boolean');
      expect(Object.keys(c.readable).sort()).toEqual([
        'credentialed',
        'preflighted',
        'simple',
        'state_changing_sent',
      ]);
    }
    expect(doc.not_tested).toEqual([]);
    expect(doc.stopped).toBe('done');
    expect(doc.error).toBeNull();
    expect(Object.keys(doc)).not.toContain('outcome');
    // Counted at the server: three per candidate, what the report says, and never a DELETE.
    expect(s.seen.length).toBe(doc.requests_sent);
    expect(doc.requests_sent).toBe(doc.candidates.length * 3);
    expect(doc.budget).toEqual({ max_requests: doc.candidates.length * 3, duration_ms: 60_000 });
    expect(s.count('OPTIONS')).toBe(doc.candidates.length * 2);
    expect(s.count('GET')).toBe(doc.candidates.length);
    expect(s.count('DELETE')).toBe(0);
  });

  it('--format json is --json', async () => {
    const s = await server({ cors: ALLOW_LIST });
    const r = await runCli(probe(s.url, '--format', 'json'));
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as CorsReport).rule.kind).toBe('exact');
  });

  it('without --origin the URL’s own origin is the trusted one', async () => {
    const s = await server({ cors: ALLOW_LIST });
    const r = await runCli(['probe', 'cors', s.url, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as CorsReport;
    expect(doc.trusted_origins).toEqual([`http://127.0.0.1:${s.port}`]);
    expect(doc.candidates[0]!.origin).toBe(`http://127.0.0.1:${s.port}`);
  });
});

describe('probe cors: human output', () => {
  it('--format markdown: a job summary on stdout, the budget on stderr', async () => {
    const s = await server({ cors: REFLECTING });
    const r = await runCli(probe(s.url, '--format', 'markdown'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith(`## CORS: GET ${s.url}\n\n|  |  |\n| --- | --- |\n`)).toBe(true);
    expect(r.stdout).toContain('### Candidates\n');
    expect(r.stdout).toContain('| **high** | `cors.origin-reflected` |');
    expect(r.stdout).not.toContain('\u001b[');
    expect(r.stderr.split('\n')[0]).toMatch(/^probing CORS of GET /);
  });

  it('piped: tab-separated tables, no colour, the budget alone on stderr', async () => {
    const s = await server({ cors: REFLECTING });
    const r = await runCli(probe(s.url));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`probe\tCORS of GET ${s.url}\n`);
    expect(r.stdout).toMatch(/^rule\treflects any Origin it is sent.*\(reflect-any\)$/m);
    expect(r.stdout).toContain('origin\tclass\tpreflight\tactual\tcredentials\treadable by its page\n');
    expect(r.stdout).toContain(
      'https://evil.example\tarbitrary\t204 echoed; DELETE 204 echoed\t200 echoed\tallowed\twith credentials, preflighted, DELETE sent\n',
    );
    expect(r.stdout).not.toContain('\u001b[');
    expect(r.stderr).toMatch(
      /^probing CORS of GET \S+: \d+ candidate origins from https:\/\/app\.example\.com, at most \d+ requests over 60 s, 1 at a time\n$/,
    );
  });

  it('on a terminal: boxed tables, coloured severities, progress on stderr after the budget', async () => {
    const s = await server({ cors: REFLECTING });
    const r = await runCli(probe(s.url), { tty: true });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('┌');
    expect(r.stdout).toContain('\u001b[31mhigh');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^probing CORS of GET /);
    expect(lines.some((l) => l.includes('special-char: 15 origins'))).toBe(true);
    expect(lines.at(-1)).toMatch(/done: \d+ of \d+ candidates tested/);
  });
});

describe('probe cors: what reaches the server', () => {
  const TOKEN = 'tok-9f8e7d6c5b4a39281706';
  it('preflights as a browser sends them (no credential), the actual request with the credential and -H', async () => {
    const s = await server({ cors: ALLOW_LIST });
    const r = await runCli(
      probe(
        s.url,
        '--bearer-env',
        'API_TOKEN',
        '-H',
        'X-Tenant: acme',
        '--request-header',
        'X-Request-Id',
        '--json',
      ),
      { env: { API_TOKEN: TOKEN } },
    );
    expect(r.code, r.stderr).toBe(0);
    const preflights = s.seen.filter((x) => x.method === 'OPTIONS');
    const actuals = s.seen.filter((x) => x.method === 'GET');
    expect(preflights.length).toBe(actuals.length * 2);
    for (const p of preflights) {
      expect(p.headers.authorization).toBeUndefined();
      expect(p.headers['x-tenant']).toBe('acme');
      expect(p.headers['access-control-request-headers']).toBe(
        'authorization,content-type,x-api-key,x-request-id',
      );
      expect(['GET', 'DELETE']).toContain(p.headers['access-control-request-method']);
    }
    for (const a of actuals) {
      expect(a.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(a.headers['x-tenant']).toBe('acme');
      expect(a.headers['access-control-request-method']).toBeUndefined();
    }
    // Every candidate's Origin as sent, in order: the trusted one first.
    const doc = JSON.parse(r.stdout) as CorsReport;
    expect(actuals.map((a) => a.origin)).toEqual(doc.candidates.map((c) => c.origin));
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it('--api-key-env with a custom header: the key stays off the preflights too', async () => {
    const s = await server({ cors: ALLOW_LIST });
    const r = await runCli(probe(s.url, '--api-key-env', 'KEY', '--api-key-header', 'X-Key', '--json'), {
      env: { KEY: 'key-0123456789abcdef' },
    });
    expect(r.code, r.stderr).toBe(0);
    for (const x of s.seen) {
      expect(x.headers['x-key']).toBe(x.method === 'OPTIONS' ? undefined : 'key-0123456789abcdef');
    }
  });

  it('-X PUT: the PUT is sent for real (a warning says so), the DELETE only asked about', async () => {
    const s = await server({ cors: ALLOW_LIST });
    const r = await runCli(probe(s.url, '-X', 'put', '--json'));
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as CorsReport;
    expect(doc.method).toBe('PUT');
    expect(s.count('PUT')).toBe(doc.candidates.length);
    expect(s.count('DELETE')).toBe(0);
    expect(r.stderr.split('\n')[1]).toBe(
      `warning: -X PUT is sent for real, once for each of the ${doc.candidates.length} candidate origins`,
    );
  });

  it('-X DELETE: one preflight per candidate serves both, two requests each', async () => {
    const s = await server({ cors: ALLOW_LIST });
    const r = await runCli(probe(s.url, '-X', 'DELETE', '--json'));
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as CorsReport;
    expect(doc.requests_sent).toBe(doc.candidates.length * 2);
    expect(s.count('DELETE')).toBe(doc.candidates.length);
    expect(doc.candidates[0]!.preflights).toHaveLength(1);
    // The trusted origin's DELETE preflight passes on this allow-list: it would be sent.
    expect(doc.candidates[0]!.readable.state_changing_sent).toBe(true);
    expect(doc.candidates[1]!.readable.state_changing_sent).toBe(false);
  });
});

describe('probe cors: the budget', () => {
  it.each([false, true])('is on stderr before the first request (tty=%s)', async (tty) => {
    let atFirstRequest: string | undefined;
    const s = await server({
      cors: ALLOW_LIST,
      onRequest: (_x, i) => i === 0 && (atFirstRequest = run.stderrSoFar()),
    });
    const run = runCliLive([...probe(s.url, '--json')], { tty });
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    // The budget first; on a terminal the first progress line ("trusted: 1 origin") may follow before the request.
    const [first, ...rest] = atFirstRequest!.split('\n');
    expect(first).toMatch(
      /^probing CORS of GET \S+: \d+ candidate origins from https:\/\/app\.example\.com, at most \d+ requests over 60 s, 1 at a time$/,
    );
    // eslint-disable-next-line no-control-regex -- the progress line is dimmed on a terminal
    expect(rest.join('\n').replace(/\u001b\[\d+m/g, '')).toBe(tty ? 'trusted: 1 origin\n' : '');
    expect(r.stderr.startsWith(atFirstRequest!)).toBe(true);
  });

  it('--max-requests lower than every candidate needs: never more at the server, the rest not tested', async () => {
    const s = await server({ cors: REFLECTING });
    const r = await runCli(probe(s.url, '--max-requests', '20', '--json'));
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as CorsReport;
    // A candidate starts only when its three requests fit: 6 candidates, 18 requests.
    expect(doc.candidates).toHaveLength(6);
    expect(doc.requests_sent).toBe(18);
    expect(s.seen.length).toBe(18);
    expect(doc.stopped).toBe('budget');
    expect(doc.not_tested!.length).toBeGreaterThan(20);
    expect(doc.not_tested![0]).toEqual({
      origin: expect.any(String),
      class: expect.any(String),
      attacker: expect.any(String),
      note: expect.any(String),
    });
    // Still judged on what was tested: the reflection is found among the first candidates.
    expect(doc.findings.map((f) => f.id)).toContain('cors.origin-reflected');
    expect(r.stderr.split('\n')[0]).toMatch(
      /at most 20 requests over 60 s, 1 at a time \(all \d+ candidates need \d+: those left over are not tested\)$/,
    );
  });

  it('--duration: the probe stops at the deadline, the rest not tested', async () => {
    const s = await server({
      cors: REFLECTING,
      // Slow answers: 40 ms each, so 0.5 s holds a few candidates, not all.
      raw: (_x, res) =>
        void setTimeout(() => res.writeHead(204, { 'access-control-allow-origin': '*' }).end(), 40),
    });
    const r = await runCli(probe(s.url, '--duration', '500ms', '--json'));
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as CorsReport;
    expect(doc.stopped).toBe('deadline');
    expect(doc.candidates.length).toBeGreaterThan(0);
    expect(doc.not_tested!.length).toBeGreaterThan(0);
    expect(doc.duration_ms).toBeLessThan(1500);
  });
});

describe('probe cors: a server that stops answering', () => {
  it('--json: exit 3, the partial result as the one JSON document, the failure on stderr', async () => {
    const s = await server({ cors: REFLECTING, hangAfter: 7 });
    const r = await runCli(probe(s.url, '--json', '--timeout', '300ms'));
    expect(r.code, r.stderr).toBe(3);
    const doc = JSON.parse(r.stdout) as CorsReport;
    expect(doc.stopped).toBe('error');
    expect(doc.error!.message).toMatch(/timed out after 300 ms/);
    // Two whole candidates (6 requests), the third cut off after its first preflight: not judged.
    expect(doc.candidates).toHaveLength(2);
    expect(doc.not_tested![0]!.class).toBe('null');
    expect(s.seen.length).toBe(8);
    expect(r.stderr).toMatch(/^error: .*timed out after 300 ms$/m);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('table: the partial summary says why it stopped; exit 3', async () => {
    const s = await server({ cors: REFLECTING, hangAfter: 4 });
    const r = await runCli(probe(s.url, '--timeout', '300ms'));
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toMatch(/^stopped\ta request failed: a partial result \(.*timed out after 300 ms\)$/m);
    expect(r.stdout).toContain('Candidates (1)');
  });

  it('a refused connection: exit 3 with the (empty) partial result', async () => {
    const s = await server();
    const url = s.url;
    await server.closeNow(s);
    const r = await runCli(probe(url, '--json'));
    expect(r.code, r.stderr).toBe(3);
    const doc = JSON.parse(r.stdout) as CorsReport;
    expect(doc.stopped).toBe('error');
    expect(doc.candidates).toEqual([]);
    expect(doc.error!.message).toMatch(/connection refused/);
    expect(r.stderr).toMatch(/^error: .*connection refused$/m);
  });
});

describe('probe cors: Ctrl-C', () => {
  it('exit 130, the partial report as the one JSON document, nothing sent after', async () => {
    const controller = new AbortController();
    const s = await server({ cors: REFLECTING, onRequest: (_x, i) => i === 10 && controller.abort() });
    const r = await runCli(probe(s.url, '--json'), { overrides: { signal: controller.signal } });
    expect(r.code, r.stderr).toBe(130);
    const doc = JSON.parse(r.stdout) as CorsReport;
    expect(doc.stopped).toBe('interrupted');
    expect(doc.candidates).toHaveLength(3);
    expect(s.seen.length).toBe(11);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('table: the partial table and a word that it is partial', async () => {
    const controller = new AbortController();
    const s = await server({ cors: REFLECTING, onRequest: (_x, i) => i === 4 && controller.abort() });
    const r = await runCli(probe(s.url), { overrides: { signal: controller.signal } });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stdout).toContain('stopped\tinterrupted (Ctrl-C): a partial result\n');
    expect(r.stderr).toContain('interrupted: the result above is partial');
  });
});
