import { describe, expect, it } from 'vitest';
import { headerLines } from '../../../src/lib/headers.js';
import {
  detectSchemes,
  parseVendorType,
  primaryScheme,
  requestFor,
  statedVersions,
  versionInUrl,
  type Selector,
} from '../../../src/lib/versions/scheme.js';
import { parseToken } from '../../../src/lib/versions/token.js';
import type { VersionAnswer } from '../../../src/lib/versions/types.js';

const answer = (headers: Record<string, string | string[]>, status = 200): VersionAnswer => ({
  status,
  headers: headerLines(headers),
  location: null,
  bodyHash: '',
  body: '',
});

const detect = (url: string, headers: Record<string, string | string[]> = {}, requestHeaders = {}) =>
  detectSchemes({ url, requestHeaders, answer: answer(headers) });

describe('detectSchemes', () => {
  it.each([
    ['https://api.example/v1/users', 'v1', 'major'],
    ['https://api.example/api/v1.2/users', 'v1.2', 'major-minor'],
    ['https://api.example/2024-06-01/charges', '2024-06-01', 'date'],
  ])('path: %s', (url, current, format) => {
    const [d] = detect(url);
    expect(d?.selector.scheme).toBe('path');
    expect(d?.currentText).toBe(current);
    expect(d?.selector.style.format).toBe(format);
  });

  it('path: a numeric id is no version', () => {
    expect(detect('https://api.example/users/42')).toEqual([]);
  });

  it.each([
    ['https://api.example/items?version=2', 'version', '2'],
    ['https://api.example/items?api-version=2024-06-01', 'api-version', '2024-06-01'],
    ['https://api.example/items?page=3&v=v2', 'v', 'v2'],
  ])('query: %s', (url, param, current) => {
    const [d] = detect(url);
    expect(d?.selector).toMatchObject({ scheme: 'query', param });
    expect(d?.currentText).toBe(current);
  });

  it('header: echoed by the response (API-Version, X-API-Version), or sent by the user', () => {
    expect(detect('https://a.example/items', { 'api-version': '2' })[0]).toMatchObject({
      selector: { scheme: 'header', header: 'API-Version' },
      currentText: '2',
    });
    expect(detect('https://a.example/items', { 'x-api-version': '2024-06-01' })[0]?.selector).toMatchObject({
      scheme: 'header',
      header: 'X-API-Version',
    });
    expect(detect('https://a.example/items', {}, { 'Api-Version': '1' })[0]).toMatchObject({
      selector: { scheme: 'header', header: 'Api-Version' },
      currentText: '1',
    });
    const custom = detectSchemes({
      url: 'https://a.example/items',
      requestHeaders: {},
      answer: answer({ 'acme-version': '3' }),
      headerName: 'Acme-Version',
    });
    expect(custom[0]).toMatchObject({ selector: { header: 'Acme-Version' }, currentText: '3' });
  });

  it('media type: the vendor and the version from the Content-Type', () => {
    expect(
      detect('https://a.example/items', { 'content-type': 'application/vnd.acme.v2+json; charset=utf-8' })[0],
    ).toMatchObject({
      selector: { scheme: 'media-type', vendor: 'acme', suffix: '+json', form: 'dotted' },
      currentText: 'v2',
    });
    expect(parseVendorType('application/vnd.github.v3+json')).toMatchObject({ vendor: 'github', text: 'v3' });
    expect(parseVendorType('application/vnd.acme+json; version=2')).toMatchObject({
      form: 'parameter',
      text: '2',
    });
    expect(parseVendorType('application/vnd.api+json')).toBeNull();
    expect(parseVendorType('application/json')).toBeNull();
  });

  it('several at once, path first; --scheme picks another', () => {
    const found = detect('https://a.example/v1/items?api-version=2', { 'api-version': '2' });
    expect(found.map((d) => d.selector.scheme)).toEqual(['path', 'query', 'header']);
    expect(primaryScheme(found, 'auto')?.selector.scheme).toBe('path');
    expect(primaryScheme(found, 'header')?.selector.scheme).toBe('header');
    expect(primaryScheme(found, 'media-type')).toBeNull();
  });
});

describe('requestFor', () => {
  const v = (t: string) => parseToken(t)!;
  it('path: replaces the segment, or drops it for the unversioned request', () => {
    const sel: Selector = { scheme: 'path', segment: 1, style: { format: 'major', prefix: 'v' } };
    expect(requestFor(sel, 'https://a.example/api/v1/items?x=1', v('2')).url).toBe(
      'https://a.example/api/v2/items?x=1',
    );
    expect(requestFor(sel, 'https://a.example/api/v1/items?x=1', null).url).toBe(
      'https://a.example/api/items?x=1',
    );
    expect(versionInUrl(sel, 'https://a.example/api/v3/items')).toEqual(v('3'));
  });
  it('query, header and media type', () => {
    const q: Selector = { scheme: 'query', param: 'api-version', style: { format: 'date', prefix: '' } };
    expect(requestFor(q, 'https://a.example/items?api-version=2024-06-01', v('2023-01-01')).url).toBe(
      'https://a.example/items?api-version=2023-01-01',
    );
    expect(requestFor(q, 'https://a.example/items?api-version=2024-06-01', null).url).toBe(
      'https://a.example/items',
    );
    const h: Selector = { scheme: 'header', header: 'API-Version', style: { format: 'number', prefix: '' } };
    expect(requestFor(h, 'https://a.example/items', v('v3'))).toMatchObject({
      headers: { 'API-Version': '3' },
      label: 'API-Version: 3',
    });
    expect(requestFor(h, 'https://a.example/items', null)).toMatchObject({
      headers: {},
      drop: ['API-Version'],
    });
    const m: Selector = {
      scheme: 'media-type',
      vendor: 'acme',
      suffix: '+json',
      form: 'dotted',
      style: { format: 'major', prefix: 'v' },
    };
    expect(requestFor(m, 'https://a.example/items', v('1')).headers).toEqual({
      Accept: 'application/vnd.acme.v1+json',
    });
    expect(requestFor(m, 'https://a.example/items', null).headers).toEqual({ Accept: 'application/json' });
  });
});

describe('statedVersions', () => {
  it('a version header and a versioned Content-Type', () => {
    const stated = statedVersions(
      headerLines({ 'api-version': '2', 'content-type': 'application/vnd.acme.v2+json' }),
    );
    expect(stated.map((s) => s.via)).toEqual(['header', 'media-type']);
    expect(statedVersions(headerLines({ 'content-type': 'application/json' }))).toEqual([]);
  });
});
