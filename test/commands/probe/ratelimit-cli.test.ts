import { describe, expect, it } from 'vitest';
import { ALGORITHMS, HEADER_SCHEMES, type RateLimitReport } from '../../../src/lib/ratelimit/types.js';
import { hasStackTrace, runCli } from '../../helpers/cli.js';
import { runCliLive } from './live-cli.js';
import { testServers } from '../../helpers/test-servers.js';
import { startTinyLimiter } from './tiny-limiter.js';

/**
 * `apikit probe ratelimit` end to end in-process, against a tiny limiter of our own on 127.0.0.1 (5 requests per
 * second, then 429 with Retry-After: 1): the --json document, Markdown and table output, the budget line, the
 * verdict of --fail-if-unlimited, and a network failure's partial result and exit 3.
 */
const limiter = testServers(startTinyLimiter);

const BOUNDS = ['--max-requests', '40', '--duration', '10s'];

function expectNumberOrNull(value: unknown, what: string): void {
  expect(value === null || (typeof value === 'number' && Number.isFinite(value)), what).toBe(true);
}

describe('probe ratelimit --json', () => {
  it('prints one RateLimitReport with every documented field, typed, and counts what the server saw', async () => {
    const server = await limiter();
    const r = await runCli(['probe', 'ratelimit', server.url, '--json', ...BOUNDS]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as RateLimitReport & Record<string, unknown>;
    expect(doc.url).toBe(server.url);
    expect(doc.method).toBe('GET');
    expect(Number.isSafeInteger(doc.requests_sent)).toBe(true);
    expect(typeof doc.duration_ms).toBe('number');
    for (const [status, n] of Object.entries(doc.status_counts)) {
      expect(status).toMatch(/^(\d{3}|failed)$/);
      expect(Number.isSafeInteger(n)).toBe(true);
    }
    expect(doc.status_counts['429']).toBeGreaterThan(0);
    expect(doc.limited).toBe(true);
    expect(doc.limit_statuses).toContain(429);
    expect(doc.headers_scheme).toEqual(expect.arrayContaining(['x-ratelimit', 'retry-after']));
    for (const s of doc.headers_scheme) expect(HEADER_SCHEMES).toContain(s);
    for (const field of [
      'limit',
      'remaining',
      'reset_s',
      'retry_after_s',
      'burst',
      'sustained_rate_per_s',
      'window_s',
    ])
      expectNumberOrNull(doc[field], field);
    expect(doc.limit).toBe(5);
    expect(doc.retry_after_s).toBe(1);
    expect(ALGORITHMS).toContain(doc.algorithm);
    expect(['high', 'medium', 'low']).toContain(doc.confidence);
    expect(Array.isArray(doc.evidence)).toBe(true);
    expect(Array.isArray(doc.mismatches)).toBe(true);
    for (const f of doc.findings) {
      expect(f.id).toMatch(/^ratelimit\./);
      expect(['info', 'low', 'medium', 'high', 'critical']).toContain(f.severity);
      expect(typeof f.message).toBe('string');
    }
    expect(doc.timeline).toHaveLength(doc.requests_sent);
    for (const e of doc.timeline) {
      expect(typeof e.seq).toBe('number');
      expect(['accepted', 'limited', 'queued', 'failed']).toContain(e.outcome);
    }
    expect(doc.budget).toEqual({ max_requests: 40, duration_ms: 10_000, concurrency: 1, rate_per_s: null });
    expect(doc.error).toBeNull();
    // The report exactly: the verdict is the exit code, not a field.
    expect(Object.keys(doc)).not.toContain('outcome');
    // Counted at the server: never more than the budget, and what the report says was sent.
    expect(server.seen.length).toBe(doc.requests_sent);
    expect(server.seen.length).toBeLessThanOrEqual(40);
    expect(r.stderr.split('\n')[0]).toBe(
      `probing GET ${server.url}: at most 40 requests over 10 s, 1 at a time`,
    );
  });

  it('--format json is --json', async () => {
    const server = await limiter();
    const r = await runCli(['probe', 'ratelimit', server.url, '--format', 'json', ...BOUNDS]);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as RateLimitReport).limited).toBe(true);
  });
});

describe('probe ratelimit: human output', () => {
  it('--format markdown: a job summary on stdout, the budget on stderr', async () => {
    const server = await limiter();
    const r = await runCli(['probe', 'ratelimit', server.url, '--format', 'markdown', ...BOUNDS]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith(`## Rate limit: GET ${server.url}\n\n|  |  |\n| --- | --- |\n`)).toBe(true);
    expect(r.stdout).toContain('| limited | yes (429) |\n');
    expect(r.stdout).toMatch(/### Timeline\n\n\d+ requests over /);
    expect(r.stdout).toContain('### Findings\n');
    expect(r.stdout).not.toContain('\u001b[');
    expect(r.stderr.split('\n')[0]).toMatch(/^probing GET /);
  });

  it('piped: tab-separated summary, the timeline in words, no colour and no picture', async () => {
    const server = await limiter();
    const r = await runCli(['probe', 'ratelimit', server.url, ...BOUNDS]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`probe\tGET ${server.url}\n`);
    expect(r.stdout).toContain('limited\tyes (429)\n');
    expect(r.stdout).toMatch(/^timeline: \d+ requests over [\d.]+ s: \d+ accepted, \d+ limited/m);
    expect(r.stdout).not.toMatch(/[█▒╳·▁▂▃▄▅▆▇│]/);
    expect(r.stdout).not.toContain('\u001b[');
    expect(r.stderr).not.toContain('\u001b[');
    // Piped, stderr has the budget and nothing else: the phase progress is for a terminal.
    expect(r.stderr).toBe(`probing GET ${server.url}: at most 40 requests over 10 s, 1 at a time\n`);
  });

  it('on a terminal: boxed tables, the picture, and progress lines on stderr after the budget', async () => {
    const server = await limiter();
    const r = await runCli(['probe', 'ratelimit', server.url, ...BOUNDS], { tty: true });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('┌');
    expect(r.stdout).toMatch(/requests │.*█/);
    expect(r.stdout).toMatch(/^ {3}latency │/m);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`probing GET ${server.url}: at most 40 requests over 10 s, 1 at a time`);
    // The engine reports each phase; on a terminal they are shown (dimmed).
    expect(lines.length).toBeGreaterThan(1);
  });
});

