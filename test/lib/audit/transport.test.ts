import { describe, expect, it } from 'vitest';
import { transportRule } from '../../../src/lib/audit/rules/transport.js';
import type { AuditFacts } from '../../../src/lib/audit/types.js';
import { DAY, NOW, facts, liveExtras, response, tlsFacts } from './make-facts.js';

const run = (over: Partial<AuditFacts>) => transportRule.run({ facts: facts(over), kind: 'api', now: NOW });
const ids = (over: Partial<AuditFacts>) => run(over).map((f) => f.id);

describe('transport: plain http', () => {
  it('a non-loopback http URL: high', () => {
    const url = 'http://api.example.test/';
    const f = run({ url, response: response({}, { url }) });
    expect(f.map((x) => [x.id, x.severity])).toEqual([['audit.transport.plain-http', 'high']]);
  });

  it.each(['http://127.0.0.1:8080/', 'http://localhost:3000/', 'http://[::1]:3000/'])(
    'loopback %s: no finding (tests and local development)',
    (url) => expect(ids({ url, response: response({}, { url }) })).toEqual([]),
  );

  it('--assume-https: no transport finding at all, whatever the facts say', () => {
    const url = 'http://api.example.test/';
    expect(
      ids({
        url,
        assumeHttps: true,
        response: response({}, { url }),
        redirect: { url, status: 200 },
        tls: tlsFacts({ authorized: false }),
      }),
    ).toEqual([]);
  });
});

describe('transport: the http:// twin', () => {
  const twin = 'http://api.example.test/v1/items';
  it.each([
    [{ url: twin, status: 301, location: 'https://api.example.test/v1/items' }, []],
    [{ url: twin, status: 308, location: 'https://api.example.test/v1/items' }, []],
    [{ url: twin, error: 'connection refused' }, []],
    [{ url: twin, status: 200 }, ['audit.transport.redirect-missing']],
    [{ url: twin, status: 301 }, ['audit.transport.redirect-missing']],
    [{ url: twin, status: 304, location: 'https://api.example.test/' }, ['audit.transport.redirect-missing']],
    [
      { url: twin, status: 302, location: 'http://api.example.test/other' },
      ['audit.transport.redirect-not-https'],
    ],
    [{ url: twin, status: 301, location: '/v1/items' }, ['audit.transport.redirect-not-https']],
    [
      { url: twin, status: 301, location: 'https://www.example.test/' },
      ['audit.transport.redirect-off-host'],
    ],
  ])('%j → %j', (redirect, want) => expect(ids({ redirect })).toEqual(want));
});

describe('transport: TLS protocols and certificate', () => {
  it('a healthy live https run has no finding', () => {
    expect(ids(liveExtras())).toEqual([]);
  });

  it('TLS 1.0 and 1.1 accepted: one high finding naming both', () => {
    const tls = tlsFacts();
    tls.protocols = tls.protocols.map((p) => ({ ...p, accepted: true, cipher: 'AES128-SHA' }));
    const f = run({ tls });
    expect(f.map((x) => [x.id, x.severity, x.points])).toEqual([['audit.tls.legacy-protocol', 'high', -20]]);
    expect(f[0]!.message).toBe('api.example.test:443 completes a handshake with TLSv1 and TLSv1.1');
  });

  it('not authorized: high, with the reason', () => {
    const f = run({
      tls: tlsFacts({ authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
    });
    expect(f.map((x) => x.id)).toEqual(['audit.tls.cert-untrusted']);
    expect(f[0]!.message).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it.each([
    [365, []],
    [30.5, []],
    [29, ['audit.tls.cert-expiring-30d']],
    [10, ['audit.tls.cert-expiring-30d']],
    [6.9, ['audit.tls.cert-expiring-7d']],
    [0.5, ['audit.tls.cert-expiring-7d']],
    [-1, ['audit.tls.cert-expired']],
  ])('a leaf valid for %d more days → %j', (days, want) => {
    expect(ids({ tls: tlsFacts({}, NOW + days * DAY) })).toEqual(want);
  });

  it('expired: critical, judged once (CERT_HAS_EXPIRED is not also "untrusted")', () => {
    const f = run({
      tls: tlsFacts({ authorized: false, authorizationError: 'CERT_HAS_EXPIRED' }, NOW - 2 * DAY),
    });
    expect(f.map((x) => [x.id, x.severity, x.points])).toEqual([['audit.tls.cert-expired', 'critical', -40]]);
  });

  it('the first certificate of the chain to expire counts (an intermediate too)', () => {
    const tls = tlsFacts();
    tls.chain.push({
      ...tls.chain[0]!,
      subject: 'CN=intermediate',
      validTo: new Date(NOW + 3 * DAY).toISOString(),
    });
    const f = run({ tls });
    expect(f.map((x) => x.id)).toEqual(['audit.tls.cert-expiring-7d']);
    expect(f[0]!.evidence[0]!.note).toContain('CN=intermediate');
  });

  it('not yet valid: the expired check (critical)', () => {
    const tls = tlsFacts();
    tls.chain[0]!.validFrom = new Date(NOW + DAY).toISOString();
    expect(ids({ tls })).toEqual(['audit.tls.cert-expired']);
  });

  it('every check is of category transport, points negative', () => {
    for (const c of transportRule.checks) {
      expect(c.category).toBe('transport');
      expect(c.points).toBeLessThan(0);
    }
  });
});
