import { describe, expect, it } from 'vitest';
import { generateCandidates, SPECIAL_CHARS } from '../../../src/lib/cors/candidates.js';
import { CANDIDATE_CLASSES, type Candidate, type CandidateClass } from '../../../src/lib/cors/types.js';

const byOrigin = (cs: Candidate[]) => new Map(cs.map((c) => [c.origin, c]));
const classesOf = (cs: Candidate[]) => new Set(cs.map((c) => c.class));

describe('generateCandidates: the issue’s classes from one trusted origin', () => {
  const cs = generateCandidates(['https://app.example.com']);
  const map = byOrigin(cs);

  it.each<[string, CandidateClass, Candidate['attacker']]>([
    ['https://app.example.com', 'trusted', 'none'],
    ['https://evil.example', 'arbitrary', 'any-site'],
    ['null', 'null', 'sandboxed-page'],
    ['https://app.example.com.evil.example', 'prefix', 'any-site'],
    ['https://evilexample.com', 'suffix', 'any-site'], // the registrable-domain look-alike
    ['https://notapp.example.com', 'suffix', 'sibling-name'], // the label-prefix look-alike
    ['https://appxexample.com', 'unescaped-dot', 'any-site'], // first dot
    ['https://app.examplexcom', 'unescaped-dot', 'network'], // last dot: no such TLD
    ['https://app.example.com_.evil.example', 'special-char', 'any-site'],
    ['https://app.example.com%0b.evil.example', 'special-char', 'not-a-browser-origin'], // decodes to a control
    ['https://app.example.com%60.evil.example', 'special-char', 'not-a-browser-origin'], // decodes to `
    ['https://app.example.com`.evil.example', 'special-char', 'any-site'],
    ['http://app.example.com', 'insecure-twin', 'network'],
    ['https://evil.app.example.com', 'subdomain', 'sibling-name'],
    ['HTTPS://APP.EXAMPLE.COM', 'case-variant', 'not-a-browser-origin'],
    ['https://app.example.com/', 'trailing-slash', 'not-a-browser-origin'],
    ['https://app.example.com:8443', 'other-port', 'sibling-name'],
    ['https://evil.github.io', 'dev-hosting', 'any-site'],
    ['https://evil.vercel.app', 'dev-hosting', 'any-site'],
    ['https://evil.netlify.app', 'dev-hosting', 'any-site'],
    ['https://evil.pages.dev', 'dev-hosting', 'any-site'],
  ])('%s is %s (%s)', (origin, cls, attacker) => {
    const c = map.get(origin);
    expect(c, origin).toBeDefined();
    expect(c!.class).toBe(cls);
    expect(c!.attacker).toBe(attacker);
    expect(c!.note.length).toBeGreaterThan(10);
    expect(c!.note).not.toContain('\n');
  });

  it('covers every class, every special character, trusted first, no duplicates, class order', () => {
    expect(classesOf(cs)).toEqual(new Set(CANDIDATE_CLASSES));
    for (const ch of SPECIAL_CHARS)
      expect(map.has(`https://app.example.com${ch}.evil.example`), ch).toBe(true);
    for (const ch of ['_', '`', '!', '$', '&', "'", '(', '*', '+', ',', ';', '=', '%0b']) {
      expect(SPECIAL_CHARS).toContain(ch);
    }
    expect(cs[0]!.class).toBe('trusted');
    expect(new Set(cs.map((c) => c.origin)).size).toBe(cs.length);
    const idx = cs.map((c) => CANDIDATE_CLASSES.indexOf(c.class));
    expect(idx).toEqual([...idx].sort((a, b) => a - b));
  });

  it('is deterministic', () => {
    expect(generateCandidates(['https://app.example.com'])).toEqual(cs);
  });
});

