import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/loopback-server.js';
import { startExpressRateLimit } from '../fixtures/ratelimit/express-rate-limit.js';
import { startSlidingLog } from '../fixtures/ratelimit/sliding-log.js';
import { freshUrls, pathOf } from '../fixtures/ratelimit/support.js';
import { FixedWindows } from '../fixtures/ratelimit/windows.js';
import { suiteServers } from '../helpers/suite-servers.js';
import { probe, probeFresh } from './ratelimit-support.js';

/**
 * The probe's safety rules against real servers, checked where it counts — at the server: the budget; no
 * request while a Retry-After runs, concurrency > 1 included; a wait past the deadline ends the probe with what
 * it learned; Ctrl-C ends it at once, in a wait or mid-request; a hanging endpoint ends it with 'error' and the
 * partial report, never an exception.
 */

/** A loopback server whose behaviour per path prefix the tests set: answer, hold, or limit with a window. */
interface Stage {
  server: RunningServer;
  /** Arrivals (epoch ms) per path. */
  arrivals: Map<string, number[]>;
  /** Requests being handled right now, and the most there ever were at once, per path. */
  inFlight: Map<string, { now: number; max: number }>;
  /** When each limited response was answered, and the Retry-After it carried, per path. */
  limitedAt: Map<string, { at: number; retryAfterS: number }[]>;
  held: ServerResponse[];
}

let stage: Stage;
const windows = new FixedWindows(6, 1500);

beforeAll(async () => {
  const arrivals = new Map<string, number[]>();
  const inFlight = new Map<string, { now: number; max: number }>();
  const limitedAt = new Map<string, { at: number; retryAfterS: number }[]>();
  const held: ServerResponse[] = [];
  const server = await startServer({
    closeGraceMs: 100,
    handler: (req, res) => {
      const path = pathOf(req.url ?? '/');
      const list = arrivals.get(path) ?? [];
      list.push(Date.now());
      arrivals.set(path, list);
      // /<kind>/x/<run>[/<answered>]
      const parts = path.split('/');
      const kind = parts[1];
      if (kind === 'hang' || (kind === 'partial' && list.length > Number(parts.at(-1)))) {
        held.push(res);
        return;
      }
      if (kind !== 'window') {
        res.end('ok\n');
        return;
      }
      // A fixed window of 6 per 1.5 s with a Retry-After, answered after 40 ms (so that requests overlap).
      const flight = inFlight.get(path) ?? { now: 0, max: 0 };
      flight.now++;
      flight.max = Math.max(flight.max, flight.now);
      inFlight.set(path, flight);
      const take = windows.take(path);
      setTimeout(() => {
        flight.now--;
        if (take.allowed) {
          res.end('ok\n');
          return;
        }
        const retryAfterS = Math.ceil(take.resetMs / 1000);
        const at = Date.now();
        const seen = limitedAt.get(path) ?? [];
        seen.push({ at, retryAfterS });
        limitedAt.set(path, seen);
        res.writeHead(429, { 'retry-after': String(retryAfterS) }).end('slow down\n');
      }, 40);
    },
  });
  stage = { server, arrivals, inFlight, limitedAt, held };
});

afterEach(() => {
  for (const res of stage.held.splice(0)) res.destroy();
});

afterAll(async () => {
  await stage?.server.close();
});

const url = freshUrls('', 'x');
const at = (kind: string, extra = ''): string => `${stage.server.url}/${kind}${url()}${extra}`;

describe('transport failures end the probe with the partial report', () => {
  it('a server that never answers: the per-request timeout ends it with stopped error, no exception', async () => {
    const target = at('hang');
    const report = await probe(target, { timeoutMs: 300 });
    expect(report.stopped).toBe('error');
    expect(report.error).toMatchObject({ code: 'ERR_HTTP_TRANSPORT' });
    expect(report.error!.message).toMatch(/timed out after 300 ms/);
    expect(report.status_counts).toEqual({ failed: 1 });
    expect(report.timeline).toEqual([expect.objectContaining({ seq: 0, outcome: 'failed', status: null })]);
    expect(report.findings.map((f) => f.id)).toContain('ratelimit.probe-failed');
    expect(stage.arrivals.get(pathOf(target))).toHaveLength(1);
  });

  it('three answers, then it hangs: what was seen comes back with the failure', async () => {
    const target = at('partial', '/3');
    const report = await probe(target, { timeoutMs: 300 });
    expect(report.stopped).toBe('error');
    expect(report.requests_sent).toBe(4);
    expect(report.status_counts).toEqual({ '200': 3, failed: 1 });
    expect(report.timeline.map((e) => e.outcome)).toEqual(['accepted', 'accepted', 'accepted', 'failed']);
  });

  it('a refused connection: stopped error, the reason in the message', async () => {
    const gone = await startServer({ handler: (_q, r) => r.end() });
    await gone.close();
    const report = await probe(`${gone.url}/x`);
    expect(report.stopped).toBe('error');
    expect(report.error!.message).toMatch(/refused/);
    expect(report.requests_sent).toBe(1);
  });
});

