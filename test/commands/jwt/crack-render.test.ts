import { describe, expect, it } from 'vitest';
import { renderJwtCrack, type JwtCrackResult } from '../../../src/commands/jwt/crack.js';
import { hasAnsi, stderrOf, stdoutOf, viewFor } from '../../helpers/view.js';

// eslint-disable-next-line no-control-regex -- strips ANSI colour codes
const plain = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '');

const builtin: JwtCrackResult = {
  alg: 'HS256',
  cracked: true,
  secret: 'your-256-bit-secret',
  source: 'builtin',
  tried: 3,
  outcome: 'negative',
};
const wordlist: JwtCrackResult = {
  ...builtin,
  alg: 'HS512',
  secret: 'correct-horse',
  source: 'wordlist',
  tried: 140,
};
const notFound: JwtCrackResult = {
  alg: 'HS384',
  cracked: false,
  secret: null,
  source: null,
  tried: 120,
  outcome: 'ok',
};

describe('renderJwtCrack', () => {
  it.each([
    {
      result: builtin,
      want: 'weak: the HS256 secret is "your-256-bit-secret" (built-in list, after 3 tries) — anyone can forge tokens with it\n',
    },
    {
      result: wordlist,
      want: 'weak: the HS512 secret is "correct-horse" (wordlist, after 140 tries) — anyone can forge tokens with it\n',
    },
    {
      result: notFound,
      want: 'not found: none of 120 candidate secrets matched (not proof that the secret is strong)\n',
    },
  ])('$result.source $result.cracked (tty on and off)', ({ result, want }) => {
    for (const tty of [false, true]) {
      const rendered = renderJwtCrack(result, viewFor({ tty }));
      expect(plain(stdoutOf(rendered))).toBe(want);
      expect(hasAnsi(stdoutOf(rendered))).toBe(tty);
      expect(stderrOf(rendered)).toBe('');
    }
  });

  it.each([
    { tty: false, result: builtin },
    { tty: true, result: builtin },
    { tty: false, result: notFound },
    { tty: true, result: notFound },
  ])('--json tty=$tty cracked=$result.cracked: the result without its outcome', ({ tty, result }) => {
    const rendered = renderJwtCrack(result, viewFor({ tty, json: true }));
    const out = stdoutOf(rendered);
    const { outcome: _outcome, ...shown } = result;
    expect(out).toBe(JSON.stringify(shown, null, 2) + '\n');
    expect(Object.keys(JSON.parse(out))).toEqual(['alg', 'cracked', 'secret', 'source', 'tried']);
    expect(hasAnsi(out)).toBe(false);
  });

  it('a wordlist secret carrying terminal controls is sanitised for people, exact in --json', () => {
    const hostile = { ...wordlist, secret: 'a\u009b2Jb\u202ec' };
    expect(stdoutOf(renderJwtCrack(hostile, viewFor({ tty: false })))).toContain(
      'secret is "a?2Jb?c" (wordlist',
    );
    expect(JSON.parse(stdoutOf(renderJwtCrack(hostile, viewFor({ tty: false, json: true })))).secret).toBe(
      hostile.secret,
    );
  });
});
