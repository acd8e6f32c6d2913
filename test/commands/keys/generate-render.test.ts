import { describe, expect, it } from 'vitest';
import { renderKeysGenerate, type KeysGenerateResult } from '../../../src/commands/keys/generate.js';
import { hasAnsi, stderrOf, stdoutOf, viewFor } from '../../helpers/view.js';

const ES256: KeysGenerateResult = {
  alg: 'ES256',
  kty: 'EC',
  kid: 'kid-2026',
  thumbprint: 'tp-abc',
  files: [
    { path: 'k.key.pem', mode: '0600', contents: 'private-key' },
    { path: 'k.pub.pem', mode: '0644', contents: 'public-key' },
    { path: 'k.jwks.json', mode: '0644', contents: 'jwks' },
  ],
};
const HS256: KeysGenerateResult = {
  alg: 'HS256',
  kty: 'oct',
  kid: null,
  thumbprint: null,
  files: [{ path: 'hook.secret', mode: '0600', contents: 'secret' }],
};

const dim = (tty: boolean, text: string): string => (tty ? `\u001b[2m${text}\u001b[22m` : text);

const HUMAN = {
  ES256: (tty: boolean) =>
    `wrote k.key.pem  ${dim(tty, '(private key, PKCS#8, mode 0600)')}\n` +
    `wrote k.pub.pem  ${dim(tty, '(public key, SPKI, mode 0644)')}\n` +
    `wrote k.jwks.json  ${dim(tty, '(public JWKS, mode 0644)')}\n` +
    'kid: kid-2026\nalg: ES256\n',
  HS256: (tty: boolean) => `wrote hook.secret  ${dim(tty, '(HMAC secret, mode 0600)')}\nalg: HS256\n`,
};

const ROWS = [
  { alg: 'ES256' as const, result: ES256 },
  { alg: 'HS256' as const, result: HS256 },
].flatMap(({ alg, result }) =>
  [
    { tty: true, json: false },
    { tty: false, json: false },
    { tty: true, json: true },
    { tty: false, json: true },
  ].map(({ tty, json }) => ({
    alg,
    result,
    tty,
    json,
    // --json: the result as it is, the one document on stdout, uncoloured on a terminal too. Human: the files
    // are the product, so stdout stays empty and one line per file, then kid and alg, go to stderr (item 19).
    wantOut: json ? JSON.stringify(result, null, 2) + '\n' : '',
    wantErr: json ? '' : HUMAN[alg](tty),
  })),
);

describe('renderKeysGenerate', () => {
  it.each(ROWS)('$alg tty=$tty json=$json', ({ result, tty, json, wantOut, wantErr }) => {
    const rendered = renderKeysGenerate(result, viewFor({ tty, json }));
    expect(stdoutOf(rendered)).toBe(wantOut);
    expect(hasAnsi(stdoutOf(rendered))).toBe(false);
    expect(stderrOf(rendered)).toBe(wantErr);
    expect(hasAnsi(stderrOf(rendered))).toBe(tty && !json);
  });

  it('a kid carrying escape sequences reaches the terminal as "?"', () => {
    const rendered = renderKeysGenerate(
      { ...ES256, kid: '\u001b]0;PWNED\u0007\u001b[2J' },
      viewFor({ tty: false }),
    );
    expect(stderrOf(rendered)).toContain('kid: ?]0;PWNED??[2J\n');
  });
});
