import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { renderKeysInspect, type KeysInspectResult } from '../../../src/commands/keys/inspect.js';
import type { Block } from '../../../src/io/render.js';
import type { KeyReport } from '../../../src/lib/keys/report.js';
import { hasAnsi, stderrOf, stdoutOf, viewFor, inEveryMode } from '../../helpers/view.js';

const URN = 'urn:ietf:params:oauth:jwk-thumbprint:sha-256:';

function report(fields: Partial<KeyReport>): KeyReport {
  return {
    kind: 'public',
    kty: 'EC',
    crv: 'P-256',
    bits: null,
    algorithms: ['ES256'],
    kid: null,
    alg: null,
    use: null,
    thumbprint: 'tp-ec',
    thumbprintUri: `${URN}tp-ec`,
    rsaPssOid: false,
    certificate: null,
    notes: [],
    ...fields,
  };
}

const EC_ROWS = [
  ['type', 'EC'],
  ['curve', 'P-256'],
  ['algorithms', 'ES256'],
];

/** Each case: a result, the name of its format, and per key the [field, value] rows both layouts show. */
const CASES: { label: string; result: KeysInspectResult; format: string; keys: string[][][] }[] = [
  {
    label: 'one private key',
    result: { source: 'signing.key.pem', format: 'pkcs8', keys: [report({ kind: 'private' })] },
    format: 'PEM PKCS#8 private key',
    keys: [[['kind', 'private'], ...EC_ROWS, ['thumbprint', 'tp-ec'], ['thumbprint uri', `${URN}tp-ec`]]],
  },
  {
    label: 'a JWKS of two keys',
    result: {
      source: 'stdin',
      format: 'jwks',
      keys: [
        report({ kid: 'ec-1', use: 'sig' }),
        report({
          kty: 'OKP',
          crv: 'Ed25519',
          algorithms: ['EdDSA'],
          kid: 'ed-1',
          alg: 'EdDSA',
          thumbprint: 'tp-ed',
          thumbprintUri: `${URN}tp-ed`,
        }),
      ],
    },
    format: 'JWKS',
    keys: [
      [
        ['kind', 'public'],
        ...EC_ROWS,
        ['kid', 'ec-1'],
        ['use', 'sig'],
        ['thumbprint', 'tp-ec'],
        ['thumbprint uri', `${URN}tp-ec`],
      ],
      [
        ['kind', 'public'],
        ['type', 'OKP'],
        ['curve', 'Ed25519'],
        ['algorithms', 'EdDSA'],
        ['kid', 'ed-1'],
        ['alg', 'EdDSA'],
        ['thumbprint', 'tp-ed'],
        ['thumbprint uri', `${URN}tp-ed`],
      ],
    ],
  },
  {
    label: 'an HMAC secret',
    result: {
      source: 'hook.secret',
      format: 'secret',
      keys: [
        report({
          kind: 'secret',
          kty: 'oct',
          crv: null,
          bits: 400,
          algorithms: ['HS256', 'HS384'],
          thumbprint: null,
          thumbprintUri: null,
          notes: ['thumbprint withheld: for a secret it is a plain hash of the secret'],
        }),
      ],
    },
    format: 'raw HMAC secret',
    keys: [
      [
        ['kind', 'secret (HMAC)'],
        ['type', 'oct'],
        ['size', '50 bytes'],
        ['algorithms', 'HS256 HS384'],
        ['note', 'thumbprint withheld: for a secret it is a plain hash of the secret'],
      ],
    ],
  },
  {
    label: 'an expired certificate and a small RSA key',
    result: {
      source: 'cert.pem',
      format: 'x509',
      keys: [
        report({
          kty: 'RSA',
          crv: null,
          bits: 1024,
          algorithms: [],
          certificate: {
            subject: 'CN=apikit test, O=Example',
            issuer: 'CN=apikit test, O=Example',
            serialNumber: '1E1A',
            notBefore: '2020-01-01T00:00:00.000Z',
            notAfter: '2021-01-01T00:00:00.000Z',
            fingerprintSha256: 'AB:CD',
            selfSigned: true,
            expired: true,
            notYetValid: false,
          },
          notes: ['the certificate expired at 2021-01-01T00:00:00.000Z'],
        }),
      ],
    },
    format: 'PEM X.509 certificate',
    keys: [
      [
        ['kind', 'public'],
        ['type', 'RSA'],
        ['bits', '1024'],
        ['algorithms', '(none)'],
        ['thumbprint', 'tp-ec'],
        ['thumbprint uri', `${URN}tp-ec`],
        ['subject', 'CN=apikit test, O=Example'],
        ['issuer', 'CN=apikit test, O=Example (self-signed)'],
        ['serial', '1E1A'],
        ['not before', '2020-01-01T00:00:00.000Z'],
        ['not after', '2021-01-01T00:00:00.000Z (expired)'],
        ['sha-256 fingerprint', 'AB:CD'],
        ['note', 'the certificate expired at 2021-01-01T00:00:00.000Z'],
      ],
    ],
  },
  {
    // A hostile JWKS: ESC clears the screen, OSC retitles the window, BEL rings, RLO reverses the text after
    // it. None of it reaches the terminal: every control character is "?".
    label: 'text from the file carrying escape sequences',
    result: {
      source: 'evil.jwks.json',
      format: 'jwks',
      keys: [
        report({
          kid: 'a\u001b[2Jb',
          alg: 'x\u001b]0;pwned\u0007',
          use: 'sig\u202e',
          notes: ['the key is tagged alg "x\u001b]0;pwned\u0007", which it cannot be used with'],
        }),
      ],
    },
    format: 'JWKS',
    keys: [
      [
        ['kind', 'public'],
        ...EC_ROWS,
        ['kid', 'a?[2Jb'],
        ['alg', 'x?]0;pwned?'],
        ['use', 'sig?'],
        ['thumbprint', 'tp-ec'],
        ['thumbprint uri', `${URN}tp-ec`],
        ['note', 'the key is tagged alg "x?]0;pwned?", which it cannot be used with'],
      ],
    ],
  },
];

