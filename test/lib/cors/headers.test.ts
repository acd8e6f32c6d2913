import { describe, expect, it } from 'vitest';
import {
  parseCorsHeaders,
  parseMaxAge,
  parseTokenList,
  rateLimitHeaderNames,
  varyCoversOrigin,
} from '../../../src/lib/cors/headers.js';

describe('parseCorsHeaders', () => {
  it('reads every field, null when absent', () => {
    expect(
      parseCorsHeaders({
        'access-control-allow-origin': 'https://app.example.com',
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'authorization',
        'access-control-expose-headers': 'ratelimit',
        'access-control-max-age': '600',
        vary: 'Origin',
        'content-type': 'application/json',
      }),
    ).toEqual({
      acao: 'https://app.example.com',
      acac: 'true',
      acam: 'GET, POST',
      acah: 'authorization',
      aceh: 'ratelimit',
      max_age: '600',
      vary: 'Origin',
    });
    expect(parseCorsHeaders({})).toEqual({
      acao: null,
      acac: null,
      acam: null,
      acah: null,
      aceh: null,
      max_age: null,
      vary: null,
    });
  });
  it('joins repeated fields with ", " (as the browser sees them) and trims spaces and tabs', () => {
    const h = parseCorsHeaders({
      'access-control-allow-origin': ['https://a.example', 'https://b.example'],
      vary: ['Accept-Encoding', ' Origin\t'],
    });
    expect(h.acao).toBe('https://a.example, https://b.example');
    expect(h.vary).toBe('Accept-Encoding, Origin');
  });
  it('keeps an empty value distinct from an absent one, and finds mixed-case names', () => {
    expect(parseCorsHeaders({ 'access-control-allow-origin': '' }).acao).toBe('');
    expect(parseCorsHeaders({ 'Access-Control-Allow-Origin': '*' }).acao).toBe('*');
  });
  it('lists the rate-limit headers present', () => {
    const h = parseCorsHeaders({
      'x-ratelimit-remaining': '5',
      RateLimit: '"d";r=5;t=1',
      'retry-after': '3',
      'x-rate-limit-limit': '10',
      'ratelimit-policy': '"d";q=10;w=1',
      'x-request-id': 'a',
    });
    expect(h.rate_limit_headers).toEqual([
      'ratelimit',
      'ratelimit-policy',
      'retry-after',
      'x-rate-limit-limit',
      'x-ratelimit-remaining',
    ]);
    expect(rateLimitHeaderNames({ 'x-ratelimited-by': 'a', ratelimiter: 'b' })).toEqual([]);
  });
});

describe('parseTokenList', () => {
  it.each<[string | null, boolean, string[] | null]>([
    [null, false, []],
    ['', false, []],
    ['GET, POST ,PUT', false, ['GET', 'POST', 'PUT']],
    [',,GET,,', false, ['GET']],
    ['Authorization, X-Api-Key', true, ['authorization', 'x-api-key']],
    ['*', true, ['*']],
    ['GET POST', false, null],
    ['x-a, "quoted"', true, null],
    ['a;b', true, null],
  ])('%j → %j', (value, lower, want) => expect(parseTokenList(value, lower)).toEqual(want));
});

describe('parseMaxAge and varyCoversOrigin', () => {
  it.each<[string | null, number | null]>([
    [null, null],
    ['600', 600],
    ['0', 0],
    ['-1', null],
    ['1.5', null],
    [' 600', null],
    ['600, 600', null],
    ['9'.repeat(400), Number.MAX_SAFE_INTEGER],
  ])('max-age %j → %j', (v, want) => expect(parseMaxAge(v)).toBe(want));
  it.each<[string | null, boolean]>([
    [null, false],
    ['Origin', true],
    ['accept-encoding, origin', true],
    ['*', true],
    ['Origins', false],
    ['Accept-Encoding', false],
  ])('vary %j → %s', (v, want) => expect(varyCoversOrigin(v)).toBe(want));
});
