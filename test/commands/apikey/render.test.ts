import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { renderApikeyCheck, type ApikeyCheckResult } from '../../../src/commands/apikey/check.js';
import { renderApikeyGenerate, runApikeyGenerate } from '../../../src/commands/apikey/generate.js';
import { renderApikeyHash, type ApikeyHashResult } from '../../../src/commands/apikey/hash.js';
import { Redactor } from '../../../src/io/redact.js';
import { hasAnsi, inEveryMode, stderrOf, stdoutOf, viewFor } from '../../helpers/view.js';

/** The apikey renderers, each in every view mode (terminal or pipe, with or without --json). */
const strip = (text: string): string => stripVTControlCharacters(text);

describe('renderApikeyGenerate', () => {
  const redactor = new Redactor();
  const result = runApikeyGenerate({ prefix: 'ak_live' }, { redactor }, (n) => new Uint8Array(n).fill(7));

  it('registers the key with the redactor', () => {
    expect(redactor.message(`x ${result.key} y`)).toBe('x [REDACTED] y');
  });

  it.each(inEveryMode([{}]))('tty $tty, json $json', ({ tty, json }) => {
    const out = renderApikeyGenerate(result, viewFor({ tty, json }));
    if (json) {
      expect(JSON.parse(stdoutOf(out))).toEqual(result);
      expect(stderrOf(out)).toBe('');
      return;
    }
    expect(stdoutOf(out)).toBe(`${result.key}\n`);
    expect(hasAnsi(stdoutOf(out))).toBe(false);
    expect(strip(stderrOf(out))).toBe(tty ? `store only its hash: ${result.hash}\n` : '');
  });
});

describe('renderApikeyHash', () => {
  const hash = `sha256:${'ab'.repeat(32)}`;
  const cases: { name: string; result: ApikeyHashResult }[] = [
    { name: 'apikit key', result: { hash, algorithm: 'sha256', prefix: 'ak_live', warning: null } },
    {
      name: 'other key',
      result: { hash, algorithm: 'sha256', prefix: null, warning: 'not a well-formed apikit key' },
    },
  ];
  it.each(inEveryMode(cases))('$name, tty $tty, json $json', ({ result, tty, json }) => {
    const out = renderApikeyHash(result, viewFor({ tty, json }));
    expect(json ? JSON.parse(stdoutOf(out)) : stdoutOf(out)).toEqual(json ? result : `${hash}\n`);
    expect(strip(stderrOf(out))).toBe(result.warning === null ? '' : `warning: ${result.warning}\n`);
    expect(hasAnsi(stderrOf(out))).toBe(tty && result.warning !== null);
  });
});

describe('renderApikeyCheck', () => {
  const cases: { name: string; result: ApikeyCheckResult; text: string }[] = [
    {
      name: 'valid',
      result: { valid: true, prefix: 'acme', reason: null, outcome: 'ok' },
      text: 'valid: a acme key, checksum matches\n',
    },
    {
      name: 'invalid',
      result: { valid: false, prefix: null, reason: 'the checksum does not match', outcome: 'negative' },
      text: 'invalid: the checksum does not match\n',
    },
  ];
  it.each(inEveryMode(cases))('$name, tty $tty, json $json', ({ result, text, tty, json }) => {
    const out = renderApikeyCheck(result, viewFor({ tty, json }));
    expect(stderrOf(out)).toBe('');
    if (json) {
      expect(JSON.parse(stdoutOf(out))).toEqual({
        valid: result.valid,
        prefix: result.prefix,
        reason: result.reason,
      });
      return;
    }
    expect(strip(stdoutOf(out))).toBe(text);
    expect(hasAnsi(stdoutOf(out))).toBe(tty);
  });
});
