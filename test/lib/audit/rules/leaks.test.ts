import { describe, expect, it } from 'vitest';
import { hasVersion, leaksRule } from '../../../../src/lib/audit/rules/leaks.js';
import { OWASP_HEADERS_TO_REMOVE } from '../../../../src/lib/audit/rules/leaks-list.js';
import { conformsToChecks, ctxFor, ids } from './header-facts.js';

const run = (h: Record<string, string | string[]>) => {
  const fs = leaksRule.run(ctxFor(h));
  conformsToChecks(leaksRule, fs);
  return fs;
};

describe('leaksRule', () => {
  it.each<[Record<string, string | string[]>, string[]]>([
    [{ server: 'nginx/1.22.1' }, ['audit.leaks.server-version']],
    [{ server: 'Apache/2.4.57 (Debian)' }, ['audit.leaks.server-version']],
    [{ server: 'Microsoft-IIS/10.0' }, ['audit.leaks.server-version']],
    [{ server: 'Jetty(9.4.51.v20230217)' }, ['audit.leaks.server-version']],
    [{ server: 'nginx' }, ['audit.leaks.server']],
    [{ server: 'cloudflare' }, ['audit.leaks.server']],
    [{ 'x-powered-by': 'Express' }, ['audit.leaks.x-powered-by']],
    [
      { 'x-aspnet-version': '4.0.30319', 'x-aspnetmvc-version': '5.2' },
      ['audit.leaks.version-header', 'audit.leaks.version-header'],
    ],
    [{ 'x-generator': 'Drupal 10 (https://www.drupal.org)' }, ['audit.leaks.header']],
    [{ 'x-generator': 'WordPress 6.4.2' }, ['audit.leaks.version-header']],
    [
      { 'x-b3-traceid': 'abc', 'x-envoy-upstream-service-time': '12', sourcemap: '/app.js.map' },
      ['audit.leaks.header'],
    ],
    [{ 'x-request-id': 'abc', 'content-type': 'application/json' }, []],
  ])('%j', (h, want) => {
    expect(ids(run(h))).toEqual(want);
  });

  it('the minor ones are one finding naming them all', () => {
    const [f] = run({ 'x-b3-traceid': 'abc', 'x-envoy-upstream-service-time': '12' });
    expect(f!.message).toBe('Headers to remove: X-B3-TraceId, X-Envoy-Upstream-Service-Time');
    expect(f!.evidence).toHaveLength(2);
  });

  it('the bare node server leaks its framework, a version costs as much', () => {
    const [f] = run({ 'x-powered-by': 'Express' });
    expect(f).toMatchObject({ severity: 'low', points: -5, header: 'x-powered-by', category: 'disclosure' });
    expect(hasVersion('PHP/8.2.1')).toBe(true);
    expect(hasVersion('Kestrel')).toBe(false);
  });

  it('the data file is the OWASP list (source named), with the headers the brief names', () => {
    for (const name of ['Server', 'X-Powered-By', 'X-AspNet-Version', 'X-AspNetMvc-Version']) {
      expect(OWASP_HEADERS_TO_REMOVE).toContain(name);
    }
    expect(new Set(OWASP_HEADERS_TO_REMOVE.map((n) => n.toLowerCase())).size).toBe(
      OWASP_HEADERS_TO_REMOVE.length,
    );
  });
});
