import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUPS } from '../../../src/commands/registry.js';
import { FAIL_ON_SEVERITIES } from '../../../src/lib/findings.js';
import { JWS_ALGORITHMS } from '../../../src/lib/keys/algorithms.js';
import { completionPlace, scriptFor, shellPresent, type CompletionPlace } from './fixtures.js';

/**
 * The zsh script in a real zsh, completed for real: an interactive zsh on a pseudo-terminal (zsh/zpty) with
 * compinit and the script installed as `_apikit` on $fpath (the README's way), a key bound to a completion
 * widget that runs zsh's own completion (_main_complete) and records every match compadd is given. Only the
 * recording is added; what is completed and how is zsh's.
 */
const zsh = shellPresent('zsh');

let place: CompletionPlace;
let root: string;

beforeAll(async () => {
  place = completionPlace();
  root = join(place.dir, '..', 'zsh');
  mkdirSync(join(root, 'functions'), { recursive: true });
  writeFileSync(join(root, 'functions', '_apikit'), await scriptFor('zsh', place));
});
afterAll(() => place?.cleanup());

const SETUP = `
fpath=("$ROOT/functions" $fpath)
autoload -U compinit && compinit -u -D
integer __n=0
_record() {
  compadd() {
    local -a __m
    builtin compadd -O __m "$@"
    print -rl -- "HIT:"\${^__m} >> "$ROOT/hits"
    builtin compadd "$@"
  }
  _main_complete
  unfunction compadd
  print -r -- "END $((++__n))" >> "$ROOT/hits"
}
zle -C record complete-word _record
bindkey '^T' record
PROMPT='> '
`;

const DRIVER = `
zmodload zsh/zpty
zpty -b z 'zsh -f -i'
zpty -w z "source \${(q)ROOT}/setup.zsh"
integer i=0 t
for q in "$@"; do
  i+=1
  zpty -w -n z $'\\x15'"$q"$'\\x14'
  for ((t = 0; t < 200; t++)); do
    grep -qx "END $i" "$ROOT/hits" 2>/dev/null && break
    zpty -r -t z junk 2>/dev/null
    sleep 0.05
  done
done
zpty -d z
`;

/** The matches zsh offers for each line (completed at its end). */
function complete(lines: string[]): string[][] {
  writeFileSync(join(root, 'setup.zsh'), SETUP);
  writeFileSync(join(root, 'driver.zsh'), DRIVER);
  writeFileSync(join(root, 'hits'), '');
  const r = spawnSync('zsh', ['-f', join(root, 'driver.zsh'), ...lines], {
    cwd: place.dir,
    env: { ...place.env, ROOT: root },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status).toBe(0);
  const sections: string[][] = [[]];
  for (const line of readFileSync(join(root, 'hits'), 'utf8').split('\n')) {
    if (line.startsWith('END ')) sections.push([]);
    else if (line.startsWith('HIT:')) sections[sections.length - 1]!.push(line.slice(4));
  }
  expect(sections.length - 1).toBe(lines.length);
  return sections.slice(0, lines.length).map((s) => [...new Set(s)].sort());
}

describe.skipIf(zsh.skip)('apikit completion zsh, in zsh', () => {
  it('registers _apikit for apikit when sourced after compinit', () => {
    const r = spawnSync(
      'zsh',
      [
        '-f',
        '-c',
        `autoload -U compinit && compinit -u -D && source ${join(root, 'functions', '_apikit')} && print -r -- $_comps[apikit]`,
      ],
      { env: place.env, encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('_apikit');
  });

  const rows: { line: string; want: readonly string[]; exact?: boolean }[] = [
    { line: 'apikit ', want: [...GROUPS.map((g) => g.name), 'help'], exact: true },
    { line: 'apikit jwt ', want: ['crack', 'decode', 'mint', 'verify'], exact: true },
    { line: 'apikit jwt mint --alg ', want: JWS_ALGORITHMS, exact: true },
    { line: 'apikit jwt verify --alg=E', want: ['ES256', 'ES384', 'ES512', 'EdDSA'], exact: true },
    { line: 'apikit jwt verify --ke', want: ['--key'], exact: true },
    { line: 'apikit token client-credentials --auth-method private', want: ['private_key_jwt'], exact: true },
    { line: 'apikit probe cors https://x --fail-on ', want: FAIL_ON_SEVERITIES, exact: true },
    { line: 'apikit audit --format ', want: ['json', 'markdown', 'sarif', 'table'], exact: true },
    { line: 'apikit keys generate --', want: ['--alg', '--json', '--help'] },
    { line: 'apikit keys inspect signing.p', want: ['signing.pub.pem'], exact: true },
    { line: 'apikit jwt mint --secret-env APIKIT_T', want: ['APIKIT_TEST_VAR'], exact: true },
    { line: 'apikit token --profile ', want: ['ci', 'staging'], exact: true },
    { line: 'apikit profiles show s', want: ['staging'], exact: true },
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
