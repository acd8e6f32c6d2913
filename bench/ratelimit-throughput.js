// Request-engine throughput: the path `apikit probe ratelimit` sends through (createBudget's request() over
// createHttpClient, C requests in flight) against autocannon (a devDependency, its programmatic API) on the same
// loopback server, in the same run. Every round runs every case once, in a rotating order, so that machine noise
// (2 cores, tests running meanwhile) hits all alike; each case sends the same number of requests over the same
// number of connections (C; undici opens one per request in flight, autocannon `connections: C`, neither
// pipelines) on a fresh client, connection set-up included. The ratio is the median of the per-round ratios.
// Three more rows split the engine's cost into layers: bare undici.request() on one Agent; bare undici dispatch()
// on one Agent with a handler that keeps nothing (what the client is built on: the floor of any undici-based
// engine); and the client without the budget. The server runs in a child process (bench/ok-server.js), so its CPU
// is not the client's.
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { once } from 'node:events';
import autocannon from 'autocannon';
import { Agent, request } from 'undici';

const clock = { now: () => Date.now() };
// The command hands ctx.signal (Ctrl-C) to both the client and the budget; so does the bench, as each request's
// cost depends on the signals it has to combine.
const interrupt = new AbortController().signal;

export const ENGINE_TARGET = 0.8;

