import type { ServerResponse } from 'node:http';
import { DEFAULT_HTTP_OPTIONS } from '../../src/http/client.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createBudget,
  timerSleep,
  type Budget,
  type ProbeBudget,
  type Sleep,
} from '../../src/probes/budget.js';
import { clientPool } from '../helpers/http-client.js';
import { startServer, type RunningServer } from '../../src/server/loopback-server.js';

/**
 * The probe budget against a real loopback server that counts what actually arrives: the count cap is exact
 * (concurrent bursts and redirects included), the deadline is read from a fake clock, waits use an injected
 * sleep, and the user's interrupt ends waits and requests with 'interrupted'. No assertion depends on how
 * long anything takes.
 */
let server: RunningServer;
let arrived = 0;
/** Requests to /hold, unanswered until a test answers them. */
let held: ServerResponse[] = [];
let onHold: (() => void) | undefined;
const clock = { t: 0, now: () => clock.t };

beforeAll(async () => {
  server = await startServer({
    handler: (req, res) => {
      arrived++;
      switch (new URL(req.url ?? '/', 'http://x').pathname) {
        case '/tick':
          // Each request "takes" 100 ms of fake time.
          clock.t += 100;
          res.end('tick');
          return;
        case '/redirect':
          res.writeHead(302, { location: '/ok' }).end();
          return;
        case '/hold':
          held.push(res);
          onHold?.();
          return;
        default:
          res.end('ok');
      }
    },
  });
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  arrived = 0;
  for (const res of held) res.destroy();
  held = [];
  onHold = undefined;
  clock.t = 1_000_000;
});

const clients = clientPool({ clock });

afterEach(async () => {
  await clients.closeAll();
});

const client = clients.make;

