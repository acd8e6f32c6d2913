import { describe, expect, it } from 'vitest';
import { renderKeysJwks, type KeysJwksResult } from '../../../src/commands/keys/jwks.js';
import { hasAnsi, stderrOf, stdoutOf, viewFor, inEveryMode } from '../../helpers/view.js';

const JWKS = {
  keys: [
    { kty: 'EC', crv: 'P-256', x: 'x1', y: 'y1', kid: 'ec-1', alg: 'ES256', use: 'sig' },
    { kty: 'OKP', crv: 'Ed25519', x: 'x2', kid: 'tp-ed', alg: 'EdDSA', use: 'sig' },
  ],
};
const KEYS = [
  { source: 'keys.jwks.json keys[0]', kid: 'ec-1', thumbprint: 'tp-ec' },
  { source: 'ed.key.pem', kid: 'tp-ed', thumbprint: 'tp-ed' },
];
const DUPLICATE = {
  source: 'ec.pub.pem',
  kid: 'tp-ec',
  thumbprint: 'tp-ec',
  sameAs: 'keys.jwks.json keys[0]',
};

const TO_STDOUT: KeysJwksResult = { jwks: JWKS, keys: KEYS, duplicates: [DUPLICATE], out: null };
const TO_FILE: KeysJwksResult = { ...TO_STDOUT, duplicates: [], out: { path: 'jwks.json', mode: '0644' } };
const ONE_TO_FILE: KeysJwksResult = {
  jwks: { keys: [JWKS.keys[1]!] },
  keys: [KEYS[1]!],
  duplicates: [],
  out: { path: 'one.json', mode: '0644' },
};
// A kid read from a JWK file, carrying a screen-clearing escape: "?" in human output, as it is in the JSON.
const HOSTILE: KeysJwksResult = {
  ...ONE_TO_FILE,
  keys: [{ source: 'evil.jwk.json', kid: 'a\u001b[2Jb', thumbprint: 'tp-ed' }],
};

const SKIPPED = 'skipped "ec.pub.pem": the same key as "keys.jwks.json keys[0]" (thumbprint tp-ec)\n';

const CASES: {
  label: string;
  result: KeysJwksResult;
  human: string;
  /** Human output on stderr, after `err`: with --out, what was written (the file is the product, item 19). */
  humanErr?: string;
  wantJson: unknown;
  err: string;
}[] = [
  // Without --out the JWKS itself is the product (also with --json); skipped duplicates are said on stderr.
  {
    label: 'to stdout, one duplicate',
    result: TO_STDOUT,
    human: JSON.stringify(JWKS, null, 2) + '\n',
    wantJson: JWKS,
    err: SKIPPED,
  },
  {
    label: 'to a file',
    result: TO_FILE,
    human: '',
    humanErr:
      'wrote jwks.json  (2 keys, mode 0644)\n  kid ec-1  from keys.jwks.json keys[0]\n  kid tp-ed  from ed.key.pem\n',
    wantJson: { out: { path: 'jwks.json', mode: '0644' }, keys: KEYS, duplicates: [] },
    err: '',
  },
  {
    label: 'one key to a file',
    result: ONE_TO_FILE,
    human: '',
    humanErr: 'wrote one.json  (1 key, mode 0644)\n  kid tp-ed  from ed.key.pem\n',
    wantJson: { out: { path: 'one.json', mode: '0644' }, keys: [KEYS[1]], duplicates: [] },
    err: '',
  },
  {
    label: 'a kid with an escape sequence',
    result: HOSTILE,
    human: '',
    humanErr: 'wrote one.json  (1 key, mode 0644)\n  kid a?[2Jb  from evil.jwk.json\n',
    wantJson: { out: { path: 'one.json', mode: '0644' }, keys: HOSTILE.keys, duplicates: [] },
    err: '',
  },
];

const ROWS = inEveryMode(CASES);

describe('renderKeysJwks', () => {
  it.each(ROWS)('$label tty=$tty json=$json', ({ result, human, humanErr, wantJson, err, tty, json }) => {
    const rendered = renderKeysJwks(result, viewFor({ tty, json }));
    const out = stdoutOf(rendered);
    expect(out).toBe(json ? JSON.stringify(wantJson, null, 2) + '\n' : human);
    // Nothing here is coloured, and JSON escapes a control character in a kid itself.
    expect(hasAnsi(out)).toBe(false);
    expect(stderrOf(rendered)).toBe(err + (json ? '' : (humanErr ?? '')));
    expect(stderrOf(rendered)).not.toContain('\u001b[2J');
  });
});