/** Starts bench/ok-server.js in a child process; resolves { url, close }. */
export async function startOkServer() {
  const child = fork(join(import.meta.dirname, 'ok-server.js'), [], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const [{ port }] = await once(child, 'message');
  return {
    url: `http://127.0.0.1:${port}/`,
    async close() {
      const exited = once(child, 'exit');
      child.disconnect();
      await exited;
    },
  };
}

/** Runs `worker` C times in parallel until each returns false; resolves the number of 200s. */
async function inParallel(c, worker) {
  let ok = 0;
  await Promise.all(
    Array.from({ length: c }, async () => {
      for (;;) {
        const status = await worker();
        if (status === null) return;
        if (status === 200) ok++;
      }
    }),
  );
  return ok;
}

/** The cases, each `run(url, n, c)` → { ms, ok } (ms: first request to last response). */
export function throughputCases({ createHttpClient, DEFAULT_HTTP_OPTIONS, createBudget, Redactor }) {
  const makeClient = (n, c) =>
    createHttpClient({
      ...DEFAULT_HTTP_OPTIONS,
      userAgent: 'apikit-bench',
      headers: {},
      redactor: new Redactor(),
      clock,
      maxRequests: n,
      concurrency: c,
      // the probe's default per-request timeout (--timeout)
      timeoutMs: 10_000,
      signal: interrupt,
    });
  return [
    {
      name: 'autocannon',
      baseline: true,
      async run(url, n, c) {
        // autocannon notices that `amount` is reached only at its next sample tick (every second), so its own
        // duration is quantised to whole seconds: the clock stops at the last response instead.
        const t0 = performance.now();
        let last = t0;
        const instance = autocannon({ url, connections: c, amount: n, pipelining: 1, timeout: 10 });
        instance.on('response', () => (last = performance.now()));
        const r = await instance;
        return { ms: last - t0, ok: r['2xx'], errors: r.errors + r.timeouts + r.non2xx };
      },
    },
    {
      name: 'undici.request (one Agent)',
      async run(url, n, c) {
        const agent = new Agent({ connect: { timeout: 10_000 } });
        let left = n;
        const t0 = performance.now();
        const ok = await inParallel(c, async () => {
          if (left-- <= 0) return null;
          const res = await request(url, { dispatcher: agent, headers: { 'user-agent': 'apikit-bench' } });
          for await (const _ of res.body);
          return res.statusCode;
        });
        const ms = performance.now() - t0;
        await agent.close();
        return { ms, ok, errors: n - ok };
      },
    },
    {
      name: 'undici dispatch() (one Agent)',
      async run(url, n, c) {
        const agent = new Agent({ connect: { timeout: 10_000 } });
        const { origin, pathname } = new URL(url);
        const exchange = () =>
          new Promise((resolve, reject) => {
            let status = 0;
            agent.dispatch(
              { origin, path: pathname, method: 'GET', headers: { 'user-agent': 'apikit-bench' } },
              {
                onRequestStart() {},
                onResponseStart(_controller, statusCode) {
                  status = statusCode;
                },
                onResponseData() {},
                onResponseEnd: () => resolve(status),
                onResponseError: (_controller, err) => reject(err),
              },
            );
          });
        let left = n;
        const t0 = performance.now();
        const ok = await inParallel(c, async () => (left-- <= 0 ? null : exchange()));
        const ms = performance.now() - t0;
        await agent.close();
        return { ms, ok, errors: n - ok };
      },
    },
    {
      name: 'apikit client.request',
      async run(url, n, c) {
        const client = makeClient(n, c);
        let left = n;
        const t0 = performance.now();
        const ok = await inParallel(c, async () => {
          if (left-- <= 0) return null;
          return (await client.request({ url })).status;
        });
        const ms = performance.now() - t0;
        await client.close();
        return { ms, ok, errors: n - ok };
      },
    },
    {
      name: 'apikit engine (budget.request)',
      engine: true,
      async run(url, n, c) {
        const client = makeClient(n, c);
        const budget = createBudget(
          { maxRequests: n, deadlineMs: clock.now() + 600_000 },
          { client, clock, signal: interrupt },
        );
        const t0 = performance.now();
        const ok = await inParallel(c, async () => {
          const res = await budget.request({ url });
          return res ? res.status : null;
        });
        const ms = performance.now() - t0;
        await client.close();
        return { ms, ok, errors: n - ok };
      },
    },
  ];
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * → rows { concurrency, name, requests, rounds, medianReqPerSec, cpuUsPerRequest, ratio (median per-round ratio
 * to autocannon), target (engine row only), errors }. Before the counted rounds every case sends at least
 * `warmupRequests` in rounds that are not counted.
 */
export async function benchEngineThroughput(
  modules,
  { rounds = 5, requests = 5000, concurrencies = [1, 10], warmupRequests = 20_000 } = {},
) {
  const server = await startOkServer();
  const cases = throughputCases(modules);
  const rows = [];
  try {
    for (const c of concurrencies) {
      const rps = new Map(cases.map((k) => [k.name, []]));
      const cpu = new Map(cases.map((k) => [k.name, []]));
      const errors = new Map(cases.map((k) => [k.name, 0]));
      // Warm-up rounds, not counted: JIT, connection caches, the server's own warm-up. Measured: autocannon, bare
      // undici and the engine alike run slower for their first ten thousand or so requests, so a single round of
      // 5000 left the first counted rounds still warming (the engine's longer code path the most).
      const warmup = Math.max(1, Math.ceil(warmupRequests / requests));
      for (let round = -warmup; round < rounds; round++) {
        const shift = ((round % cases.length) + cases.length) % cases.length;
        const order = [...cases.slice(shift), ...cases.slice(0, shift)];
        for (const k of order) {
          const cpu0 = process.cpuUsage();
          const r = await k.run(server.url, requests, c);
          const used = process.cpuUsage(cpu0);
          if (round < 0) continue;
          rps.get(k.name).push((requests / r.ms) * 1000);
          cpu.get(k.name).push((used.user + used.system) / requests);
          errors.set(k.name, errors.get(k.name) + r.errors);
        }
      }
      const base = rps.get(cases.find((k) => k.baseline).name);
      for (const k of cases) {
        const mine = rps.get(k.name);
        rows.push({
          concurrency: c,
          name: k.name,
          requests,
          rounds,
          medianReqPerSec: Math.round(median(mine)),
          // this process's CPU (user + system) per request: the client's own cost, less sensitive to the load
          // than req/s (the server's CPU is its child's)
          cpuUsPerRequest: Number(median(cpu.get(k.name)).toFixed(1)),
          ratio: Number(median(mine.map((x, i) => x / base[i])).toFixed(3)),
          target: k.engine ? ENGINE_TARGET : null,
          errors: errors.get(k.name),
        });
      }
    }
  } finally {
    await server.close();
  }
  return rows;
}
