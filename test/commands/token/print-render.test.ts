import { describe, expect, it } from 'vitest';
import { renderTokenPrint, type TokenPrintResult } from '../../../src/commands/token/print.js';
import { hasAnsi, stderrOf, stdoutOf, viewFor } from '../../helpers/view.js';

const NOW = Date.UTC(2026, 0, 1);
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln';

function result(format: TokenPrintResult['format']): TokenPrintResult {
  return {
    format,
    profile: 'default',
    accessToken: TOKEN,
    tokenType: 'Bearer',
    expiresAt: NOW + 300_000,
    scope: 'read:reports',
    refreshed: true,
  };
}

const JSON_DOC = {
  access_token: TOKEN,
  token_type: 'Bearer',
  expires_at: '2026-01-01T00:05:00Z',
  expires_in: 300,
  scope: 'read:reports',
  profile: 'default',
  refreshed: true,
};

describe('renderTokenPrint', () => {
  it.each([
    { tty: true, format: 'bare' as const, want: `${TOKEN}\n` },
    { tty: false, format: 'bare' as const, want: `${TOKEN}\n` },
    { tty: true, format: 'header' as const, want: `Authorization: Bearer ${TOKEN}\n` },
    { tty: false, format: 'header' as const, want: `Authorization: Bearer ${TOKEN}\n` },
    { tty: true, format: 'json' as const, want: JSON.stringify(JSON_DOC, null, 2) + '\n' },
    { tty: false, format: 'json' as const, want: JSON.stringify(JSON_DOC, null, 2) + '\n' },
  ])('tty=$tty --format $format: the token alone on stdout, nothing on stderr', ({ tty, format, want }) => {
    const rendered = renderTokenPrint(result(format), viewFor({ tty, json: format === 'json', now: NOW }));
    expect(stdoutOf(rendered)).toBe(want);
    expect(stderrOf(rendered)).toBe('');
    // An artifact is never decorated, not even on a terminal: `$(apikit token)` must get exactly the token.
    expect(hasAnsi(stdoutOf(rendered))).toBe(false);
  });

  it.each([{ tty: true }, { tty: false }])(
    'tty=$tty: a token without a known expiry has null expires_at and expires_in',
    ({ tty }) => {
      const { expiresAt: _gone, ...rest } = result('json');
      const doc = JSON.parse(stdoutOf(renderTokenPrint(rest, viewFor({ tty, json: true, now: NOW }))));
      expect(doc).toMatchObject({ expires_at: null, expires_in: null });
    },
  );

  it.each([{ tty: true }, { tty: false }])(
    'tty=$tty: --check (no token in the result) prints nothing',
    ({ tty }) => {
      const { accessToken: _none, ...checked } = result('bare');
      expect(renderTokenPrint(checked, viewFor({ tty, now: NOW }))).toEqual([]);
    },
  );
});
