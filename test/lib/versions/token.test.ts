import { describe, expect, it } from 'vitest';
import {
  compareTokens,
  formatToken,
  parseToken,
  styleOf,
  tokenKey,
  tokensInText,
} from '../../../src/lib/versions/token.js';

describe('version tokens', () => {
  it.each([
    ['v1', { kind: 'number', major: 1 }],
    ['V2', { kind: 'number', major: 2 }],
    ['v1.2', { kind: 'number', major: 1, minor: 2 }],
    ['2', { kind: 'number', major: 2 }],
    ['2024-06-01', { kind: 'date', date: '2024-06-01' }],
    ['2024-06-01-preview', { kind: 'date', date: '2024-06-01', tag: 'preview' }],
    [' v3 ', { kind: 'number', major: 3 }],
    // Below zero only with a v: the sandbox's retired v-1 (never guessed; tried when an API names it).
    ['v-1', { kind: 'number', major: -1 }],
    ['V-12.3', { kind: 'number', major: -12, minor: 3 }],
  ])('%s is a version', (text, want) => {
    expect(parseToken(text)).toEqual(want);
  });

  it.each(['users', 'v', 'v1x', '2024-13-01', '2023-02-29', '-1', 'v-0', 'v--1', '', '1.2.3', '../v1'])(
    '%j is not a version',
    (text) => {
      expect(parseToken(text)).toBeNull();
    },
  );

  it('a bare number is not a path version (an id)', () => {
    expect(parseToken('42', { bareNumber: false })).toBeNull();
    expect(parseToken('v42', { bareNumber: false })).toEqual({ kind: 'number', major: 42 });
  });

  it('v2, V2 and 2 are one version, written back in the API’s style', () => {
    const keys = ['v2', 'V2', '2'].map((t) => tokenKey(parseToken(t)!));
    expect(new Set(keys)).toEqual(new Set(['2']));
    expect(formatToken(parseToken('2')!, styleOf('v1'))).toBe('v2');
    expect(formatToken(parseToken('v2')!, styleOf('1'))).toBe('2');
    expect(formatToken(parseToken('v2')!, styleOf('v1.3'))).toBe('v2.0');
    expect(formatToken(parseToken('2024-06-01')!, styleOf('v1'))).toBe('2024-06-01');
    expect(styleOf('2024-06-01').format).toBe('date');
    expect(styleOf('V1')).toEqual({ format: 'major', prefix: 'V' });
  });

  it('orders numbers, then minors, then dates', () => {
    const sorted = ['2024-06-01', 'v2', 'v1.1', 'v1', '2023-01-01', 'v10', '2024-06-01-preview']
      .map((t) => parseToken(t)!)
      .sort(compareTokens)
      .map(tokenKey);
    expect(sorted).toEqual(['1', '1.1', '2', '10', '2023-01-01', '2024-06-01', '2024-06-01-preview']);
  });

  it('finds ids in a message, not in words or other numbers', () => {
    const found = tokensInText('supported versions are v1, v2.1 and 2024-06-01; see rfc9110 or v1x').map(
      tokenKey,
    );
    expect(found).toEqual(['1', '2.1', '2024-06-01']);
  });
});
