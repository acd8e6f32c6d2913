import { getEventListeners } from 'node:events';
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { clientPool } from '../helpers/http-client.js';
import { startServer, type RunningServer } from '../../src/server/loopback-server.js';

/**
 * The client's request path runs on undici's dispatch() with a handler of its own (src/http/exchange.ts): the
 * body cap, the whole-request timeout, aborts and 1xx responses are apikit's code now, not undici.request()'s.
 * These pin what that code could get wrong and the older tests do not reach: a cap exactly at the limit across
 * chunk boundaries, a timeout in the middle of a body that keeps trickling in, aborts before the request reaches
 * the server and before the headers, and many requests in flight that share one signal, all released.
 */
let server: RunningServer;
let arrived = 0;
/** Requests to /hold, unanswered until the test ends. */
let held: ServerResponse[] = [];
let onHold: (() => void) | undefined;
const clients = clientPool();

const letters = 'abcdefghij';
/** The body /chunks?sizes=… sends: chunk i is `sizes[i]` copies of the i-th letter. */
function chunked(sizes: number[]): Buffer {
  return Buffer.concat(sizes.map((n, i) => Buffer.alloc(n, letters[i]!)));
}

beforeAll(async () => {
  server = await startServer({
    handler: (req, res) => {
      arrived++;
      const url = new URL(req.url ?? '/', 'http://x');
      const param = (name: string): string => url.searchParams.get(name) ?? '';
      switch (url.pathname) {
        case '/chunks': {
          // Each chunk written on its own, a pause between: the client sees them as separate reads.
          const sizes = param('sizes') ? param('sizes').split(',').map(Number) : [];
          res.writeHead(200, param('close') ? { connection: 'close' } : {});
          let i = 0;
          const next = (): void => {
            if (i === sizes.length) {
              res.end();
              return;
            }
            res.write(Buffer.alloc(sizes[i]!, letters[i]!));
            i++;
            setTimeout(next, 15);
          };
          next();
          return;
        }
        case '/trickle': {
          // A byte every 40 ms for 1.6 s: no gap comes near an idle timeout, the whole takes long.
          res.writeHead(200);
          let n = 0;
          const timer = setInterval(() => {
            if (res.destroyed || ++n > 40) {
              clearInterval(timer);
              res.end();
              return;
            }
            res.write('.');
          }, 40);
          return;
        }
        case '/stall-body':
          res.writeHead(200);
          res.write('partial');
          held.push(res);
          onHold?.();
          return;
        case '/hold':
          held.push(res);
          onHold?.();
          return;
        case '/early':
          res.writeEarlyHints({ link: '</style.css>; rel=preload' });
          setTimeout(() => res.writeHead(200, { 'x-final': 'yes' }).end('final'), 300);
          return;
        case '/404':
          res.statusCode = 404;
          res.end('nope');
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
});

afterEach(async () => {
  for (const res of held) res.destroy();
  held = [];
  await clients.closeAll();
});

const client = clients.make;

/** Resolves when `count` more requests are held by the server (at /hold or /stall-body). */
function whenHeld(count = 1): Promise<void> {
  const target = held.length + count;
  return new Promise((resolve) => {
    onHold = () => {
      if (held.length >= target) resolve();
    };
  });
}

const host = (): string => new URL(server.url).host;

describe('the body cap, across chunk boundaries', () => {
  it.each<{ name: string; sizes: number[]; cap: number; keep: number; truncated: boolean }>([
    {
      name: 'exactly the cap, over three chunks',
      sizes: [300, 300, 400],
      cap: 1000,
      keep: 1000,
      truncated: false,
    },
    {
      name: 'one byte over, in the last chunk',
      sizes: [300, 300, 401],
      cap: 1000,
      keep: 1000,
      truncated: true,
    },
    {
      name: 'the cap at a chunk boundary, one more byte after',
      sizes: [500, 500, 1],
      cap: 1000,
      keep: 1000,
      truncated: true,
    },
    { name: 'the cap inside the first chunk', sizes: [2000, 10], cap: 1000, keep: 1000, truncated: true },
    { name: 'an empty body, cap 0', sizes: [], cap: 0, keep: 0, truncated: false },
    { name: 'one byte, cap 0', sizes: [1], cap: 0, keep: 0, truncated: true },
  ])(
    '$name: truncateBody keeps $keep bytes (truncated: $truncated)',
    async ({ sizes, cap, keep, truncated }) => {
      const c = client({ maxBodyBytes: cap });
      const res = await c.request({
        url: `${server.url}/chunks?sizes=${sizes.join(',')}`,
        truncateBody: true,
      });
      expect(res.truncated).toBe(truncated);
      expect(res.body.equals(chunked(sizes).subarray(0, keep))).toBe(true);
    },
  );

  it.each<{ name: string; sizes: number[]; cap: number; refused: boolean }>([
    { name: 'exactly the cap, over three chunks', sizes: [300, 300, 400], cap: 1000, refused: false },
    { name: 'one byte over, in the last chunk', sizes: [300, 300, 401], cap: 1000, refused: true },
    {
      name: 'the cap at a chunk boundary, one more byte after',
      sizes: [500, 500, 1],
      cap: 1000,
      refused: true,
    },
    { name: 'one byte, cap 0', sizes: [1], cap: 0, refused: true },
  ])('$name: by default refused: $refused', async ({ sizes, cap, refused }) => {
    const c = client({ maxBodyBytes: cap });
    const pending = c.request({ url: `${server.url}/chunks?sizes=${sizes.join(',')}` });
    if (refused) {
      await expect(pending).rejects.toMatchObject({
        code: 'ERR_HTTP_BODY_TOO_LARGE',
        exitCode: 3,
        message: `response from ${host()} is larger than ${cap} bytes`,
      });
    } else {
      const res = await pending;
      expect(res.truncated).toBe(false);
      expect(res.body.equals(chunked(sizes))).toBe(true);
    }
  });

  it.each(['keep-alive', 'close'])(
    'after a refused and a truncated body (connection: %s) the next request on the client succeeds',
    async (connection) => {
      const c = client({ maxBodyBytes: 100 });
      const url = `${server.url}/chunks?sizes=80,80,80${connection === 'close' ? '&close=1' : ''}`;
      await expect(c.request({ url })).rejects.toMatchObject({ code: 'ERR_HTTP_BODY_TOO_LARGE' });
      expect((await c.request({ url, truncateBody: true })).body.length).toBe(100);
      const ok = await c.request({ url: `${server.url}/ok` });
      expect(ok.text()).toBe('ok');
      expect(arrived).toBe(3);
    },
  );
});

describe('the whole-request timeout', () => {
  it('a body that keeps trickling in still times out at timeoutMs, counted from the start', async () => {
    // Each byte comes long before any idle timeout would fire: only a timer for the whole request ends this.
    const c = client({ timeoutMs: 300 });
    await expect(c.request({ url: `${server.url}/trickle` })).rejects.toMatchObject({
      code: 'ERR_HTTP_TRANSPORT',
      exitCode: 3,
      message: `GET ${host()}: timed out after 300 ms`,
      // what AbortSignal.timeout() aborts with, as before the rewrite
      cause: expect.objectContaining({ name: 'TimeoutError' }),
    });
  });

  it('a timeout that fires mid-body, the headers in and the body stalled', async () => {
    const c = client({ timeoutMs: 300 });
    await expect(c.request({ url: `${server.url}/stall-body` })).rejects.toMatchObject({
      code: 'ERR_HTTP_TRANSPORT',
      message: `GET ${host()}: timed out after 300 ms`,
    });
  });

  it("a request's own timeoutMs wins over the client's", async () => {
    const c = client({ timeoutMs: 60_000 });
    await expect(c.request({ url: `${server.url}/hold`, timeoutMs: 200 })).rejects.toMatchObject({
      message: `GET ${host()}: timed out after 200 ms`,
    });
  });

  it('every timer the client starts is cleared when its request settles, however it ends', async () => {
    // A distinctive timeout picks the client's timers out of everyone else's.
    const timeoutMs = 43_210;
    const realSet = globalThis.setTimeout;
    const realClear = globalThis.clearTimeout;
    const live = new Set<unknown>();
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((
      fn: () => void,
      ms?: number,
      ...args: unknown[]
    ) => {
      const timer = Reflect.apply(realSet, globalThis, [fn, ms, ...args]) as NodeJS.Timeout;
      if (ms === timeoutMs) live.add(timer);
      return timer;
    }) as typeof setTimeout);
    vi.spyOn(globalThis, 'clearTimeout').mockImplementation((timer) => {
      live.delete(timer);
      realClear(timer);
    });
    try {
      const c = client({ timeoutMs, maxBodyBytes: 100 });
      const ctl = new AbortController();
      const arrival = whenHeld();
      const aborted = c.request({ url: `${server.url}/hold`, signal: ctl.signal });
      await arrival;
      expect(live.size).toBe(1);
      ctl.abort();
      const results = await Promise.allSettled([
        aborted,
        c.request({ url: `${server.url}/ok` }),
        c.request({ url: `${server.url}/404` }),
        c.request({ url: `${server.url}/chunks?sizes=80,80` }),
        c.request({ url: `${server.url}/chunks?sizes=80,80`, truncateBody: true }),
      ]);
      expect(results.map((r) => r.status)).toEqual([
        'rejected',
        'fulfilled',
        'fulfilled',
        'rejected',
        'fulfilled',
      ]);
      expect(live.size).toBe(0);
    } finally {
      vi.restoreAllMocks();
    }
  });
});

describe('aborts', () => {
  it('the interrupt before the headers: interrupted, exit 130', async () => {
    const ctl = new AbortController();
    const c = client({ signal: ctl.signal });
    const arrival = whenHeld();
    const pending = c.request({ url: `${server.url}/hold` });
    await arrival;
    ctl.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ERR_INTERRUPTED', exitCode: 130 });
  });

  it.each(['/hold', '/stall-body'])("a caller's signal during %s: aborted, exit 3", async (path) => {
    const ctl = new AbortController();
    const c = client();
    const arrival = whenHeld();
    const pending = c.request({ url: `${server.url}${path}`, signal: ctl.signal });
    await arrival;
    ctl.abort();
    await expect(pending).rejects.toMatchObject({
      code: 'ERR_HTTP_TRANSPORT',
      exitCode: 3,
      message: `GET ${host()}: aborted`,
    });
  });

  it("an abort's own reason is the failure's cause", async () => {
    const ctl = new AbortController();
    const c = client();
    const arrival = whenHeld();
    const pending = c.request({ url: `${server.url}/hold`, signal: ctl.signal });
    await arrival;
    const reason = new Error('the caller gave up');
    ctl.abort(reason);
    await expect(pending).rejects.toMatchObject({
      message: `GET ${host()}: the caller gave up`,
      cause: reason,
    });
  });

  it.each([
    ['a caller signal', 'ERR_HTTP_TRANSPORT'],
    ['the interrupt', 'ERR_INTERRUPTED'],
  ])('%s aborted before the request: it fails and nothing reaches the server', async (which, code) => {
    const ctl = new AbortController();
    ctl.abort();
    const c = client(which === 'the interrupt' ? { signal: ctl.signal } : {});
    await expect(
      c.request({ url: `${server.url}/ok`, signal: which === 'the interrupt' ? undefined : ctl.signal }),
    ).rejects.toMatchObject({ code });
    expect(c.sent).toBe(1);
    expect(arrived).toBe(0);
  });

  it('one interrupt ends every request in flight at once', async () => {
    const ctl = new AbortController();
    const c = client({ signal: ctl.signal, concurrency: 10 });
    const arrival = whenHeld(10);
    const pending = Array.from({ length: 10 }, () => c.request({ url: `${server.url}/hold` }));
    await arrival;
    ctl.abort();
    const results = await Promise.allSettled(pending);
    expect(
      results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : r.status)),
    ).toEqual(Array(10).fill('ERR_INTERRUPTED'));
  });
});

describe('many requests in flight', () => {
  it('sixteen at once share one signal and the interrupt: no listener warning, no listener left after', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on('warning', onWarning);
    const interrupt = new AbortController().signal;
    const shared = new AbortController().signal;
    try {
      const c = client({ signal: interrupt, concurrency: 16 });
      const results = await Promise.all(
        Array.from({ length: 48 }, () => c.request({ url: `${server.url}/ok`, signal: shared })),
      );
      expect(results.every((r) => r.status === 200)).toBe(true);
      // A warning is emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
      expect(getEventListeners(shared, 'abort')).toHaveLength(0);
      expect(getEventListeners(interrupt, 'abort')).toHaveLength(0);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('twelve clients on one interrupt (ctx.signal is every client’s), a request each in flight: no warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on('warning', onWarning);
    const ctl = new AbortController();
    try {
      const arrival = whenHeld(12);
      const pending = Array.from({ length: 12 }, () =>
        client({ signal: ctl.signal }).request({ url: `${server.url}/hold` }),
      );
      await arrival;
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
      ctl.abort();
      const results = await Promise.allSettled(pending);
      expect(
        results.every(
          (r) => r.status === 'rejected' && (r.reason as { code: string }).code === 'ERR_INTERRUPTED',
        ),
      ).toBe(true);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('requests that fail every way release their slots: the client goes on at full concurrency', async () => {
    const c = client({ concurrency: 3, maxBodyBytes: 100 });
    const ctl = new AbortController();
    const arrival = whenHeld(3);
    const failing = [
      ...Array.from({ length: 3 }, () => c.request({ url: `${server.url}/hold`, signal: ctl.signal })),
      ...Array.from({ length: 3 }, () => c.request({ url: `${server.url}/hold`, timeoutMs: 100 })),
      ...Array.from({ length: 3 }, () => c.request({ url: `${server.url}/chunks?sizes=80,80` })),
      ...Array.from({ length: 3 }, () => c.request({ url: `${server.url}/404` })),
      c.request({ url: 'http://127.0.0.1:1/refused' }),
    ];
    await arrival;
    ctl.abort();
    const results = await Promise.allSettled(failing);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(10);
    // Were a slot lost, one of these would wait for ever (and the test time out).
    const arrivedBefore = arrived;
    const again = await Promise.all(Array.from({ length: 6 }, () => c.request({ url: `${server.url}/ok` })));
    expect(again.map((r) => r.text())).toEqual(Array(6).fill('ok'));
    expect(arrived - arrivedBefore).toBe(6);
  });
});

describe('what undici.request() did that dispatch() does not', () => {
  it('a 103 Early Hints is skipped: status, headers and the time to headers are the final response’s', async () => {
    const c = client();
    const res = await c.request({ url: `${server.url}/early` });
    expect(res.status).toBe(200);
    expect(res.header('x-final')).toBe('yes');
    expect(res.header('link')).toBeUndefined();
    expect(res.text()).toBe('final');
    // The server sends the final response 300 ms after the hint.
    expect(res.timing.headersMs).toBeGreaterThanOrEqual(250);
  });

  it('CONNECT is refused as undici.request() refused it, and nothing is sent', async () => {
    const c = client();
    await expect(c.request({ method: 'CONNECT', url: `${server.url}/ok` })).rejects.toMatchObject({
      code: 'ERR_HTTP_TRANSPORT',
      message: `CONNECT ${host()}: UND_ERR_INVALID_ARG: invalid method`,
    });
    expect(arrived).toBe(0);
  });

  it.each([1.5, 2 ** 32])('a timeout of %s ms is refused as AbortSignal.timeout() refused it', async (ms) => {
    const c = client();
    await expect(c.request({ url: `${server.url}/ok`, timeoutMs: ms })).rejects.toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
    });
    expect(arrived).toBe(0);
  });
});