describe('generateCandidates: other shapes of trusted origin', () => {
  it.each<{
    trusted: string[];
    has: [string, CandidateClass][];
    hasNot: string[];
    noClass?: CandidateClass[];
  }>([
    {
      // An explicit port stays on every look-alike; other ports are the next one and the default.
      trusted: ['https://app.example.com:8443'],
      has: [
        ['https://app.example.com:8443', 'trusted'],
        ['https://app.example.com.evil.example:8443', 'prefix'],
        ['https://evilexample.com:8443', 'suffix'],
        ['https://appxexample.com:8443', 'unescaped-dot'],
        ['https://app.example.com_.evil.example:8443', 'special-char'],
        ['http://app.example.com:8443', 'insecure-twin'],
        ['https://app.example.com:8444', 'other-port'],
        ['https://app.example.com', 'other-port'],
        ['https://app.example.com:8443/', 'trailing-slash'],
      ],
      hasNot: ['https://app.example.com:8443.evil.example'],
    },
    {
      // An IP: no look-alike names (evil127.0.0.1 is no host), no subdomains, no http twin of an http origin.
      trusted: ['http://127.0.0.1:8080'],
      has: [
        ['http://127.0.0.1:8080', 'trusted'],
        ['http://127.0.0.1.evil.example:8080', 'prefix'],
        ['http://127.0.0.1_.evil.example:8080', 'special-char'],
        ['http://127.0.0.1:8081', 'other-port'],
        ['HTTP://127.0.0.1:8080', 'case-variant'],
      ],
      hasNot: ['http://127x0.0.1:8080', 'http://evil.127.0.0.1:8080'],
      noClass: ['suffix', 'unescaped-dot', 'subdomain', 'insecure-twin'],
    },
    {
      trusted: ['http://localhost:3000'],
      has: [
        ['http://localhost.evil.example:3000', 'prefix'],
        ['http://notlocalhost:3000', 'suffix'],
        ['http://evil.localhost:3000', 'subdomain'],
        ['http://localhost:3001', 'other-port'],
        ['http://localhost', 'other-port'],
      ],
      hasNot: [],
      noClass: ['unescaped-dot', 'insecure-twin'],
    },
    {
      // A trusted http origin has no http twin; its other port is 8080.
      trusted: ['http://app.example.com'],
      has: [
        ['http://app.example.com', 'trusted'],
        ['http://app.example.com:8080', 'other-port'],
        ['http://appxexample.com', 'unescaped-dot'],
      ],
      hasNot: ['https://app.example.com'],
      noClass: ['insecure-twin'],
    },
    {
      // Every dot of a deeper host, first and last included; a name under the same domain is a sibling name.
      trusted: ['https://api.app.example.com'],
      has: [
        ['https://apixapp.example.com', 'unescaped-dot'],
        ['https://api.appxexample.com', 'unescaped-dot'],
        ['https://api.app.examplexcom', 'unescaped-dot'],
        ['https://evilexample.com', 'suffix'],
        ['https://notapi.app.example.com', 'suffix'],
      ],
      hasNot: [],
    },
    {
      trusted: ['http://[::1]:9000'],
      has: [
        ['http://[::1]:9000', 'trusted'],
        ['http://[::1]:9001', 'other-port'],
        ['http://[::1]:9000/', 'trailing-slash'],
      ],
      hasNot: [],
      noClass: ['prefix', 'suffix', 'unescaped-dot', 'special-char', 'subdomain'],
    },
  ])('$trusted', ({ trusted, has, hasNot, noClass }) => {
    const cs = generateCandidates(trusted);
    const map = byOrigin(cs);
    for (const [origin, cls] of has) expect(map.get(origin)?.class, origin).toBe(cls);
    for (const origin of hasNot) expect(map.has(origin), origin).toBe(false);
    for (const cls of noClass ?? []) expect(classesOf(cs).has(cls), cls).toBe(false);
    expect(new Set(cs.map((c) => c.origin)).size).toBe(cs.length);
  });

  it('look-alikes under a multi-label public suffix are registrable by anyone', () => {
    const map = byOrigin(generateCandidates(['https://shop.example.co.uk']));
    expect(map.get('https://evilexample.co.uk')?.attacker).toBe('any-site');
    expect(map.get('https://notshop.example.co.uk')?.attacker).toBe('sibling-name');
    const pages = byOrigin(generateCandidates(['https://app.github.io']));
    // github.io is a public suffix: notapp.github.io is someone else's site, not a sibling.
    expect(pages.get('https://notapp.github.io')?.attacker).toBe('any-site');
  });

  it('several trusted origins: all trusted first, and a twin that is itself trusted stays trusted', () => {
    const cs = generateCandidates([
      'https://app.example.com',
      'http://app.example.com',
      'https://admin.example.com',
    ]);
    expect(cs.slice(0, 3).map((c) => [c.origin, c.class])).toEqual([
      ['https://app.example.com', 'trusted'],
      ['http://app.example.com', 'trusted'],
      ['https://admin.example.com', 'trusted'],
    ]);
    expect(cs.filter((c) => c.origin === 'http://app.example.com')).toHaveLength(1);
    expect(byOrigin(cs).get('http://admin.example.com')?.class).toBe('insecure-twin');
    // One arbitrary and one null for the whole run; look-alikes per trusted origin.
    expect(cs.filter((c) => c.class === 'arbitrary')).toHaveLength(1);
    expect(cs.filter((c) => c.class === 'null')).toHaveLength(1);
    expect(byOrigin(cs).get('https://admin.example.com.evil.example')?.class).toBe('prefix');
  });

  it('normalises a trusted URL to its origin and keeps what is not a URL as given', () => {
    expect(generateCandidates(['https://App.Example.com/path?q'])[0]!.origin).toBe('https://app.example.com');
    const odd = generateCandidates(['null', 'not a url', '  ']);
    expect(odd.filter((c) => c.class === 'trusted').map((c) => c.origin)).toEqual(['null', 'not a url']);
    expect(odd.filter((c) => c.origin === 'null')).toHaveLength(1);
  });
});
