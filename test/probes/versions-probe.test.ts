import { describe, expect, it } from 'vitest';
import { ALL_APIS, headerApi, pathApi, type VersionsApi } from '../fixtures/versions/servers.js';
import { testServers } from '../helpers/test-servers.js';
import { idsWith, mediumOrAbove, runVersionsProbe } from './versions-run.js';

/**
 * probeVersions against the express APIs of test/fixtures/versions: per fixture the scheme, the live and retired
 * sets exactly, every expected finding id present and no other of medium or above, what the unversioned request
 * got, and the requests counted at the server within the budget. Then the bounds: --max-requests, --max-versions,
 * a refused connection (partial report, stopped 'error'), and the user's selector header replaced, not doubled.
 */
const api = testServers(async (name: keyof typeof ALL_APIS) => ALL_APIS[name]());

describe.each(Object.keys(ALL_APIS) as (keyof typeof ALL_APIS)[])('probe versions: the %s API', (name) => {
  it('finds the scheme, the live and retired versions, the findings, within the budget', async () => {
    const s: VersionsApi = await api(name);
    const report = await runVersionsProbe({ url: s.url });
    expect(report.stopped, JSON.stringify(report.error)).toBe('done');
    expect(report.schemes.map((x) => x.scheme)).toEqual(s.expect.schemes);
    expect(report.schemes.filter((x) => x.primary).map((x) => x.scheme)).toEqual([s.expect.schemes[0]]);
    expect(idsWith(report, 'live')).toEqual(s.expect.live);
    expect(idsWith(report, 'retired')).toEqual(s.expect.retired);
    expect(mediumOrAbove(report)).toEqual(s.expect.mediumOrAbove);
    const ids = report.findings.map((f) => f.id);
    for (const id of s.expect.low ?? []) expect(ids).toContain(id);
    expect({
      answer: report.default_version?.answer,
      version: report.default_version?.version,
      stated: report.default_version?.stated,
    }).toEqual(s.expect.default);
    // Counted at the server: what the report says was sent, every one a GET, within the default budget.
    expect(s.seen.length).toBe(report.requests_sent);
    expect(s.seen.length).toBeLessThanOrEqual(30);
    expect(new Set(s.seen.map((r) => r.method))).toEqual(new Set(['GET']));
  });
});