const bold = new Chalk({ level: 1 }).bold;

/** Piped: "source:" and "format:" lines, then "field: value" lines, a blank line between keys. */
function piped(c: (typeof CASES)[number]): string {
  const many = c.keys.length > 1;
  const lines = [`source: ${c.result.source}`, `format: ${c.format}`];
  if (many) lines.push(`keys: ${c.keys.length}`);
  for (const [i, rows] of c.keys.entries()) {
    if (many) lines.push('', `key: ${i + 1} of ${c.keys.length}`);
    for (const [field, value] of rows) lines.push(`${field}: ${value}`);
  }
  return lines.join('\n') + '\n';
}

/** A terminal: a bold title, then per key (numbered when there are several) a field/value table. */
function boxed(c: (typeof CASES)[number]): Block[] {
  const many = c.keys.length > 1 ? `, ${c.keys.length} keys` : '';
  const blocks: Block[] = [{ to: 'out', text: bold(`${c.result.source}: ${c.format}${many}`) + '\n' }];
  for (const [i, rows] of c.keys.entries()) {
    if (c.keys.length > 1)
      blocks.push({ to: 'out', text: bold(`\nkey ${i + 1} of ${c.keys.length}`) + '\n' });
    blocks.push({ to: 'out', table: { head: ['field', 'value'], rows } });
  }
  return blocks;
}

const ROWS = inEveryMode(CASES);

describe('renderKeysInspect', () => {
  it.each(ROWS)('$label tty=$tty json=$json', (row) => {
    const rendered = renderKeysInspect(row.result, viewFor({ tty: row.tty, json: row.json }));
    expect(stderrOf(rendered)).toBe('');
    if (row.json) {
      // One JSON document, the result as it is (JSON escapes control characters itself).
      expect(rendered).toEqual([{ to: 'out', text: JSON.stringify(row.result, null, 2) + '\n' }]);
    } else if (row.tty) {
      expect(rendered).toEqual(boxed(row));
    } else {
      expect(rendered).toEqual([{ to: 'out', text: piped(row) }]);
      expect(hasAnsi(stdoutOf(rendered))).toBe(false);
    }
    // No control character from the input reaches a human layout (only the title's own bold does).
    if (!row.json) {
      const text = stdoutOf(rendered).replaceAll('\u001b[1m', '').replaceAll('\u001b[22m', '');
      for (const control of ['\u0007', '\u001b', '\u202e']) expect(text).not.toContain(control);
    }
  });
});