/** A sleep that only ends when aborted, recording what was asked: no timer ever fires on its own. */
function neverSleep(asked: number[] = []): Sleep {
  return (ms, signal) => {
    asked.push(ms);
    return new Promise((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  };
}

/** A sleep the test wakes by hand; the latest sleeper is `sleepers.at(-1)`. */
function manualSleep(sleepers: { ms: number; wake: () => void }[]): Sleep {
  return (ms, signal) =>
    new Promise((resolve) => {
      sleepers.push({ ms, wake: resolve });
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
}

/** Sends until the budget says no; the loop is bounded by far more than any budget here. */
async function drain(budget: Budget, path = '/ok'): Promise<number> {
  let answered = 0;
  for (let i = 0; i < 1000; i++) {
    if (!(await budget.request({ url: `${server.url}${path}` }))) break;
    answered++;
  }
  return answered;
}

const far = (): number => clock.t + 3_600_000;
const whenHeld = (): Promise<void> => new Promise((resolve) => (onHold = resolve));

describe('createBudget: the count', () => {
  it.each<{ name: string; budget: number; clientCap: number; want: number }>([
    { name: 'budget 5, client unbounded', budget: 5, clientCap: DEFAULT_HTTP_OPTIONS.maxRequests, want: 5 },
    { name: 'budget 5, client 5', budget: 5, clientCap: 5, want: 5 },
    { name: 'budget 10, client 3: the smaller cap', budget: 10, clientCap: 3, want: 3 },
    { name: 'budget 1', budget: 1, clientCap: 1, want: 1 },
  ])('$name: the server sees exactly $want requests', async ({ budget, clientCap, want }) => {
    const http = client({ maxRequests: clientCap });
    const b = createBudget(
      { maxRequests: budget, deadlineMs: far() },
      { client: http, clock, sleep: neverSleep() },
    );
    expect(b.remaining).toBe(want);
    expect(await drain(b)).toBe(want);
    expect(arrived).toBe(want);
    expect(b.sent).toBe(want);
    expect(b.stopped).toBe('budget');
    expect(b.remaining).toBe(0);
  });

  it('a concurrent burst gets only the permissions there are, before anything is sent', async () => {
    const http = client({ maxRequests: 4 });
    const b = createBudget(
      { maxRequests: 4, deadlineMs: far() },
      { client: http, clock, sleep: neverSleep() },
    );
    const results = await Promise.all(
      Array.from({ length: 10 }, () => b.request({ url: `${server.url}/ok` })),
    );
    expect(results.filter(Boolean)).toHaveLength(4);
    expect(arrived).toBe(4);
    expect(b.stopped).toBe('budget');
  });

  it('redirects count at the client, whose cap is the hard one: the server still sees exactly the cap', async () => {
    const http = client({ maxRequests: 3, followRedirects: true });
    const b = createBudget(
      { maxRequests: 3, deadlineMs: far() },
      { client: http, clock, sleep: neverSleep() },
    );
    // Each /redirect is two requests: the second one's redirect would be the fourth, and is not sent.
    expect(await drain(b, '/redirect')).toBe(1);
    expect(arrived).toBe(3);
    expect(http.sent).toBe(3);
    expect(b.stopped).toBe('budget');
  });

  it('requests sent before the budget was made count against it', async () => {
    const http = client({ maxRequests: 5 });
    await http.request({ url: `${server.url}/ok` });
    const b = createBudget(
      { maxRequests: 5, deadlineMs: far() },
      { client: http, clock, sleep: neverSleep() },
    );
    expect(b.remaining).toBe(4);
    expect(await drain(b)).toBe(4);
    expect(arrived).toBe(5);
  });
});

describe('createBudget: the deadline', () => {
  it('stops at the deadline on the fake clock: nothing is sent at or after it', async () => {
    const http = client();
    const start = clock.t;
    const b = createBudget(
      { maxRequests: 100, deadlineMs: start + 350 },
      { client: http, clock, sleep: neverSleep() },
    );
    // Sent at +0, +100, +200, +300; at +400 the deadline has passed.
    expect(await drain(b, '/tick')).toBe(4);
    expect(arrived).toBe(4);
    expect(b.stopped).toBe('deadline');
    expect(b.timeLeftMs()).toBe(0);
  });

  it('a request still in flight at the deadline is cut off, and the run says deadline', async () => {
    const http = client();
    const sleepers: { ms: number; wake: () => void }[] = [];
    const b = createBudget(
      { maxRequests: 10, deadlineMs: clock.t + 5000 },
      { client: http, clock, sleep: manualSleep(sleepers) },
    );
    const arrival = whenHeld();
    const pending = b.request({ url: `${server.url}/hold` });
    await arrival;
    expect(sleepers.at(-1)!.ms).toBe(5000);
    clock.t += 5000;
    sleepers.at(-1)!.wake();
    expect(await pending).toBeUndefined();
    expect(b.stopped).toBe('deadline');
    expect(arrived).toBe(1);
  });

  it('the clock decides, not the timer: a sleep that wakes early does not cut the request', async () => {
    const http = client();
    const sleepers: { ms: number; wake: () => void }[] = [];
    const b = createBudget(
      { maxRequests: 10, deadlineMs: clock.t + 5000 },
      { client: http, clock, sleep: manualSleep(sleepers) },
    );
    const arrival = whenHeld();
    const pending = b.request({ url: `${server.url}/hold` });
    await arrival;
    sleepers.at(-1)!.wake();
    held[0]!.end('late but in time');
    expect((await pending)?.text()).toBe('late but in time');
    expect(b.stopped).toBeUndefined();
  });

  it.each([
    ['exactly at the deadline', 0],
    ['just past the deadline', 1],
    ['far past the deadline', 3_600_000],
  ])('waitUntil %s returns false at once, without sleeping', async (_name, past) => {
    const asked: number[] = [];
    const http = client();
    const deadlineMs = clock.t + 10_000;
    const b = createBudget(
      { maxRequests: 10, deadlineMs },
      { client: http, clock, sleep: neverSleep(asked) },
    );
    expect(await b.waitUntil(deadlineMs + past)).toBe(false);
    expect(asked).toEqual([]);
    expect(b.stopped).toBe('deadline');
    expect(b.take()).toBe(false);
    expect(arrived).toBe(0);
  });

  it('waitUntil before the deadline sleeps the time asked on the injected sleep, then the run goes on', async () => {
    const asked: number[] = [];
    // The first sleep is the wait, which passes at once on the fake clock; later ones (the request's cut-off
    // at the deadline) never end on their own.
    const never = neverSleep();
    const sleep: Sleep = async (ms, signal) => {
      asked.push(ms);
      if (asked.length > 1) return never(ms, signal);
      clock.t += ms;
    };
    const http = client();
    const start = clock.t;
    const b = createBudget({ maxRequests: 10, deadlineMs: start + 10_000 }, { client: http, clock, sleep });
    expect(await b.waitUntil(start + 3000)).toBe(true);
    expect(asked[0]).toBe(3000);
    expect(clock.t).toBe(start + 3000);
    // A time already past needs no sleep.
    expect(await b.waitUntil(start + 1000)).toBe(true);
    expect(asked).toHaveLength(1);
    expect(b.stopped).toBeUndefined();
    expect(await b.request({ url: `${server.url}/ok` })).toBeDefined();
    expect(arrived).toBe(1);
    // The request was to be cut off at the deadline: the 7 s left.
    expect(asked).toEqual([3000, 7000]);
  });

  it.each([
    [0, 10_000],
    [4000, 6000],
    [10_000, 0],
    [20_000, 0],
  ])('timeLeftMs at +%i is %i', (at, want) => {
    const b = createBudget({ maxRequests: 1, deadlineMs: 10_000 }, { client: client(), clock });
    expect(b.timeLeftMs(at)).toBe(want);
  });
});

describe('createBudget: the interrupt', () => {
  function timeouts(): number {
    return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  }

  it.each(['the budget signal', 'the signal given to waitUntil'])(
    'an abort of %s during a wait on real timers resolves it with false and interrupted, and clears the timer',
    async (which) => {
      const ctl = new AbortController();
      const http = client();
      const b = createBudget(
        { maxRequests: 10, deadlineMs: clock.t + 3_600_000 },
        {
          client: http,
          clock,
          signal: which === 'the budget signal' ? ctl.signal : undefined,
          sleep: timerSleep,
        },
      );
      const before = timeouts();
      // Ten minutes: were the abort not heard, the test would time out long before the wait ended.
      const waiting = b.waitUntil(clock.t + 600_000, which === 'the budget signal' ? undefined : ctl.signal);
      expect(timeouts()).toBe(before + 1);
      ctl.abort();
      expect(await waiting).toBe(false);
      expect(b.stopped).toBe('interrupted');
      expect(timeouts()).toBe(before);
      expect(b.take()).toBe(false);
    },
  );

  it('an interrupt before a request: nothing is sent', async () => {
    const ctl = new AbortController();
    ctl.abort();
    const http = client();
    const b = createBudget(
      { maxRequests: 10, deadlineMs: far() },
      { client: http, clock, signal: ctl.signal },
    );
    expect(await b.request({ url: `${server.url}/ok` })).toBeUndefined();
    expect(await b.waitUntil(clock.t + 1000)).toBe(false);
    expect(b.stopped).toBe('interrupted');
    expect(arrived).toBe(0);
  });

  it.each(['the budget', 'the client'])(
    'an interrupt through %s while a request is in flight ends it with interrupted',
    async (where) => {
      const ctl = new AbortController();
      const http = client(where === 'the client' ? { signal: ctl.signal } : {});
      const b = createBudget(
        { maxRequests: 10, deadlineMs: far() },
        {
          client: http,
          clock,
          signal: where === 'the budget' ? ctl.signal : undefined,
          sleep: neverSleep(),
        },
      );
      const arrival = whenHeld();
      const pending = b.request({ url: `${server.url}/hold` });
      await arrival;
      ctl.abort();
      expect(await pending).toBeUndefined();
      expect(b.stopped).toBe('interrupted');
    },
  );
});

describe('createBudget: stopping', () => {
  it('transport failures are not stops: they throw, for the probe to judge', async () => {
    // A port that was free a moment ago and is closed now: the connection is refused.
    const gone = await startServer({ handler: (_q, r) => r.end() });
    await gone.close();
    const http = client();
    const b = createBudget(
      { maxRequests: 10, deadlineMs: far() },
      { client: http, clock, sleep: neverSleep() },
    );
    await expect(b.request({ url: gone.url })).rejects.toMatchObject({
      code: 'ERR_HTTP_TRANSPORT',
      exitCode: 3,
    });
    expect(b.stopped).toBeUndefined();
  });

  it("stop() records 'done' by default; the first reason wins; nothing is handed out after", () => {
    const b = createBudget({ maxRequests: 10, deadlineMs: far() }, { client: client(), clock });
    expect(b.take()).toBe(true);
    expect(b.remaining).toBe(9);
    expect(b.stop()).toBe('done');
    expect(b.stop('deadline')).toBe('done');
    expect(b.stopped).toBe('done');
    expect(b.take()).toBe(false);
    expect(b.remaining).toBe(0);
  });

  it.each<[string, ProbeBudget]>([
    ['no requests', { maxRequests: 0, deadlineMs: 1 }],
    ['negative requests', { maxRequests: -1, deadlineMs: 1 }],
    ['a fraction of a request', { maxRequests: 1.5, deadlineMs: 1 }],
    ['unbounded requests', { maxRequests: Number.POSITIVE_INFINITY, deadlineMs: 1 }],
    ['no deadline', { maxRequests: 1, deadlineMs: Number.POSITIVE_INFINITY }],
    ['a NaN deadline', { maxRequests: 1, deadlineMs: Number.NaN }],
  ])('%s is refused', (_name, limits) => {
    expect(() => createBudget(limits, { client: client(), clock })).toThrow(
      expect.objectContaining({ code: 'ERR_PROBE_BUDGET', exitCode: 2 }),
    );
  });
});
