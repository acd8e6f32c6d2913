import { describe, expect, it } from 'vitest';
import { generateCandidates } from '../../src/lib/cors/candidates.js';
import type { CorsReport } from '../../src/lib/cors/types.js';
import { corsPlan, type CorsProbeOptions } from '../../src/probes/cors.js';
import { testServers } from '../helpers/test-servers.js';
import { runCorsProbe } from './cors-run.js';
import { ALLOW_LIST, REFLECTING, startCorsServer, TRUSTED } from '../commands/probe/cors-servers.js';

/**
 * probeCors itself, with a client built as the command builds it, against the `cors` middleware on 127.0.0.1:
 * the order and shape of what is sent (as the server saw it), the budget (a candidate starts only when all its
 * requests fit; the client's own cap counts too), and how a run ends (interrupt, failure) without judging a
 * half-tested candidate.
 */
const server = testServers(startCorsServer);

function probe(
  url: string,
  over: Partial<CorsProbeOptions> = {},
  deps: Parameters<typeof runCorsProbe>[1] = {},
): Promise<CorsReport> {
  return runCorsProbe(
    {
      url,
      method: 'GET',
      trusted: [TRUSTED],
      requestHeaders: [],
      headers: {},
      maxRequests: 300,
      durationMs: 30_000,
      timeoutMs: 2_000,
      ...over,
    },
    deps,
  );
}

describe('probeCors: what is sent', () => {
  it('per candidate, in the generator’s order: OPTIONS for the method, OPTIONS for DELETE, then the request', async () => {
    const s = await server({ cors: ALLOW_LIST });
    const report = await probe(s.url);
    const candidates = generateCandidates([TRUSTED]);
    expect(report.candidates.map((c) => c.origin)).toEqual(candidates.map((c) => c.origin));
    const expected = candidates.flatMap((c) => [
      ['OPTIONS', c.origin, 'GET'],
      ['OPTIONS', c.origin, 'DELETE'],
      ['GET', c.origin, undefined],
    ]);
    expect(s.seen.map((x) => [x.method, x.origin, x.headers['access-control-request-method']])).toEqual(
      expected,
    );
    expect(s.seen.every((x) => x.path === '/v1/me')).toBe(true);
    expect(report.requests_sent).toBe(expected.length);
  });

  it('several trusted origins: each is a trusted candidate, and each gets its look-alikes', async () => {
    const s = await server({ cors: { ...ALLOW_LIST, origin: [TRUSTED, 'https://admin.example.org'] } });
    const report = await probe(s.url, { trusted: [TRUSTED, 'https://admin.example.org'] });
    expect(report.candidates.slice(0, 2).map((c) => [c.origin, c.class])).toEqual([
      [TRUSTED, 'trusted'],
      ['https://admin.example.org', 'trusted'],
    ]);
    expect(report.candidates.map((c) => c.origin)).toContain('https://admin.example.org.evil.example');
    expect(report.candidates.slice(0, 2).every((c) => c.readable.credentialed)).toBe(true);
    expect(report.rule.kind).toBe('exact');
  });

  it('a -H Origin that slipped through cannot replace the candidate', async () => {
    const s = await server({ cors: REFLECTING });
    await probe(s.url, { headers: { origin: 'https://forced.example' } });
    expect(s.seen.some((x) => x.origin === 'https://forced.example')).toBe(false);
  });

  it('a failing progress sink does not end the probe', async () => {
    const s = await server({ cors: ALLOW_LIST });
    const report = await probe(
      s.url,
      {},
      {
        onProgress: () => {
          throw new Error('sink broke');
        },
      },
    );
    expect(report.stopped).toBe('done');
  });
});

describe('probeCors: bounded', () => {
  it('the plan: 3 requests per candidate, 2 when the method under test is DELETE', () => {
    const n = generateCandidates([TRUSTED]).length;
    expect(corsPlan([TRUSTED], 'GET')).toMatchObject({ perCandidate: 3, needed: n * 3 });
    expect(corsPlan([TRUSTED], 'DELETE')).toMatchObject({ perCandidate: 2, needed: n * 2 });
  });

  it.each([
    { maxRequests: 3, candidates: 1 },
    { maxRequests: 5, candidates: 1 },
    { maxRequests: 31, candidates: 10 },
  ])(
    '--max-requests $maxRequests: $candidates whole candidates, never more at the server',
    async ({ maxRequests, candidates }) => {
      const s = await server({ cors: REFLECTING });
      const report = await probe(s.url, { maxRequests });
      expect(report.candidates).toHaveLength(candidates);
      expect(s.seen.length).toBe(candidates * 3);
      expect(report.stopped).toBe('budget');
      expect(report.candidates.length + report.not_tested!.length).toBe(generateCandidates([TRUSTED]).length);
    },
  );

  it('the client’s own cap counts as well as maxRequests', async () => {
    const s = await server({ cors: REFLECTING });
    const report = await probe(s.url, { maxRequests: 300 }, { clientCap: 9 });
    expect(report.candidates).toHaveLength(3);
    expect(s.seen.length).toBe(9);
    expect(report.stopped).toBe('budget');
  });

  it('interrupted between two requests of a candidate: that one is not judged, nothing more is sent', async () => {
    const controller = new AbortController();
    // The 8th request is the second preflight of the third candidate.
    const s = await server({ cors: REFLECTING, onRequest: (_x, i) => i === 7 && controller.abort() });
    const report = await probe(s.url, {}, { signal: controller.signal });
    expect(report.stopped).toBe('interrupted');
    expect(report.candidates).toHaveLength(2);
    expect(report.not_tested![0]!.class).toBe('null');
    expect(s.seen.length).toBe(8);
  });

  it('a transport failure: stopped error, the error kept, the partial candidate not judged', async () => {
    const s = await server({ cors: REFLECTING, hangAfter: 4 });
    const report = await probe(s.url, { timeoutMs: 200 });
    expect(report.stopped).toBe('error');
    expect(report.error).toEqual({
      code: expect.stringMatching(/^ERR_/),
      message: expect.stringMatching(/timed out/),
    });
    expect(report.candidates).toHaveLength(1);
    expect(s.seen.length).toBe(5);
  });
});
