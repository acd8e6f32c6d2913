import { describe, expect, it } from 'vitest';
import type { CorsReport } from '../../../src/lib/cors/types.js';
import type { RateLimitReport } from '../../../src/lib/ratelimit/types.js';
import { hasStackTrace, runCli } from '../../helpers/cli.js';
import { runCliLive } from './live-cli.js';
import { testServers } from '../../helpers/test-servers.js';
import { ALLOW_LIST, REFLECTING, startCorsServer, TRUSTED, type CorsServer } from './cors-servers.js';

/**
 * `apikit probe <url>` with no verb: the CORS probe, then a short rate-limit probe (40 requests, 15 s), both
 * printed; exit the worst of the two. And the group stays a group: `--help` lists the verbs, a mistyped verb gets
 * commander's suggestion, a flag before a verb is refused rather than lost.
 */
const server = testServers(startCorsServer);

interface Both {
  cors: CorsReport;
  ratelimit: RateLimitReport;
}

/** The rate-limit part's requests: the only ones without an Origin. */
const ratelimitRequests = (s: CorsServer) => s.seen.filter((x) => x.origin === null);

describe('apikit probe <url>', () => {
  it('--json: {cors, ratelimit}, both reports whole, both budgets on stderr before the first request', async () => {
    let atFirstRequest: string | undefined;
    const s = await server({
      cors: REFLECTING,
      advertise: false,
      onRequest: (_x, i) => i === 0 && (atFirstRequest = run.stderrSoFar()),
    });
    const run = runCliLive(['probe', s.url, '--origin', TRUSTED, '--json']);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as Both;
    expect(Object.keys(doc)).toEqual(['cors', 'ratelimit']);
    expect(doc.cors.rule.kind).toBe('reflect-any');
    expect(doc.cors.findings.map((f) => f.id)).toContain('cors.origin-reflected');
    expect(doc.ratelimit.limited).toBe(false);
    expect(doc.ratelimit.budget).toEqual({
      max_requests: 40,
      duration_ms: 15_000,
      concurrency: 1,
      rate_per_s: null,
    });
    // At the server: each part's requests, as each report counts them; the rate-limit part sends no Origin.
    expect(s.seen.length).toBe(doc.cors.requests_sent + doc.ratelimit.requests_sent);
    expect(ratelimitRequests(s).length).toBe(doc.ratelimit.requests_sent);
    expect(doc.ratelimit.requests_sent).toBeLessThanOrEqual(40);
    expect(s.count('DELETE')).toBe(0);
    expect(atFirstRequest).toBe(
      `probing CORS of GET ${s.url}: ${doc.cors.candidates.length} candidate origins from ${TRUSTED}, ` +
        `at most ${doc.cors.requests_sent} requests over 60 s, 1 at a time\n` +
        `then probing GET ${s.url}: at most 40 requests over 15 s, 1 at a time\n`,
    );
  });

  it.each([
    { cors: REFLECTING, flags: [], code: 0 },
    { cors: REFLECTING, flags: ['--fail-on', 'high'], code: 1 },
    { cors: ALLOW_LIST, flags: ['--fail-on', 'medium'], code: 0 },
    { cors: ALLOW_LIST, flags: ['--fail-if-unlimited'], code: 1 },
    { cors: ALLOW_LIST, flags: ['--fail-on', 'medium', '--fail-if-unlimited'], code: 1 },
    // An advertised quota (RateLimit-Policy: 100 per 60 s) is a limit, if not reached in 40 requests.
    { cors: ALLOW_LIST, flags: ['--fail-if-unlimited'], code: 0, advertise: true },
  ])(
    '$flags advertise=$advertise → exit $code (the worst of the two)',
    async ({ cors, flags, code, advertise }) => {
      const s = await server({ cors, advertise: advertise ?? false });
      const r = await runCli(['probe', s.url, '--origin', TRUSTED, '--json', ...flags]);
      expect(r.code, r.stderr).toBe(code);
      expect(Object.keys(JSON.parse(r.stdout) as Both)).toEqual(['cors', 'ratelimit']);
    },
  );

  it('piped: the CORS section, then the rate-limit section', async () => {
    const s = await server({ cors: REFLECTING, advertise: false });
    const r = await runCli(['probe', s.url, '--origin', TRUSTED]);
    expect(r.code, r.stderr).toBe(0);
    const cors = r.stdout.indexOf(`CORS\ncors\tCORS of GET ${s.url}\n`);
    const rl = r.stdout.indexOf(`Rate limit\nprobe\tGET ${s.url}\n`);
    expect(cors).toBe(0);
    expect(rl).toBeGreaterThan(cors);
    expect(r.stdout.slice(cors, rl)).toMatch(/^ {2}high {6}cors\.origin-reflected/m);
    expect(r.stdout.slice(rl)).toMatch(/^limited\tno limit seen in \d+ requests/m);
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('--format markdown: both reports', async () => {
    const s = await server({ cors: ALLOW_LIST });
    const r = await runCli(['probe', s.url, '--origin', TRUSTED, '--format', 'markdown']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith(`## CORS: GET ${s.url}\n`)).toBe(true);
    expect(r.stdout).toContain(`\n## Rate limit: GET ${s.url}\n`);
    expect(r.stdout).toContain('### Candidates\n');
    expect(r.stdout).toContain('### Timeline\n');
  });

  it('a refused connection: exit 3, both partial reports, one error line', async () => {
    const s = await server();
    const url = s.url;
    await server.closeNow(s);
    const r = await runCli(['probe', url, '--json']);
    expect(r.code, r.stderr).toBe(3);
    const doc = JSON.parse(r.stdout) as Both;
    expect(doc.cors.stopped).toBe('error');
    expect(doc.ratelimit.stopped).toBe('error');
    expect(r.stderr.match(/^error: /gm)).toHaveLength(1);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('Ctrl-C during the CORS part: exit 130, and the rate-limit part sends nothing', async () => {
    const controller = new AbortController();
    const s = await server({ cors: REFLECTING, onRequest: (_x, i) => i === 5 && controller.abort() });
    const r = await runCli(['probe', s.url, '--json'], { overrides: { signal: controller.signal } });
    expect(r.code, r.stderr).toBe(130);
    const doc = JSON.parse(r.stdout) as Both;
    expect(doc.cors.stopped).toBe('interrupted');
    expect(doc.ratelimit.stopped).toBe('interrupted');
    expect(doc.ratelimit.requests_sent).toBe(0);
    expect(ratelimitRequests(s)).toEqual([]);
  });
});

describe('apikit probe: still a group', () => {
  it('--help lists the verbs, the bare form and its flags', async () => {
    const r = await runCli(['probe', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Usage: apikit probe \[options\] \[url\]|^Usage: apikit probe <url> \[--origin/m,
    );
    expect(r.stdout).toContain('apikit probe {cors | ratelimit | versions} <url> [options]');
    expect(r.stdout).toMatch(/^ {2}cors \[options\] <url> +what pages at other origins can read/m);
    expect(r.stdout).toMatch(/^ {2}ratelimit \[options\] <url> +measure how an endpoint rate-limits/m);
    for (const flag of [
      '--origin <TRUSTED>',
      '--fail-on <severity>',
      '--fail-if-unlimited',
      '--bearer-env <VAR>',
    ]) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toContain('40 requests over at most 15 s');
  });

  it('`apikit probe` alone shows the help', async () => {
    const r = await runCli(['probe']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Usage: apikit probe');
    expect(r.stdout).toBe('');
  });

  it.each([
    {
      argv: ['probe', 'ratelimt', 'http://127.0.0.1:1/'],
      want: /unknown command 'ratelimt'[\s\S]*Did you mean ratelimit\?/,
    },
    { argv: ['probe', 'corz'], want: /unknown command 'corz'[\s\S]*Did you mean cors\?/ },
    { argv: ['probe', 'audit', 'http://127.0.0.1:1/'], want: /unknown command 'audit'/ },
    {
      argv: ['probe', '--timeout', '5s', 'cors', 'http://127.0.0.1:1/'],
      want: /--timeout before 'cors': give a verb's flags after it/,
    },
    {
      argv: ['probe', 'http://127.0.0.1:1/', 'http://127.0.0.1:2/'],
      want: /too many arguments for 'probe'\. Expected 1 argument but got 2/,
    },
    { argv: ['probe', 'example.com'], want: /"example\.com" is not a URL/ },
    {
      argv: ['probe', 'http://127.0.0.1:1/', '--max-requests', '5'],
      want: /unknown option '--max-requests'/,
    },
  ])('$argv → exit 2, one message, nothing sent', async ({ argv, want }) => {
    const r = await runCli(argv);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(want);
    expect(r.stderr).not.toContain('probing');
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stdout).toBe('');
  });

  it('a mistyped verb with --json is one error document with the suggestion as its hint', async () => {
    const r = await runCli(['probe', 'ratelimt', '--json']);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout) as { error: { code: string; hint: string } };
    expect(doc.error.code).toBe('ERR_USAGE_UNKNOWN_COMMAND');
    expect(doc.error.hint).toBe('Did you mean ratelimit?');
  });
});
