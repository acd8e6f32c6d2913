import { describe, expect, it } from 'vitest';
import {
  corsUnsafeRequestHeaderNames,
  isSafelistedMethod,
  isSafelistedRequestHeader,
  normalizeMethod,
} from '../../../src/lib/cors/fetch-rules.js';

/** https://fetch.spec.whatwg.org/#cors-safelisted-request-header and friends, row by row. */
describe('isSafelistedRequestHeader', () => {
  it.each<[string, string, boolean]>([
    ['Accept', 'application/json', true],
    ['accept', '*/*', true],
    ['Accept', 'text/"html"', false], // " is a CORS-unsafe request-header byte
    ['Accept-Language', 'en-US,en;q=0.9', true],
    ['Accept-Language', 'en/US', false],
    ['Content-Language', 'de-DE', true],
    ['Content-Type', 'text/plain', true],
    ['Content-Type', 'text/plain;charset=UTF-8', true],
    ['Content-Type', 'application/x-www-form-urlencoded', true],
    ['Content-Type', 'multipart/form-data; boundary=x', true],
    ['Content-Type', 'TEXT/PLAIN', true], // the essence is lower-cased
    ['Content-Type', 'application/json', false],
    ['Content-Type', 'text/plain; x={y}', false], // { and } are unsafe bytes
    ['Content-Type', 'text', false],
    ['Range', 'bytes=0-', true],
    ['Range', 'bytes=0-499', true],
    ['Range', 'bytes=-500', false],
    ['Range', 'bytes=500-100', false],
    ['Range', 'bytes=0-1,5-6', false],
    ['Accept', 'a'.repeat(129), false], // over 128 bytes
    ['Authorization', 'Bearer x', false],
    ['X-API-Key', 'k', false],
  ])('%s: %s → %s', (name, value, want) => {
    expect(isSafelistedRequestHeader(name, value)).toBe(want);
  });
});

describe('corsUnsafeRequestHeaderNames', () => {
  it('lower-cases, sorts and de-duplicates the unsafe names', () => {
    expect(
      corsUnsafeRequestHeaderNames([
        ['X-API-Key', 'k'],
        ['Authorization', 'Bearer x'],
        ['Content-Type', 'application/json'],
        ['Accept', 'application/json'],
        ['x-api-key', 'k2'],
      ]),
    ).toEqual(['authorization', 'content-type', 'x-api-key']);
  });
  it('all safelisted values together over 1024 bytes make them unsafe too', () => {
    const long = 'a'.repeat(120);
    const headers = Array.from(
      { length: 9 },
      (_, i) => [i % 2 ? 'Accept' : 'Accept-Language', long] as const,
    );
    expect(corsUnsafeRequestHeaderNames(headers)).toEqual(['accept', 'accept-language']);
    expect(corsUnsafeRequestHeaderNames(headers.slice(0, 8))).toEqual([]);
  });
});

describe('methods', () => {
  it.each<[string, string, boolean]>([
    ['get', 'GET', true],
    ['post', 'POST', true],
    ['Head', 'HEAD', true],
    ['delete', 'DELETE', false],
    ['put', 'PUT', false],
    ['options', 'OPTIONS', false],
    ['patch', 'patch', false], // not one of the six normalised methods
    ['PATCH', 'PATCH', false],
  ])('%s → %s (safelisted %s)', (method, normalized, safe) => {
    expect(normalizeMethod(method)).toBe(normalized);
    expect(isSafelistedMethod(normalizeMethod(method))).toBe(safe);
  });
  it('safelisting is byte-exact', () => expect(isSafelistedMethod('get')).toBe(false));
});
