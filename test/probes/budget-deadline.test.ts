import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBudget, timerSleep, type Sleep } from '../../src/probes/budget.js';
import { clientPool } from '../helpers/http-client.js';
import { startServer, type RunningServer } from '../../src/server/loopback-server.js';

/**
 * How the budget cuts requests at the deadline. The deadline is absolute, so one sleep (on the injected Sleep)
 * and one signal serve every request in flight: started by the first request out, stopped a turn of the event loop
 * after the last one is back, started again by the next. These pin what that sharing could get wrong: a request
 * left without a cut, a sleep (a timer) that outlives the requests, a caller's own signal lost on the way.
 */
let server: RunningServer;
let arrived = 0;
let held: ServerResponse[] = [];
let onHold: (() => void) | undefined;
const clock = { t: 0, now: () => clock.t };
const clients = clientPool({ clock });

beforeAll(async () => {
  server = await startServer({
    handler: (req, res) => {
      arrived++;
      const url = new URL(req.url ?? '/', 'http://x');
      const ms = Number(url.searchParams.get('ms'));
      switch (url.pathname) {
        case '/hold':
          held.push(res);
          onHold?.();
          return;
        case '/slow':
          setTimeout(() => res.end('slow'), ms);
          return;
        case '/slow-redirect':
          setTimeout(() => res.writeHead(302, { location: `/slow?ms=${ms}` }).end(), ms);
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
  onHold = undefined;
  clock.t = 1_000_000;
});

afterEach(async () => {
  for (const res of held) res.destroy();
  held = [];
  await clients.closeAll();
});

const client = clients.make;

interface Sleeper {
  ms: number;
  signal: AbortSignal;
  wake: () => void;
}

/** A sleep the test wakes by hand, recording each call; an abort ends it too. */
function manualSleep(sleepers: Sleeper[]): Sleep {
  return (ms, signal) =>
    new Promise((resolve) => {
      sleepers.push({ ms, signal, wake: resolve });
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
}

function whenHeld(count = 1): Promise<void> {
  const target = held.length + count;
  return new Promise((resolve) => {
    onHold = () => {
      if (held.length >= target) resolve();
    };
  });
}

/** One turn of the event loop: what the budget waits before it stops an idle sleep. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('the deadline cut', () => {
  it('back-to-back requests share one sleep, asked for the time left; it is stopped once they are over', async () => {
    const sleepers: Sleeper[] = [];
    const b = createBudget(
      { maxRequests: 10, deadlineMs: clock.t + 60_000 },
      { client: client(), clock, sleep: manualSleep(sleepers) },
    );
    for (let i = 0; i < 5; i++) expect(await b.request({ url: `${server.url}/ok` })).toBeDefined();
    expect(sleepers.map((s) => s.ms)).toEqual([60_000]);
    await turn();
    expect(sleepers[0]!.signal.aborted).toBe(true);
    expect(arrived).toBe(5);
  });

  it('a request after an idle turn gets a sleep of its own, and the deadline cuts it', async () => {
    const sleepers: Sleeper[] = [];
    const b = createBudget(
      { maxRequests: 10, deadlineMs: clock.t + 60_000 },
      { client: client(), clock, sleep: manualSleep(sleepers) },
    );
    await b.request({ url: `${server.url}/ok` });
    await turn();
    clock.t += 20_000;
    const arrival = whenHeld();
    const pending = b.request({ url: `${server.url}/hold` });
    await arrival;
    expect(sleepers.map((s) => s.ms)).toEqual([60_000, 40_000]);
    clock.t += 40_000;
    sleepers[1]!.wake();
    expect(await pending).toBeUndefined();
    expect(b.stopped).toBe('deadline');
  });

  it('every request in flight at the deadline is cut, by the one sleep', async () => {
    const sleepers: Sleeper[] = [];
    const b = createBudget(
      { maxRequests: 10, deadlineMs: clock.t + 5000 },
      { client: client(), clock, sleep: manualSleep(sleepers) },
    );
    const arrival = whenHeld(3);
    const pending = Array.from({ length: 3 }, () => b.request({ url: `${server.url}/hold` }));
    await arrival;
    expect(sleepers).toHaveLength(1);
    clock.t += 5000;
    sleepers[0]!.wake();
    expect(await Promise.all(pending)).toEqual([undefined, undefined, undefined]);
    expect(b.stopped).toBe('deadline');
  });

  it('a request sent while another is still out after the sleep woke early gets a sleep of its own', async () => {
    const sleepers: Sleeper[] = [];
    const b = createBudget(
      { maxRequests: 10, deadlineMs: clock.t + 5000 },
      { client: client(), clock, sleep: manualSleep(sleepers) },
    );
    const first = whenHeld();
    const early = b.request({ url: `${server.url}/hold` });
    await first;
    // Woken before the deadline on the clock: nothing is cut.
    sleepers[0]!.wake();
    await turn();
    const second = whenHeld();
    const late = b.request({ url: `${server.url}/hold` });
    await second;
    expect(sleepers).toHaveLength(2);
    clock.t += 5000;
    sleepers[1]!.wake();
    expect(await late).toBeUndefined();
    expect(b.stopped).toBe('deadline');
    // The deadline is the run's: the first request, still out, is cut with the second.
    expect(await early).toBeUndefined();
  });

  it('on real timers, no timer outlives the requests', async () => {
    const timeouts = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timeouts();
    const b = createBudget(
      { maxRequests: 20, deadlineMs: clock.t + 3_600_000 },
      { client: client(), clock, sleep: timerSleep },
    );
    const results = await Promise.all(
      Array.from({ length: 10 }, () => b.request({ url: `${server.url}/ok` })),
    );
    expect(results.every((r) => r?.status === 200)).toBe(true);
    await turn();
    // At most as many as before: a timer of the process's own (a pooled socket's, an earlier test's) may end
    // meanwhile, and did on Node 24; one that the budget or the client left behind would make it more.
    expect(timeouts()).toBeLessThanOrEqual(before);
  });
});

describe('the deadline cut on real timers: the whole request, not only its first hop on a socket', () => {
  // The client's timeout (900 ms) is shorter than the time left (1000 ms), yet the request can outlive the deadline:
  // what the budget cuts is everything between its permission and the answer.
  it('a request queued in the client behind another is cut at the deadline', async () => {
    const realClock = { now: () => Date.now() };
    const http = client({ clock: realClock, concurrency: 1, timeoutMs: 900 });
    const b = createBudget(
      { maxRequests: 10, deadlineMs: Date.now() + 1000 },
      { client: http, clock: realClock, sleep: timerSleep },
    );
    // The first is answered after 700 ms; the second waits for it, then for 700 ms more.
    const [first, second] = await Promise.all([
      b.request({ url: `${server.url}/slow?ms=700` }),
      b.request({ url: `${server.url}/slow?ms=700` }),
    ]);
    expect(second).toBeUndefined();
    expect(b.stopped).toBe('deadline');
    expect(first === undefined || first.text() === 'slow').toBe(true);
  });

  it('a redirect chain that would end past the deadline is cut at it', async () => {
    const realClock = { now: () => Date.now() };
    const http = client({ clock: realClock, timeoutMs: 900, followRedirects: true });
    const b = createBudget(
      { maxRequests: 10, deadlineMs: Date.now() + 1000 },
      { client: http, clock: realClock, sleep: timerSleep },
    );
    // Two hops of 600 ms each.
    expect(await b.request({ url: `${server.url}/slow-redirect?ms=600` })).toBeUndefined();
    expect(b.stopped).toBe('deadline');
  });
});

describe('signals through the budget', () => {
  it.each(['far from', 'near'])(
    "a caller's own signal reaches the request %s the deadline: aborted, thrown as a transport failure",
    async (where) => {
      const ctl = new AbortController();
      const b = createBudget(
        { maxRequests: 10, deadlineMs: clock.t + (where === 'near' ? 5000 : 3_600_000) },
        { client: client(), clock, sleep: manualSleep([]) },
      );
      const arrival = whenHeld();
      const pending = b.request({ url: `${server.url}/hold`, signal: ctl.signal });
      await arrival;
      ctl.abort();
      await expect(pending).rejects.toMatchObject({ code: 'ERR_HTTP_TRANSPORT', message: /: aborted$/ });
      expect(b.stopped).toBeUndefined();
    },
  );

  it.each<[string, 'client' | 'budget' | 'both']>([
    ["the client's and the budget's signal are one (as the command builds them)", 'both'],
    ["only the client's", 'client'],
    ["only the budget's", 'budget'],
  ])('an interrupt when %s, with a caller signal too: interrupted', async (_name, where) => {
    const interrupt = new AbortController();
    const caller = new AbortController();
    const b = createBudget(
      { maxRequests: 10, deadlineMs: clock.t + 3_600_000 },
      {
        client: client(where === 'budget' ? {} : { signal: interrupt.signal }),
        clock,
        signal: where === 'client' ? undefined : interrupt.signal,
        sleep: manualSleep([]),
      },
    );
    const arrival = whenHeld();
    const pending = b.request({ url: `${server.url}/hold`, signal: caller.signal });
    await arrival;
    interrupt.abort();
    expect(await pending).toBeUndefined();
    expect(b.stopped).toBe('interrupted');
    expect(caller.signal.aborted).toBe(false);
  });
});
