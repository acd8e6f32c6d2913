import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  renderTokenClientCredentials,
  type TokenClientCredentialsResult,
} from '../../../src/commands/token/client-credentials.js';
import { hasAnsi, stderrOf, stdoutOf, viewFor } from '../../helpers/view.js';

const NOW = Date.UTC(2026, 0, 1);
const TOKEN = 'cc-access-token-0123456789';

function result(overrides: Partial<TokenClientCredentialsResult> = {}): TokenClientCredentialsResult {
  return {
    format: 'bare',
    accessToken: TOKEN,
    tokenType: 'Bearer',
    response: { access_token: TOKEN, token_type: 'Bearer', expires_in: 300, scope: 'read:reports' },
    expiresAt: NOW + 300_000,
    fromCache: false,
    savedProfile: undefined,
    ...overrides,
  };
}

const JSON_DOC = {
  access_token: TOKEN,
  token_type: 'Bearer',
  expires_in: 300,
  scope: 'read:reports',
  expires_at: '2026-01-01T00:05:00Z',
};

describe('renderTokenClientCredentials', () => {
  it.each([
    { tty: true, format: 'bare' as const, want: `${TOKEN}\n` },
    { tty: false, format: 'bare' as const, want: `${TOKEN}\n` },
    { tty: true, format: 'header' as const, want: `Authorization: Bearer ${TOKEN}\n` },
    { tty: false, format: 'header' as const, want: `Authorization: Bearer ${TOKEN}\n` },
    { tty: true, format: 'json' as const, want: JSON.stringify(JSON_DOC, null, 2) + '\n' },
    { tty: false, format: 'json' as const, want: JSON.stringify(JSON_DOC, null, 2) + '\n' },
  ])('tty=$tty --format $format: the token alone on stdout, nothing on stderr', ({ tty, format, want }) => {
    const rendered = renderTokenClientCredentials(
      result({ format }),
      viewFor({ tty, json: format === 'json', now: NOW }),
    );
    expect(stdoutOf(rendered)).toBe(want);
    expect(stderrOf(rendered)).toBe('');
    expect(hasAnsi(stdoutOf(rendered))).toBe(false);
  });

  it.each([
    { tokenType: 'bearer', want: `Authorization: Bearer ${TOKEN}\n` },
    { tokenType: 'BEARER', want: `Authorization: Bearer ${TOKEN}\n` },
    { tokenType: 'DPoP', want: `Authorization: DPoP ${TOKEN}\n` },
  ])('--format header with token_type $tokenType', ({ tokenType, want }) => {
    const rendered = renderTokenClientCredentials(
      result({ format: 'header', tokenType }),
      viewFor({ tty: false, now: NOW }),
    );
    expect(stdoutOf(rendered)).toBe(want);
  });

  it.each([{ tty: true }, { tty: false }])('tty=$tty: no expires_in → expires_at null', ({ tty }) => {
    const rendered = renderTokenClientCredentials(
      result({
        format: 'json',
        expiresAt: undefined,
        response: { access_token: TOKEN, token_type: 'Bearer' },
      }),
      viewFor({ tty, json: true, now: NOW }),
    );
    expect(JSON.parse(stdoutOf(rendered))).toEqual({
      access_token: TOKEN,
      token_type: 'Bearer',
      expires_at: null,
    });
  });

  it.each([
    { tty: true, want: /^using a cached token \(expires in 300s\)\n$/ },
    { tty: false, want: /^$/ },
  ])('tty=$tty: a cached token is announced as progress, only on a terminal', ({ tty, want }) => {
    const rendered = renderTokenClientCredentials(result({ fromCache: true }), viewFor({ tty, now: NOW }));
    expect(stdoutOf(rendered)).toBe(`${TOKEN}\n`);
    expect(stripVTControlCharacters(stderrOf(rendered))).toMatch(want);
    expect(hasAnsi(stderrOf(rendered))).toBe(tty);
  });

  it.each([{ tty: true }, { tty: false }])(
    'tty=$tty: a saved profile is a notice on stderr; stdout stays the token',
    ({ tty }) => {
      const rendered = renderTokenClientCredentials(
        result({ savedProfile: 'ci' }),
        viewFor({ tty, now: NOW }),
      );
      expect(stdoutOf(rendered)).toBe(`${TOKEN}\n`);
      expect(stderrOf(rendered)).toBe('saved profile "ci" (renew with: apikit token --profile ci)\n');
    },
  );
});
