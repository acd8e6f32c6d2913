import { describe, expect, it } from 'vitest';
import {
  COOP_VALUES,
  crossOriginRule,
  readCorp,
  readTokenItem,
} from '../../../../src/lib/audit/rules/cross-origin.js';
import { conformsToChecks, ctxFor, ids } from './header-facts.js';

type H = Record<string, string | string[]>;
const run = (h: H, kind: 'api' | 'html', authenticated = false) => {
  const fs = crossOriginRule.run(ctxFor(h, { kind, authenticated }));
  conformsToChecks(crossOriginRule, fs);
  return fs;
};
const CORP_OK = { 'cross-origin-resource-policy': 'same-origin' };

describe('readers', () => {
  it.each<[string[], string | undefined]>([
    [['same-origin'], 'same-origin'],
    [['same-origin; report-to="coop"'], 'same-origin'], // parameters are allowed on an Item
    [['same-origin', 'same-origin'], undefined], // two lines are not one Item
    [['"same-origin"'], undefined], // a String, not a Token
    [['same-origin-allow'], undefined],
    [['Same-Origin'], undefined], // a valid Token, but the names are compared exactly
  ])('COOP %j → %s', (lines, want) => {
    expect(readTokenItem(lines, COOP_VALUES)).toBe(want);
  });

  it.each<[string[], string | undefined]>([
    [['same-site'], 'same-site'],
    [['Same-Origin'], undefined], // Fetch compares bytes
    [['same-origin', 'same-origin'], undefined],
    [['same-origin; x'], undefined],
  ])('CORP %j → %s', (lines, want) => {
    expect(readCorp(lines)).toBe(want);
  });
});

describe('crossOriginRule', () => {
  it.each<[string, H, 'api' | 'html', string[]]>([
    ['helmet-like page', { 'cross-origin-opener-policy': 'same-origin', ...CORP_OK }, 'html', []],
    ['page without COOP', CORP_OK, 'html', ['audit.cross-origin.coop-missing']],
    ['API without COOP: not a document, nothing to say', CORP_OK, 'api', []],
    [
      'COOP invalid',
      { 'cross-origin-opener-policy': 'same', ...CORP_OK },
      'api',
      ['audit.cross-origin.coop-invalid'],
    ],
    [
      'COOP twice',
      { 'cross-origin-opener-policy': ['same-origin', 'unsafe-none'], ...CORP_OK },
      'html',
      ['audit.cross-origin.coop-invalid'],
    ],
    [
      'COEP invalid',
      { 'cross-origin-embedder-policy': 'require-corp-please', ...CORP_OK },
      'api',
      ['audit.cross-origin.coep-invalid'],
    ],
    ['COEP credentialless', { 'cross-origin-embedder-policy': 'credentialless', ...CORP_OK }, 'api', []],
    ['no CORP informs', {}, 'api', ['audit.cross-origin.corp-missing']],
    [
      'CORP invalid',
      { 'cross-origin-resource-policy': 'Same-Origin' },
      'api',
      ['audit.cross-origin.corp-invalid'],
    ],
  ])('%s', (_n, h, kind, want) => {
    expect(ids(run(h, kind))).toEqual(want);
  });

  it('CORP cross-origin is noted on an authenticated API response only', () => {
    const h = { 'cross-origin-resource-policy': 'cross-origin' };
    expect(ids(run(h, 'api', true))).toEqual(['audit.cross-origin.corp-cross-origin']);
    expect(ids(run(h, 'api', false))).toEqual([]);
  });
});