describe('Ctrl-C stops at once, with what was learned', () => {
  const started = suiteServers({ sliding: () => startSlidingLog() });

  it('during a Retry-After wait: interrupted within moments, nothing sent after', async () => {
    const ctl = new AbortController();
    let abortedAt = 0;
    const { report, arrivals } = await probeFresh(
      started.sliding,
      {},
      {
        signal: ctl.signal,
        onProgress: (line) => {
          // The burst has ended on a 429 with Retry-After: 2; the probe now waits.
          if (line.startsWith('burst:')) {
            setTimeout(() => {
              abortedAt = Date.now();
              ctl.abort();
            }, 100);
          }
        },
      },
    );
    expect(report.stopped).toBe('interrupted');
    expect(Date.now() - abortedAt).toBeLessThan(500);
    expect(report.limited).toBe(true);
    expect(report.burst).toBe(started.sliding.truth.burst);
    expect(arrivals).toHaveLength(started.sliding.truth.burst! + 1);
  });

  it('mid-request: interrupted, not an error', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 200);
    const report = await probe(at('hang'), { timeoutMs: 10_000 }, { signal: ctl.signal });
    expect(report.stopped).toBe('interrupted');
    expect(report.error).toBeNull();
  });

  it('already interrupted: nothing is sent', async () => {
    const ctl = new AbortController();
    ctl.abort();
    const target = at('ok');
    const report = await probe(target, {}, { signal: ctl.signal });
    expect(report.stopped).toBe('interrupted');
    expect(report.requests_sent).toBe(0);
    expect(stage.arrivals.get(pathOf(target))).toBeUndefined();
  });
});

describe('the deadline and the budget', () => {
  const limiters = suiteServers({
    long: () => startExpressRateLimit({ limit: 5, windowMs: 20_000 }),
    short: () => startExpressRateLimit({ limit: 10, windowMs: 3000 }),
  });

  it('a Retry-After past the deadline: stops at once with the burst learned, nothing sent during the wait', async () => {
    const started = Date.now();
    const { report, arrivals } = await probeFresh(limiters.long, { durationMs: 3000 });
    expect(report.stopped).toBe('deadline');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(report.limited).toBe(true);
    expect(report.burst).toBe(5);
    expect(report.retry_after_s).toBe(20);
    expect(arrivals).toHaveLength(6);
  });

  it('a budget smaller than the burst: exactly the budget arrives; the advertised quota is reported, unverified', async () => {
    const { report, arrivals } = await probeFresh(limiters.short, { maxRequests: 5 });
    expect(report.stopped).toBe('budget');
    expect(report).toMatchObject({
      limited: true,
      algorithm: 'unknown',
      confidence: 'low',
      limit: 10,
      burst: null,
    });
    expect(report.evidence.join('\n')).toMatch(/unverified/);
    expect(arrivals).toHaveLength(5);
  });

  it('a budget that runs out during recovery: stopped budget, the burst still measured', async () => {
    const { report, arrivals } = await probeFresh(limiters.short, { maxRequests: 13 });
    expect(report.stopped).toBe('budget');
    expect(report.limited).toBe(true);
    expect(report.burst).toBe(10);
    expect(arrivals).toHaveLength(13);
  });
});

describe('concurrency with Retry-After', () => {
  it('nothing new goes out once a limited response is answered, until its Retry-After is over; never more in flight than allowed', async () => {
    const target = at('window');
    const report = await probe(target, { concurrency: 3, maxRequests: 40 });
    const path = pathOf(target);
    const arrivals = stage.arrivals.get(path)!;
    expect(arrivals.length).toBe(report.requests_sent);
    expect(arrivals.length).toBeLessThanOrEqual(40);
    expect(stage.inFlight.get(path)!.max).toBeLessThanOrEqual(3);
    const limited = stage.limitedAt.get(path)!;
    expect(limited.length).toBeGreaterThan(0);
    for (const { at: answered, retryAfterS } of limited) {
      const during = arrivals.filter((t) => t > answered && t < answered + retryAfterS * 1000);
      expect(during, `arrivals within the ${retryAfterS} s after a 429 answered at ${answered}`).toEqual([]);
    }
    expect(report.limited).toBe(true);
    expect(report.burst).toBe(6);
  }, 30_000);
});
