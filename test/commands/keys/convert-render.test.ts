import { describe, expect, it } from 'vitest';
import { renderKeysConvert, type KeysConvertResult } from '../../../src/commands/keys/convert.js';
import { hasAnsi, stderrOf, stdoutOf, viewFor, inEveryMode } from '../../helpers/view.js';

const PEM = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n';
const JWK_TEXT = JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }, null, 2) + '\n';

// Fields in the order runKeysConvert builds them (the JSON document keeps that order).
const TO_PEM: KeysConvertResult = {
  source: 'ec.key.pem',
  from: 'pkcs8',
  to: 'pem',
  kind: 'public',
  text: PEM,
  out: null,
  decrypted: false,
};
const TO_JWK: KeysConvertResult = { ...TO_PEM, to: 'jwk', text: JWK_TEXT };
const TO_FILE: KeysConvertResult = {
  source: 'enc.key.pem',
  from: 'encrypted-pkcs8',
  to: 'jwk',
  kind: 'private',
  text: '{"kty":"EC","d":"secret"}\n',
  out: { path: 'plain.jwk', mode: '0600' },
  decrypted: true,
};

const WARNING = 'the private key output is NOT encrypted; keep it as safe as the passphrase was\n';
const warning = (tty: boolean): string =>
  tty ? `\u001b[33mwarning:\u001b[39m ${WARNING}` : `warning: ${WARNING}`;

const CASES: {
  label: string;
  result: KeysConvertResult;
  human: string;
  /** Human output on stderr after any warning: with --out, what was written (the file is the product). */
  humanErr?: string;
  wantJson: unknown;
  warns: boolean;
}[] = [
  // The key is the product: bare on stdout, as it is (a PEM, or JWK text); --json carries it as "key".
  {
    label: 'to PEM',
    result: TO_PEM,
    human: PEM,
    wantJson: {
      source: 'ec.key.pem',
      from: 'pkcs8',
      to: 'pem',
      kind: 'public',
      out: null,
      decrypted: false,
      key: PEM,
    },
    warns: false,
  },
  {
    label: 'to JWK',
    result: TO_JWK,
    human: JWK_TEXT,
    wantJson: {
      source: 'ec.key.pem',
      from: 'pkcs8',
      to: 'jwk',
      kind: 'public',
      out: null,
      decrypted: false,
      key: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' },
    },
    warns: false,
  },
  // With --out the key stays in the file, also with --json; decrypting says so on stderr, every time.
  {
    label: 'decrypted, to a file',
    result: TO_FILE,
    // The file is the product: stdout stays empty, what was written is said on stderr (item 19).
    human: '',
    humanErr: 'wrote plain.jwk  (private key, JWK, mode 0600)\n',
    wantJson: {
      source: 'enc.key.pem',
      from: 'encrypted-pkcs8',
      to: 'jwk',
      kind: 'private',
      out: { path: 'plain.jwk', mode: '0600' },
      decrypted: true,
    },
    warns: true,
  },
];

const ROWS = inEveryMode(CASES);

describe('renderKeysConvert', () => {
  it.each(ROWS)('$label tty=$tty json=$json', ({ result, human, humanErr, wantJson, warns, tty, json }) => {
    const rendered = renderKeysConvert(result, viewFor({ tty, json }));
    const out = stdoutOf(rendered);
    if (json) {
      expect(out).toBe(JSON.stringify(wantJson, null, 2) + '\n');
    } else {
      expect(out).toBe(human);
    }
    expect(hasAnsi(out)).toBe(false);
    expect(stderrOf(rendered)).toBe((warns ? warning(tty) : '') + (json ? '' : (humanErr ?? '')));
  });
});