describe('probe versions: what each version reports', () => {
  it('the path API: v0 deprecated with a past Sunset, its successor and days left; v3 gone, named by nothing', async () => {
    const s = await api('path');
    const report = await runVersionsProbe({ url: s.url });
    const v0 = report.versions.find((v) => v.id === 'v0')!;
    expect(v0).toMatchObject({ status: 'live', http_status: 200, named_by: ['neighbour'] });
    expect(v0.deprecation?.date).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(v0.sunset?.raw).toMatch(/GMT$/);
    expect(v0.days_left).toBeLessThan(0);
    expect(v0.successor).toBe(`${s.origin}/v1/items`);
    expect(v0.links).toEqual([{ href: `${s.origin}/v1/items`, rel: ['successor-version'] }]);
    expect(report.versions.find((v) => v.id === 'v3')).toMatchObject({
      status: 'gone',
      named_by: ['neighbour'],
    });
    // v1 was given, and v0 names it as its successor.
    expect(report.versions.find((v) => v.id === 'v1')?.named_by).toEqual([
      'request',
      'link:successor-version',
    ]);
    expect(report.default_version).toMatchObject({
      http_status: 308,
      how: `redirects to ${s.origin}/v2/items`,
    });
  });

  it('the query API: the retired version is found through the predecessor link only', async () => {
    const s = await api('query');
    const report = await runVersionsProbe({ url: s.url });
    const retired = report.versions.find((v) => v.id === '2022-01-01')!;
    expect(retired.named_by).toEqual(['link:predecessor-version']);
    expect(retired.http_status).toBe(410);
    expect(report.versions.find((v) => v.id === '2023-01-01')?.named_by).toEqual(
      expect.arrayContaining(['header:api-supported-versions', 'header:api-deprecated-versions', 'body']),
    );
    expect(report.schemes[0]).toMatchObject({ scheme: 'query', name: 'api-version', format: 'date' });
    // No date is guessed: only the three named ones were asked for, after the given and the unversioned request.
    expect(s.seen.map((r) => r.url)).toEqual([
      '/items?api-version=2024-06-01',
      '/items',
      '/items?api-version=2023-01-01',
      '/items?api-version=2022-01-01',
    ]);
  });

  it('the header API: the version header of every request, the user’s own -H replaced rather than doubled', async () => {
    const s = await api('header');
    const report = await runVersionsProbe({ url: s.url, headers: { 'api-version': '1', 'X-Trace': 't' } });
    expect(report.schemes[0]).toMatchObject({ scheme: 'header', current: '1' });
    expect(s.seen[0]!.headers['api-version']).toBe('1');
    // The unversioned request carries no version header at all.
    expect(s.seen[1]!.headers['api-version']).toBeUndefined();
    for (const r of s.seen) {
      expect(r.headers['x-trace']).toBe('t');
      expect(typeof (r.headers['api-version'] ?? '')).toBe('string');
    }
    expect(idsWith(report, 'live')).toEqual(['1', '2']);
    // Given with -H, and named in the 400 body of version 3.
    expect(report.versions.find((v) => v.id === '1')?.named_by).toEqual(['request', 'body']);
  });

  it('the media-type API: Accept per version, the vendor from the Content-Type', async () => {
    const s = await api('media-type');
    const report = await runVersionsProbe({ url: s.url });
    expect(report.schemes[0]).toMatchObject({ scheme: 'media-type', name: 'acme', current: 'v2' });
    expect(report.versions.map((v) => v.url_or_header)).toEqual([
      'Accept: application/vnd.acme.v0+json',
      'Accept: application/vnd.acme.v1+json',
      'Accept: application/vnd.acme.v2+json',
      'Accept: application/vnd.acme.v3+json',
    ]);
    expect(idsWith(report, 'rejected')).toEqual(['v0', 'v3']);
  });
});

describe('probe versions: bounds', () => {
  it('--max-requests: the server sees at most that many, the rest are not tested', async () => {
    const s = await api('mistakes');
    const report = await runVersionsProbe({ url: s.url, maxRequests: 4 });
    expect(s.seen.length).toBe(4);
    expect(report.requests_sent).toBe(4);
    expect(report.stopped).toBe('budget');
    expect(report.budget.max_requests).toBe(4);
  });

  it('--max-versions: at most that many versions are asked for besides the given and the unversioned request', async () => {
    const s = await api('mistakes');
    const report = await runVersionsProbe({ url: s.url, maxVersions: 3 });
    expect(s.seen.length).toBe(2 + 3);
    expect(report.stopped).toBe('done');
    // The named ones that were never asked for are listed, not tested.
    expect(report.versions.filter((v) => v.status !== 'not-tested').length).toBe(4);
  });

  it('a refused connection: a partial report, stopped "error", the failure named', async () => {
    const s = await pathApi();
    await s.close();
    const report = await runVersionsProbe({ url: s.url });
    expect(report.stopped).toBe('error');
    expect(report.error?.code).toMatch(/^ERR_/);
    expect(report.requests_sent).toBe(1);
  });

  it('a failure half-way keeps what was learned before it', async () => {
    const s = await headerApi();
    let n = 0;
    const report = await runVersionsProbe(
      { url: s.url },
      {
        onProgress: () => {
          // After the second answer, the server goes away.
          if (++n === 3) void s.close();
          // (1: the scheme line; 2 and 3: the first two versions' answers.)
        },
      },
    );
    expect(report.stopped).toBe('error');
    expect(report.error?.code).toMatch(/^ERR_/);
    expect(report.schemes[0]?.scheme).toBe('header');
    // The two versions answered before the failure are reported; the one it hit and the rest are not tested.
    expect(report.versions.filter((v) => v.status !== 'not-tested').map((v) => v.id)).toEqual(['2', '3']);
  });
});
