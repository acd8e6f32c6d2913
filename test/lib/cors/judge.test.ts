import { describe, expect, it } from 'vitest';
import { parseCorsHeaders } from '../../../src/lib/cors/headers.js';
import { checkPreflight, corsCheck, judgeReadability } from '../../../src/lib/cors/judge.js';
import type { CorsExchange, Readability } from '../../../src/lib/cors/types.js';
import type { HeaderMap } from '../../../src/lib/ratelimit/types.js';

/**
 * The judge against the Fetch standard's CORS check (#cors-check) and CORS-preflight fetch (#cors-preflight-
 * fetch), and the details Chromium's cors.cc / preflight_result.cc implement (the comments name them). Each row:
 * a page at `origin`, the response headers recorded, what the browser lets it do.
 */
const O = 'https://app.example.com';
const ACRH = ['authorization', 'content-type', 'x-api-key'];

function ex(
  kind: 'preflight' | 'actual',
  headers: HeaderMap,
  status: number | null = kind === 'actual' ? 200 : 204,
  requestMethod: string | null = null,
): CorsExchange {
  return {
    kind,
    method: kind === 'actual' ? 'GET' : 'OPTIONS',
    request_method: kind === 'preflight' ? (requestMethod ?? 'GET') : null,
    request_headers: kind === 'preflight' ? ACRH : [],
    status,
    headers: parseCorsHeaders(headers),
    error: null,
  };
}

const GOOD_PREFLIGHT: HeaderMap = {
  'access-control-allow-origin': O,
  'access-control-allow-credentials': 'true',
  'access-control-allow-methods': 'GET, POST, DELETE',
  'access-control-allow-headers': 'Authorization, Content-Type, X-API-Key',
};
const GOOD_ACTUAL: HeaderMap = {
  'access-control-allow-origin': O,
  'access-control-allow-credentials': 'true',
};

const R = (simple: boolean, credentialed: boolean, preflighted: boolean, state: boolean): Readability => ({
  simple,
  credentialed,
  preflighted,
  state_changing_sent: state,
});

