import { describe, expect, it } from 'vitest';
import { reconstructRule, summarizePreflight } from '../../../src/lib/cors/rule.js';
import type { RuleKind } from '../../../src/lib/cors/types.js';
import { simulate, TRUSTED, type SimServer } from './sim.js';

/** One simulated server per rule kind, written the way the code that ships writes it. */
const host = (o: string) => {
  try {
    return new URL(o).hostname;
  } catch {
    return '';
  }
};

describe('reconstructRule', () => {
  it.each<[string, SimServer, RuleKind, RuleKind[], RegExp]>([
    [
      'exact allow-list',
      { allow: (o) => o === TRUSTED },
      'exact',
      ['exact'],
      /only the trusted origin, compared exactly, with credentials/,
    ],
    [
      'cors({ origin: true })',
      { allow: () => true },
      'reflect-any',
      ['reflect-any'],
      /reflects any Origin.*with credentials/,
    ],
    [
      'reflection without credentials',
      { allow: () => true, credentials: null },
      'reflect-any',
      ['reflect-any'],
      /without credentials/,
    ],
    [
      'origin.endsWith("example.com")',
      { allow: (o) => o.endsWith('example.com') },
      'suffix',
      ['suffix'],
      /endsWith/,
    ],
    [
      'origin.startsWith(trusted)',
      { allow: (o) => o.startsWith(TRUSTED) },
      'prefix',
      ['prefix'],
      /startsWith check: https:\/\/app\.example\.com\.evil\.example/,
    ],
    [
      'origin.includes("app.example.com")',
      { allow: (o) => o.includes('app.example.com') },
      'substring',
      ['substring'],
      /includes/,
    ],
    [
      '/^https:\\/\\/app.example.com$/ (unescaped dots)',
      { allow: (o) => /^https:\/\/app.example.com$/.test(o) },
      'unescaped-dot-regex',
      ['unescaped-dot-regex'],
      /unescaped|not escaped/,
    ],
    [
      '*.app.example.com',
      { allow: (o) => /^https:\/\/([a-z0-9-]+\.)*app\.example\.com$/.test(o) },
      'any-subdomain',
      ['any-subdomain'],
      /every subdomain/,
    ],
    [
      'ACAO: * (public API)',
      { wildcard: true, credentials: null },
      'wildcard',
      ['wildcard'],
      /\*.*without credentials/,
    ],
    ['ACAO: * with ACAC true', { wildcard: true }, 'wildcard', ['wildcard'], /browsers refuse/],
    [
      'allow-list with "null"',
      { allow: (o) => o === TRUSTED || o === 'null' },
      'null-allowed',
      ['exact', 'null-allowed'],
      /"null"/,
    ],
    ['no CORS at all', {}, 'no-cors', ['no-cors'], /no CORS headers/],
    [
      'a fixed ACAO for some other origin',
      { fixedAcao: 'https://other.example', credentials: null },
      'unknown',
      ['unknown'],
      /none of the trusted origins/,
    ],
    [
      '*.vercel.app for preview deployments',
      { allow: (o) => o === TRUSTED || host(o).endsWith('.vercel.app') },
      'suffix',
      ['suffix'],
      /evil\.vercel\.app/,
    ],
    [
      'the http twin allowed',
      { allow: (o) => o === TRUSTED || o === 'http://app.example.com' },
      'exact',
      ['exact'],
      /also echoes the plain-http twin/,
    ],
    [
      'case-insensitive compare',
      { allow: (o) => o.toLowerCase() === TRUSTED },
      'exact',
      ['exact'],
      /upper-case/,
    ],
    [
      'ACAC "True" (not exactly true)',
      { allow: (o) => o === TRUSTED, credentials: 'True' },
      'exact',
      ['exact'],
      /not exactly "true"/,
    ],
  ])('%s', (_name, server, kind, kinds, description) => {
    const rule = reconstructRule([TRUSTED], simulate([TRUSTED], server));
    expect(rule.kind).toBe(kind);
    expect(rule.kinds).toEqual(kinds);
    expect(rule.description).toMatch(description);
    expect(rule.description).not.toContain('\n');
  });

  it('the most dangerous kind wins', () => {
    const rule = reconstructRule(
      [TRUSTED],
      simulate([TRUSTED], { allow: (o) => o === TRUSTED || o === 'null' || o === 'https://appxexample.com' }),
    );
    expect(rule.kinds).toEqual(['unescaped-dot-regex', 'null-allowed']);
    expect(rule.kind).toBe('unescaped-dot-regex');
  });

  it('no results at all is no CORS', () => {
    expect(reconstructRule([TRUSTED], []).kind).toBe('no-cors');
  });
});

describe('summarizePreflight', () => {
  it('reads the trusted origin’s preflight', () => {
    const s = summarizePreflight(simulate([TRUSTED], { allow: (o) => o === TRUSTED, maxAge: '600' }));
    expect(s).toEqual({
      handled: true,
      status: 204,
      max_age_s: 600,
      allow_methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'],
      allow_headers: ['authorization', 'content-type', 'x-api-key'],
    });
  });
  it('a 404 OPTIONS is not handled', () => {
    const s = summarizePreflight(simulate([TRUSTED], { allow: (o) => o === TRUSTED, preflightStatus: 404 }));
    expect(s.handled).toBe(false);
    expect(s.status).toBe(404);
  });
  it('a 2xx without CORS headers is not handled; nothing recorded is all empty', () => {
    expect(
      summarizePreflight(simulate([TRUSTED], { allow: (o) => o === TRUSTED, preflightCors: false })).handled,
    ).toBe(false);
    expect(summarizePreflight([])).toEqual({
      handled: false,
      status: null,
      max_age_s: null,
      allow_methods: [],
      allow_headers: [],
    });
  });
  it('an unparsable list is shown as sent', () => {
    const s = summarizePreflight(simulate([TRUSTED], { allow: (o) => o === TRUSTED, acam: 'GET POST, PUT' }));
    expect(s.allow_methods).toEqual(['GET POST', 'PUT']);
  });
});
