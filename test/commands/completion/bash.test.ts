import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUPS } from '../../../src/commands/registry.js';
import { FAIL_ON_SEVERITIES } from '../../../src/lib/findings.js';
import { JWS_ALGORITHMS } from '../../../src/lib/keys/algorithms.js';
import { completionPlace, scriptFor, shellPresent, type CompletionPlace } from './fixtures.js';

/**
 * The bash script, sourced in a real bash: each row sets COMP_WORDS/COMP_CWORD as bash's readline would (it
 * splits at COMP_WORDBREAKS: `--alg=E` arrives as `--alg` `=` `E`, `https://x` as `https` `:` `//x`), calls the
 * completion function `complete -p apikit` names, and reads COMPREPLY.
 */
const bash = shellPresent('bash');

let place: CompletionPlace;
let script: string;

beforeAll(async () => {
  place = completionPlace();
  script = join(place.dir, '..', 'apikit.bash');
  writeFileSync(script, await scriptFor('bash', place));
});
afterAll(() => place?.cleanup());

/** COMPREPLY for each line of words (the last word is the one being completed), in one bash. */
function complete(lines: string[][]): string[][] {
  const quote = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;
  const driver = [
    `source ${quote(script)}`,
    // The function bash would call, as registered: `complete -F _apikit apikit`.
    `fn=$(complete -p apikit | sed -E 's/.*-F ([^ ]+).*/\\1/')`,
    ...lines.map((words) =>
      [
        `COMP_WORDS=(${words.map(quote).join(' ')})`,
        `COMP_CWORD=${words.length - 1}`,
        `COMP_LINE=${quote(words.join(' '))}; COMP_POINT=\${#COMP_LINE}`,
        `COMPREPLY=(); "$fn" apikit; printf '%s\\n' "\${COMPREPLY[*]}"`,
      ].join('; '),
    ),
  ].join('\n');
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', driver], {
    cwd: place.dir,
    env: place.env,
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout
    .split('\n')
    .slice(0, lines.length)
    .map((l) => l.split(' ').filter(Boolean).sort());
}

const sorted = (words: readonly string[]) => [...words].sort();

describe.skipIf(bash.skip)('apikit completion bash, in bash', () => {
  it('registers the completion function for apikit', () => {
    const r = spawnSync('bash', ['--norc', '-c', `source '${script}' && complete -p apikit`], {
      encoding: 'utf8',
    });
    expect(r.stdout.trim()).toBe('complete -F _apikit apikit');
  });

  const rows: { words: string[]; want: readonly string[]; exact?: boolean }[] = [
    { words: ['apikit', ''], want: [...GROUPS.map((g) => g.name), 'help'], exact: true },
    { words: ['apikit', 'j'], want: ['jwt'], exact: true },
    { words: ['apikit', 'jwt', ''], want: ['crack', 'decode', 'mint', 'verify'], exact: true },
    { words: ['apikit', '--json', 'keys', 'ro'], want: ['rotate'], exact: true },
    { words: ['apikit', 'jwt', 'mint', '--alg', ''], want: JWS_ALGORITHMS, exact: true },
    {
      words: ['apikit', 'jwt', 'verify', '--alg', '=', 'E'],
      want: ['ES256', 'ES384', 'ES512', 'EdDSA'],
      exact: true,
    },
    { words: ['apikit', 'jwt', 'verify', '--alg', '='], want: JWS_ALGORITHMS, exact: true },
    { words: ['apikit', 'jwt', 'verify', '--a'], want: ['--alg', '--aud'], exact: true },
    { words: ['apikit', 'keys', 'generate', '--alg', 'P'], want: ['PS256', 'PS384', 'PS512'], exact: true },
    { words: ['apikit', 'keys', 'convert', 'k.pem', '--to', ''], want: ['jwk', 'pem'], exact: true },
    { words: ['apikit', 'token', '--format', ''], want: ['bare', 'header', 'json'], exact: true },
    {
      words: ['apikit', 'token', 'client-credentials', '--auth-method', ''],
      want: ['client_secret_basic', 'client_secret_jwt', 'client_secret_post', 'private_key_jwt'],
      exact: true,
    },
    // After a URL that bash split at ':' and a --claim value it split at '='.
    {
      words: ['apikit', 'probe', 'cors', 'https', ':', '//x', '--fail-on', ''],
      want: FAIL_ON_SEVERITIES,
      exact: true,
    },
    {
      words: ['apikit', 'jwt', 'mint', '--claim', 'a', '=', 'b', '--typ', 'x', '--alg', 'H'],
      want: ['HS256', 'HS384', 'HS512'],
      exact: true,
    },
    { words: ['apikit', 'probe', ''], want: ['cors', 'ratelimit', 'versions'], exact: true },
    { words: ['apikit', 'probe', 'https', ':', '//x', ''], want: ['--origin'] },
    { words: ['apikit', 'probe', '--format', ''], want: ['json', 'markdown', 'table'], exact: true },
    { words: ['apikit', 'audit', '--target', ''], want: ['api', 'auto', 'html'], exact: true },
    { words: ['apikit', 'audit', '--fail-under', 'A'], want: ['A', 'A+', 'A-'], exact: true },
    { words: ['apikit', 'completion', ''], want: ['bash', 'fish', 'zsh'], exact: true },
    { words: ['apikit', 'help', 'pr'], want: ['probe', 'profiles'], exact: true },
    // Global flags after a verb; a verb's flags; every command has --help.
    {
      words: ['apikit', 'keys', 'generate', '--'],
      want: ['--alg', '--out', '--json', '--no-color', '--help'],
    },
    { words: ['apikit', 'keys', 'generate', ''], want: ['--alg', '--bits', '--json'] },
    // Files for file arguments and file flags; environment variable names for <VAR>.
    { words: ['apikit', 'keys', 'inspect', 's'], want: ['signing.key.pem', 'signing.pub.pem'], exact: true },
    { words: ['apikit', 'keys', 'jwks', 'a.pem', 'signing.p'], want: ['signing.pub.pem'], exact: true },
    { words: ['apikit', 'jwt', 'verify', '--key', 'j'], want: ['jwks.json'], exact: true },
    { words: ['apikit', 'jwt', 'verify', '--key', '=', 'j'], want: ['jwks.json'], exact: true },
    { words: ['apikit', 'jwt', 'mint', '--secret-env', 'APIKIT_T'], want: ['APIKIT_TEST_VAR'], exact: true },
    // Nothing to offer for a value that is free text.
    { words: ['apikit', 'jwt', 'verify', '--iss', ''], want: [], exact: true },
    // Profile names, asked of apikit when completing: names only; a name that is not a valid one is left out.
    { words: ['apikit', 'token', '--profile', ''], want: ['ci', 'staging'], exact: true },
    { words: ['apikit', 'probe', 'cors', '--profile', 's'], want: ['staging'], exact: true },
    { words: ['apikit', 'profiles', 'show', ''], want: ['ci', 'staging'], exact: true },
    { words: ['apikit', 'profiles', 'remove', 'c'], want: ['ci'], exact: true },
  ];

  it('completes groups, verbs, flags, values, files, variables and profiles', () => {
    const got = complete(rows.map((r) => r.words));
    rows.forEach((row, i) => {
      const label = row.words.join(' ');
      if (row.exact) expect({ label, got: got[i] }).toEqual({ label, got: sorted(row.want) });
      else expect({ label, got: got[i] }).toEqual({ label, got: expect.arrayContaining([...row.want]) });
    });
  });
});