describe('judgeReadability: the CORS check on the actual response', () => {
  it.each<[string, string, HeaderMap, Readability]>([
    ['no ACAO: nothing', O, {}, R(false, false, false, false)],
    [
      '* without credentials: uncredentialed only',
      O,
      { 'access-control-allow-origin': '*' },
      R(true, false, false, false),
    ],
    [
      '* with ACAC true: browsers refuse the credentialed read',
      O,
      { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true' },
      R(true, false, false, false),
    ],
    ['echo without ACAC', O, { 'access-control-allow-origin': O }, R(true, false, false, false)],
    ['echo + ACAC true', O, GOOD_ACTUAL, R(true, true, false, false)],
    [
      'ACAC is case-sensitive: True fails',
      O,
      { 'access-control-allow-origin': O, 'access-control-allow-credentials': 'True' },
      R(true, false, false, false),
    ],
    [
      'ACAC sent twice is "true, true": fails',
      O,
      { 'access-control-allow-origin': O, 'access-control-allow-credentials': ['true', 'true'] },
      R(true, false, false, false),
    ],
    [
      'ACAO compares byte for byte: upper-case host fails',
      O,
      {
        'access-control-allow-origin': 'https://APP.example.com',
        'access-control-allow-credentials': 'true',
      },
      R(false, false, false, false),
    ],
    [
      'ACAO with a trailing slash fails',
      O,
      { 'access-control-allow-origin': `${O}/`, 'access-control-allow-credentials': 'true' },
      R(false, false, false, false),
    ],
    [
      'ACAO sent twice (even the same origin) fails: multiple values',
      O,
      { 'access-control-allow-origin': [O, O], 'access-control-allow-credentials': 'true' },
      R(false, false, false, false),
    ],
    [
      'ACAO with an explicit default port fails',
      O,
      { 'access-control-allow-origin': `${O}:443` },
      R(false, false, false, false),
    ],
    [
      'surrounding whitespace is not part of the value',
      O,
      { 'access-control-allow-origin': ` ${O}\t`, 'access-control-allow-credentials': ' true ' },
      R(true, true, false, false),
    ],
    [
      'null matches an opaque origin (Chromium accepts "null")',
      'null',
      { 'access-control-allow-origin': 'null', 'access-control-allow-credentials': 'true' },
      R(true, true, false, false),
    ],
    [
      'null does not match a real origin',
      O,
      { 'access-control-allow-origin': 'null' },
      R(false, false, false, false),
    ],
  ])('%s', (_name, origin, headers, want) => {
    expect(
      judgeReadability(origin, { actual: ex('actual', headers), preflight: null, stateChanging: null }),
    ).toEqual(want);
  });

  it('the actual response’s status does not matter: a 404 with the headers is readable', () => {
    const r = judgeReadability(O, {
      actual: ex('actual', GOOD_ACTUAL, 404),
      preflight: null,
      stateChanging: null,
    });
    expect(r.credentialed).toBe(true);
  });

  it('a failed request (status null) or no request is nothing', () => {
    expect(
      judgeReadability(O, { actual: ex('actual', GOOD_ACTUAL, null), preflight: null, stateChanging: null }),
    ).toEqual(R(false, false, false, false));
    expect(judgeReadability(O, { actual: null, preflight: null, stateChanging: null })).toEqual(
      R(false, false, false, false),
    );
  });
});

describe('judgeReadability: the preflights', () => {
  const judge = (pre: HeaderMap, preStatus = 204, state: HeaderMap | null = null, stateStatus = 204) =>
    judgeReadability(O, {
      actual: ex('actual', GOOD_ACTUAL),
      preflight: ex('preflight', pre, preStatus, 'GET'),
      stateChanging: state === null ? null : ex('preflight', state, stateStatus, 'DELETE'),
    });

  it.each<[string, HeaderMap, number, boolean]>([
    ['all headers named, credentials: passes', GOOD_PREFLIGHT, 204, true],
    ['200 is an ok status too', GOOD_PREFLIGHT, 200, true],
    ['404: not an ok status', GOOD_PREFLIGHT, 404, false],
    ['405', GOOD_PREFLIGHT, 405, false],
    ['a redirect fails the preflight', GOOD_PREFLIGHT, 301, false],
    [
      'no ACAC on the preflight: its CORS check fails with credentials',
      { ...GOOD_PREFLIGHT, 'access-control-allow-credentials': undefined },
      204,
      false,
    ],
    [
      'ACAO * on the preflight with credentials',
      { ...GOOD_PREFLIGHT, 'access-control-allow-origin': '*' },
      204,
      false,
    ],
    [
      'header names compare case-insensitively',
      { ...GOOD_PREFLIGHT, 'access-control-allow-headers': 'AUTHORIZATION,content-TYPE,x-Api-Key' },
      204,
      true,
    ],
    [
      'Content-Type: application/json is not safelisted: it must be listed',
      { ...GOOD_PREFLIGHT, 'access-control-allow-headers': 'authorization, x-api-key' },
      204,
      false,
    ],
    [
      'ACAH * with credentials is a literal name',
      { ...GOOD_PREFLIGHT, 'access-control-allow-headers': '*' },
      204,
      false,
    ],
    ['GET needs no ACAM', { ...GOOD_PREFLIGHT, 'access-control-allow-methods': undefined }, 204, true],
    [
      'an ACAM that is not a token list fails even for GET',
      { ...GOOD_PREFLIGHT, 'access-control-allow-methods': 'GET POST' },
      204,
      false,
    ],
    [
      'an ACAH that is not a token list fails',
      { ...GOOD_PREFLIGHT, 'access-control-allow-headers': 'authorization, content type, x-api-key' },
      204,
      false,
    ],
    [
      'empty list elements are skipped',
      { ...GOOD_PREFLIGHT, 'access-control-allow-headers': ',authorization,, content-type ,x-api-key,' },
      204,
      true,
    ],
  ])('%s', (_name, pre, status, want) => {
    expect(judge(pre, status).preflighted).toBe(want);
  });

  it.each<[string, HeaderMap, boolean]>([
    ['DELETE listed, Authorization allowed, credentials: the DELETE is sent', GOOD_PREFLIGHT, true],
    [
      'methods are case-sensitive: "delete" does not allow DELETE',
      { ...GOOD_PREFLIGHT, 'access-control-allow-methods': 'get, post, delete' },
      false,
    ],
    [
      'ACAM * with credentials is a literal name',
      { ...GOOD_PREFLIGHT, 'access-control-allow-methods': '*' },
      false,
    ],
    ['DELETE not listed', { ...GOOD_PREFLIGHT, 'access-control-allow-methods': 'GET, POST' }, false],
    [
      'Authorization not allowed',
      { ...GOOD_PREFLIGHT, 'access-control-allow-headers': 'content-type' },
      false,
    ],
    [
      'Authorization alone is enough for the DELETE',
      { ...GOOD_PREFLIGHT, 'access-control-allow-headers': 'authorization' },
      true,
    ],
  ])('state-changing: %s', (_name, state, want) => {
    expect(judge(GOOD_PREFLIGHT, 204, state).state_changing_sent).toBe(want);
  });

  it('no state-changing preflight recorded: not sent', () => {
    expect(judge(GOOD_PREFLIGHT).state_changing_sent).toBe(false);
  });

  it('a method under test that is not safelisted needs its preflight even for the simple read', () => {
    const actual = { ...ex('actual', GOOD_ACTUAL), method: 'PUT' };
    const put = (acam: string) =>
      judgeReadability(O, {
        actual,
        preflight: ex('preflight', { ...GOOD_PREFLIGHT, 'access-control-allow-methods': acam }, 204, 'PUT'),
        stateChanging: null,
      });
    expect(put('PUT')).toEqual(R(true, true, true, false));
    expect(put('GET, POST')).toEqual(R(false, false, false, false));
    // "put" is normalised to PUT by fetch(); ACAM "put" does not match it.
    expect(put('put')).toEqual(R(false, false, false, false));
  });

  it('a preflight echoing the origin while the actual response has no ACAO: sent, not read', () => {
    const r = judgeReadability(O, {
      actual: ex('actual', {}),
      preflight: ex('preflight', GOOD_PREFLIGHT, 204, 'GET'),
      stateChanging: ex('preflight', GOOD_PREFLIGHT, 204, 'DELETE'),
    });
    expect(r).toEqual(R(false, false, false, true));
  });

  it('extra names in Access-Control-Request-Headers must be allowed too', () => {
    const pre = { ...ex('preflight', GOOD_PREFLIGHT, 204, 'GET'), request_headers: [...ACRH, 'x-tenant'] };
    expect(
      judgeReadability(O, { actual: ex('actual', GOOD_ACTUAL), preflight: pre, stateChanging: null })
        .preflighted,
    ).toBe(false);
    const allowed = ex(
      'preflight',
      { ...GOOD_PREFLIGHT, 'access-control-allow-headers': 'authorization,content-type,x-api-key,x-tenant' },
      204,
      'GET',
    );
    expect(
      judgeReadability(O, {
        actual: ex('actual', GOOD_ACTUAL),
        preflight: { ...allowed, request_headers: [...ACRH, 'X-Tenant'] },
        stateChanging: null,
      }).preflighted,
    ).toBe(true);
  });
});

describe('checkPreflight without credentials: the wildcards', () => {
  const pre = (h: HeaderMap) => ex('preflight', { 'access-control-allow-origin': '*', ...h }, 204, 'PUT');
  it.each<[string, HeaderMap, string, string[], { ok: boolean; reason?: string }]>([
    ['ACAM * allows any method', { 'access-control-allow-methods': '*' }, 'PUT', [], { ok: true }],
    [
      'ACAH * allows other headers',
      { 'access-control-allow-headers': '*' },
      'GET',
      ['content-type', 'x-api-key'],
      { ok: true },
    ],
    [
      'ACAH * never covers Authorization',
      { 'access-control-allow-headers': '*' },
      'GET',
      ['authorization', 'content-type'],
      { ok: false, reason: 'authorization-not-covered-by-wildcard' },
    ],
    [
      'ACAH *, Authorization',
      { 'access-control-allow-headers': '*, Authorization' },
      'GET',
      ['authorization'],
      { ok: true },
    ],
    [
      'PATCH is not normalised: "patch" in ACAM does not allow it',
      { 'access-control-allow-methods': 'patch' },
      'PATCH',
      [],
      { ok: false, reason: 'method-not-allowed' },
    ],
    [
      'a lower-case non-standard method matches itself',
      { 'access-control-allow-methods': 'patch' },
      'patch',
      [],
      { ok: true },
    ],
    ['POST is safelisted', {}, 'POST', [], { ok: true }],
  ])('%s', (_name, h, method, headers, want) => {
    const got = checkPreflight(O, pre(h), method, headers, false);
    expect(got.ok).toBe(want.ok);
    if (!got.ok) expect(got.reason).toBe(want.reason);
  });
});

describe('corsCheck reasons (what DevTools would say)', () => {
  it.each<[HeaderMap, boolean, string | null]>([
    [{}, false, 'missing-allow-origin'],
    [{ 'access-control-allow-origin': '*' }, true, 'wildcard-with-credentials'],
    [
      { 'access-control-allow-origin': 'https://a.example https://b.example' },
      false,
      'multiple-allow-origin',
    ],
    [{ 'access-control-allow-origin': 'https://a.example' }, false, 'allow-origin-mismatch'],
    [
      { 'access-control-allow-origin': O, 'access-control-allow-credentials': 'TRUE' },
      true,
      'credentials-not-true',
    ],
    [{ 'access-control-allow-origin': O, 'access-control-allow-credentials': 'false' }, false, null],
  ])('%j credentials=%s → %s', (h, credentials, reason) => {
    const got = corsCheck(O, parseCorsHeaders(h), credentials);
    expect(got.ok ? null : got.reason).toBe(reason);
  });
});
