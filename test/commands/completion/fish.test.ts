import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUPS } from '../../../src/commands/registry.js';
import { FAIL_ON_SEVERITIES } from '../../../src/lib/findings.js';
import { JWS_ALGORITHMS } from '../../../src/lib/keys/algorithms.js';
import { completionPlace, scriptFor, shellPresent, type CompletionPlace } from './fixtures.js';

/**
 * The fish script in a real fish, installed where the README says (~/.config/fish/completions/apikit.fish, found
 * by fish itself), queried with `complete -C '<line>'`: what fish would offer at the end of the line.
 */
const fish = shellPresent('fish');

let place: CompletionPlace;

beforeAll(async () => {
  place = completionPlace();
  const dir = join(place.env.HOME!, '.config', 'fish', 'completions');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'apikit.fish'), await scriptFor('fish', place));
});
afterAll(() => place?.cleanup());

/** The words fish offers for each line (its descriptions dropped). */
function complete(lines: string[]): string[][] {
  const quote = (w: string) => `'${w.replace(/[\\']/g, (c) => `\\${c}`)}'`;
  const driver = lines.map((l) => `complete -C ${quote(l)}; echo '--END--'`).join('\n');
  const r = spawnSync('fish', ['-c', driver], {
    cwd: place.dir,
    // HOME is the place's own: fish reads no config of the user's, and finds the script in $HOME/.config.
    env: { ...place.env, XDG_DATA_DIRS: '/usr/share' },
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const sections = r.stdout.split('--END--\n').slice(0, lines.length);
  expect(sections).toHaveLength(lines.length);
  return sections.map((s) =>
    [
      ...new Set(
        s
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split('\t')[0]!),
      ),
    ].sort(),
  );
}

describe.skipIf(fish.skip)('apikit completion fish, in fish', () => {
  const rows: { line: string; want: readonly string[]; exact?: boolean }[] = [
    { line: 'apikit ', want: [...GROUPS.map((g) => g.name), 'help'], exact: true },
    { line: 'apikit jwt ', want: ['crack', 'decode', 'mint', 'verify'], exact: true },
    { line: 'apikit --json keys ro', want: ['rotate'], exact: true },
    { line: 'apikit jwt mint --alg ', want: JWS_ALGORITHMS, exact: true },
    {
      line: 'apikit jwt verify --alg=E',
      want: ['--alg=ES256', '--alg=ES384', '--alg=ES512', '--alg=EdDSA'],
      exact: true,
    },
    { line: 'apikit jwt verify --ke', want: ['--key'], exact: true },
    { line: 'apikit token client-credentials --auth-method private', want: ['private_key_jwt'], exact: true },
    { line: 'apikit probe cors https://x --fail-on ', want: FAIL_ON_SEVERITIES, exact: true },
    { line: 'apikit probe ', want: ['cors', 'ratelimit', 'versions'], exact: true },
    // Verbs only before the first argument: after the URL, `probe` takes no verb.
    { line: 'apikit probe https://x ', want: [], exact: true },
    { line: 'apikit audit --target ', want: ['api', 'auto', 'html'], exact: true },
    { line: 'apikit keys generate --', want: ['--alg', '--json', '--no-color', '--help'] },
    { line: 'apikit keys inspect signing.p', want: ['signing.pub.pem'], exact: true },
    { line: 'apikit jwt verify --key j', want: ['jwks.json'], exact: true },
    { line: 'apikit jwt verify --iss ', want: [], exact: true },
    { line: 'apikit jwt mint --secret-env APIKIT_T', want: ['APIKIT_TEST_VAR'], exact: true },
    { line: 'apikit token --profile ', want: ['ci', 'staging'], exact: true },
    { line: 'apikit profiles remove ', want: ['ci', 'staging'], exact: true },
    { line: 'apikit completion ', want: ['bash', 'fish', 'zsh'], exact: true },
  ];

  it('completes groups, verbs, flags, values, files, variables and profiles', () => {
    const got = complete(rows.map((r) => r.line));
    rows.forEach((row, i) => {
      if (row.exact)
        expect({ line: row.line, got: got[i] }).toEqual({ line: row.line, got: [...row.want].sort() });
      else
        expect({ line: row.line, got: got[i] }).toEqual({
          line: row.line,
          got: expect.arrayContaining([...row.want]),
        });
    });
  });
});