describe('probe ratelimit: the budget is on stderr before the first request', () => {
  it.each([
    { tty: false, extra: [], want: 'at most 12 requests over 5 s, 1 at a time' },
    { tty: true, extra: [], want: 'at most 12 requests over 5 s, 1 at a time' },
    {
      tty: false,
      extra: ['--concurrency', '2', '--rate', '300/m'],
      want: 'at most 12 requests over 5 s, 2 at a time, no faster than 5/s',
    },
    {
      tty: false,
      extra: ['--data', 'q=1'],
      want: 'at most 12 requests over 5 s, 1 at a time',
      method: 'POST',
    },
  ])('tty=$tty $extra', async ({ tty, extra, want, method }) => {
    let atFirstRequest: string | undefined;
    const server = await limiter({
      onRequest: (_seen, i) => i === 0 && (atFirstRequest = run.stderrSoFar()),
    });
    const run = runCliLive(
      ['probe', 'ratelimit', server.url, '--max-requests', '12', '--duration', '5s', ...extra, '--json'],
      { tty },
    );
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    const line = `probing ${method ?? 'GET'} ${server.url}: ${want}\n`;
    expect(atFirstRequest).toBe(line);
    expect(r.stderr.startsWith(line)).toBe(true);
  });
});

describe('probe ratelimit --fail-if-unlimited', () => {
  it.each([
    { unlimited: true, flag: true, code: 1 },
    { unlimited: true, flag: false, code: 0 },
    { unlimited: false, flag: true, code: 0 },
  ])(
    'unlimited=$unlimited flag=$flag → exit $code, the result printed either way',
    async ({ unlimited, flag, code }) => {
      const server = await limiter({ unlimited });
      const r = await runCli([
        'probe',
        'ratelimit',
        server.url,
        '--json',
        '--max-requests',
        unlimited ? '15' : '40',
        '--duration',
        '10s',
        ...(flag ? ['--fail-if-unlimited'] : []),
      ]);
      expect(r.code, r.stderr).toBe(code);
      const doc = JSON.parse(r.stdout) as RateLimitReport;
      expect(doc.limited).toBe(!unlimited);
      if (unlimited) expect(server.seen.length).toBeLessThanOrEqual(15);
    },
  );
});

describe('probe ratelimit: a server that stops answering', () => {
  it('--json: exit 3, the partial result as the one JSON document, the failure on stderr', async () => {
    const server = await limiter({ hangAfter: 3 });
    const r = await runCli(['probe', 'ratelimit', server.url, '--json', '--timeout', '300ms', ...BOUNDS]);
    expect(r.code, r.stderr).toBe(3);
    // Exactly one document: the report (cli.ts adds no error document once stdout has one).
    const doc = JSON.parse(r.stdout) as RateLimitReport;
    expect(doc.stopped).toBe('error');
    expect(doc.error).not.toBeNull();
    expect(doc.error!.message).toMatch(/timed out after 300 ms/);
    expect(doc.timeline.filter((e) => e.outcome === 'accepted')).toHaveLength(3);
    expect(doc.timeline.at(-1)!.outcome).toBe('failed');
    expect(server.seen.length).toBe(4);
    expect(r.stderr).toMatch(/^error: .*timed out after 300 ms$/m);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('table: the partial summary says why it stopped; exit 3', async () => {
    const server = await limiter({ hangAfter: 2 });
    const r = await runCli(['probe', 'ratelimit', server.url, '--timeout', '300ms', ...BOUNDS]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toMatch(/^stopped\ta request failed: a partial result \(.*timed out after 300 ms\)$/m);
    expect(r.stderr).toMatch(/^error: .*timed out after 300 ms$/m);
  });

  it('a refused connection: exit 3 with the (empty) partial result', async () => {
    const server = await limiter();
    const url = server.url;
    await limiter.closeNow(server);
    const r = await runCli(['probe', 'ratelimit', url, '--json', ...BOUNDS]);
    expect(r.code, r.stderr).toBe(3);
    const doc = JSON.parse(r.stdout) as RateLimitReport;
    expect(doc.stopped).toBe('error');
    expect(doc.error!.message).toMatch(/connection refused/);
    expect(r.stderr).toMatch(/^error: .*connection refused$/m);
  });
});
