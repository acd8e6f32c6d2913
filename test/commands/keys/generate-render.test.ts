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
    // --json: the result as it is, uncoloured on a terminal too; human: one line per file, then kid and alg.
    want: json ? JSON.stringify(result, null, 2) + '\n' : HUMAN[alg](tty),
  })),
);

describe('renderKeysGenerate', () => {
  it.each(ROWS)('$alg tty=$tty json=$json', ({ result, tty, json, want }) => {
    const rendered = renderKeysGenerate(result, viewFor({ tty, json }));
    expect(stdoutOf(rendered)).toBe(want);
    expect(hasAnsi(stdoutOf(rendered))).toBe(tty && !json);
    expect(stderrOf(rendered)).toBe('');
  });
});
