import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseRateLimitHeaders, primaryState } from '../../src/lib/ratelimit/headers.js';
import { API_POLICIES } from '../../src/sandbox/api/index.js';
import { memoryLimiter } from '../../src/sandbox/limiter/index.js';
import { call, OTHER_SERVICE, SERVICE, startApiFixture, type ApiFixture } from './api-support.js';
import { problemOf } from './api-http.js';

/**
 * The API's token buckets, per client, with the limiter's clock frozen (the API's own clock is real, for the
 * tokens' exp): exactly a burst's worth is accepted, the next is a 429 problem with a true Retry-After, and
 * each client — API key, token subject (the client id for client credentials), address — has its own bucket;
 * /v1/auth/… has the stricter one. Time moves only when the test says so.
 */

let nowMs = 1_800_000_000_000;
let f: ApiFixture;
let tokenA: string;
let tokenB: string;

beforeAll(async () => {
  f = await startApiFixture({
    limiter: memoryLimiter({ now: () => nowMs }),
    keys: { one: ['read:posts'], two: ['read:posts'], three: ['read:posts'] },
  });
  [tokenA, tokenB] = await Promise.all([
    f.token('read:posts', SERVICE),
    f.token('read:posts', OTHER_SERVICE),
  ]);
});
afterAll(async () => {
  await f?.close();
});
beforeEach(() => {
  // A fresh start for every test: long enough for every bucket to be full again.
  nowMs += 3_600_000;
});

async function burst(url: string, headers: Record<string, string>, n: number, init: RequestInit = {}) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await call(url, { ...init, headers }));
  return out;
}

const { default: def, auth } = API_POLICIES;

describe('the default bucket', () => {
  it(`accepts exactly ${def.capacity} back-to-back, then 429 problem+json with Retry-After and every header`, async () => {
    const answers = await burst(`${f.apiUrl}/v1/posts`, { 'x-api-key': f.keys.one! }, def.capacity + 1);
    expect(answers.slice(0, -1).every((a) => a.status === 200)).toBe(true);
    expect(answers.slice(0, -1).map((a) => a.headers.get('x-ratelimit-remaining'))).toEqual(
      Array.from({ length: def.capacity }, (_, i) => String(def.capacity - 1 - i)),
    );
    const limited = answers.at(-1)!;
    expect(limited.status).toBe(429);
    expect(problemOf(limited).type).toBe(`${f.apiUrl}/problems/rate-limited`);
    // One token returns in 1/rate s: the whole-second Retry-After is that, rounded up — never shorter.
    expect(limited.headers.get('retry-after')).toBe(String(Math.ceil(1 / def.refillPerSecond)));
    expect(limited.headers.get('ratelimit')).toBe(
      `"default";r=0;t=${Math.ceil(def.capacity / def.refillPerSecond)}`,
    );
    expect(limited.headers.get('ratelimit-policy')).toBe(
      `"default";q=${def.capacity};w=${Math.ceil(def.capacity / def.refillPerSecond)}`,
    );
    // The probe's own header readers find nothing wrong and read the same numbers.
    const parsed = parseRateLimitHeaders(Object.fromEntries(limited.headers), { receivedAtMs: Date.now() });
    expect(parsed.problems).toEqual([]);
    expect(primaryState(parsed)).toMatchObject({ limit: def.capacity, remaining: 0 });
    expect(parsed.retry_after_s).toBe(1);
  });

  it('refills at its rate: one second later exactly rate × 1 s more are accepted', async () => {
    const url = `${f.apiUrl}/v1/posts`;
    const key = { 'x-api-key': f.keys.two! };
    await burst(url, key, def.capacity + 1);
    nowMs += 1000;
    const after = await burst(url, key, def.refillPerSecond + 1);
    expect(after.map((a) => a.status)).toEqual([...Array(def.refillPerSecond).fill(200), 429]);
  });

  it('each client has its own bucket: two API keys, two clients (sub = client id), and the address', async () => {
    const url = `${f.apiUrl}/v1/posts`;
    await burst(url, { 'x-api-key': f.keys.one! }, def.capacity + 1);
    expect((await call(url, { headers: { 'x-api-key': f.keys.one! } })).status).toBe(429);
    expect((await call(url, { headers: { 'x-api-key': f.keys.three! } })).status).toBe(200);

    await burst(url, { authorization: `Bearer ${tokenA}` }, def.capacity);
    expect((await call(url, { headers: { authorization: `Bearer ${tokenA}` } })).status).toBe(429);
    expect((await call(url, { headers: { authorization: `Bearer ${tokenB}` } })).status).toBe(200);
    // A second token of the same client draws from the same bucket: the subject is the client, not the token.
    const tokenA2 = await f.token('read:posts', SERVICE);
    expect(tokenA2).not.toBe(tokenA);
    expect((await call(url, { headers: { authorization: `Bearer ${tokenA2}` } })).status).toBe(429);

    // Neither spent the anonymous bucket of the address.
    expect((await call(url)).status).toBe(401);
  });

  it('failed authentication counts against the address: a guesser meets 429, not endless 401s', async () => {
    const answers = await burst(`${f.apiUrl}/v1/posts`, { 'x-api-key': 'ak_test_guess' }, def.capacity + 1);
    expect(answers.slice(0, -1).every((a) => a.status === 401)).toBe(true);
    expect(answers.at(-1)!.status).toBe(429);
    expect(answers[0]!.headers.get('x-ratelimit-limit')).toBe(String(def.capacity));
  });
});

describe('the auth bucket', () => {
  it(`POST /v1/auth/token-check: ${auth.capacity}, then 429; the default bucket of the same key is untouched`, async () => {
    const key = { 'x-api-key': f.keys.three! };
    const answers = await burst(`${f.apiUrl}/v1/auth/token-check`, key, auth.capacity + 1, {
      method: 'POST',
    });
    expect(answers.map((a) => a.status)).toEqual([...Array(auth.capacity).fill(200), 429]);
    expect(answers[0]!.body).toMatchObject({ active: true, via: 'api-key', subject: 'key-three' });
    expect(answers[0]!.headers.get('ratelimit-policy')).toBe(
      `"auth";q=${auth.capacity};w=${Math.ceil(auth.capacity / auth.refillPerSecond)}`,
    );
    expect(answers.at(-1)!.headers.get('retry-after')).toBe(String(Math.ceil(1 / auth.refillPerSecond)));
    expect((await call(`${f.apiUrl}/v1/posts`, { headers: key })).status).toBe(200);
  });

  it('token-check says who the token is: the client id as subject, its scopes and expiry', async () => {
    const r = await call(`${f.apiUrl}/v1/auth/token-check`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokenB}` },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      via: 'bearer',
      subject: OTHER_SERVICE.clientId,
      client_id: OTHER_SERVICE.clientId,
      scopes: ['read:posts'],
    });
    expect(typeof (r.body as { expires_at: unknown }).expires_at).toBe('number');
    const anonymous = await call(`${f.apiUrl}/v1/auth/token-check`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
  });
});
