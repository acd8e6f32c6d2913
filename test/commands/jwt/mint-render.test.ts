import { describe, expect, it } from 'vitest';
import { renderJwtMint, type JwtMintResult } from '../../../src/commands/jwt/mint.js';
import { hasAnsi, stderrOf, stdoutOf, viewFor } from '../../helpers/view.js';

// eslint-disable-next-line no-control-regex -- strips ANSI colour codes
const plain = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '');

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln';
const result: JwtMintResult = {
  token: TOKEN,
  header: { alg: 'ES256', typ: 'JWT', kid: 'k1' },
  payload: { sub: 'alice', iat: 1767225600 },
  warnings: [{ id: 'exp_missing', message: 'no "exp": the token never expires (RFC 8725 §3.10; OWASP)' }],
};

describe('renderJwtMint', () => {
  it.each([
    { tty: true, json: false, want: `${TOKEN}\n` },
    { tty: false, json: false, want: `${TOKEN}\n` },
    {
      tty: true,
      json: true,
      want: JSON.stringify({ token: TOKEN, header: result.header, payload: result.payload }, null, 2) + '\n',
    },
    {
      tty: false,
      json: true,
      want: JSON.stringify({ token: TOKEN, header: result.header, payload: result.payload }, null, 2) + '\n',
    },
  ])('tty=$tty json=$json', ({ tty, json, want }) => {
    const rendered = renderJwtMint(result, viewFor({ tty, json }));
    // The token prints bare (so `$(apikit jwt mint ...)` works), never coloured; --json is one plain document.
    expect(stdoutOf(rendered)).toBe(want);
    expect(hasAnsi(stdoutOf(rendered))).toBe(false);
    // Warnings go to stderr every time, coloured only on a terminal, and come before the token.
    const err = stderrOf(rendered);
    expect(plain(err)).toBe(`warning: ${result.warnings[0]!.message} [exp_missing]\n`);
    expect(hasAnsi(err)).toBe(tty);
    expect(rendered[0]!.to).toBe('err');
  });

  it.each([false, true])('json=%s: no warnings, nothing on stderr', (json) => {
    const rendered = renderJwtMint({ ...result, warnings: [] }, viewFor({ tty: true, json }));
    expect(stderrOf(rendered)).toBe('');
  });

  it('a warning quoting control characters reaches the terminal sanitised', () => {
    const rendered = renderJwtMint(
      { ...result, warnings: [{ id: 'kid_suspicious', message: 'kid "\u001b]0;x\u0007\u202e" is odd' }] },
      viewFor({ tty: false }),
    );
    expect(stderrOf(rendered)).toBe('warning: kid "?]0;x??" is odd [kid_suspicious]\n');
  });
});
