import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { Command, type Option } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuditFormat, parseAuditMethod, parseAuditTarget } from '../../../src/commands/audit/options.js';
import { optionValue } from '../../../src/commands/completion/values.js';
import { parseScheme } from '../../../src/commands/probe/versions-options.js';
import { GROUPS } from '../../../src/commands/registry.js';
import { parseFormat, parseMethod } from '../../../src/commands/shared/probe-flags.js';
import { createContext } from '../../../src/context.js';
import { createIO } from '../../../src/io/io.js';
import { parseGrade, parseSeverity } from '../../../src/lib/findings.js';
import { isJwsAlgorithm } from '../../../src/lib/keys/algorithms.js';
import { completionPlace, scriptFor, type CompletionPlace } from './fixtures.js';

/**
 * The script covers the tree as commander has it: every group is registered here again, with every verb (as
 * `apikit <group> --help` would), and each command's verbs and flags are looked up in the generated bash script's
 * own tables (in bash). And no flag whose value is a closed set goes without its words.
 */
interface Node {
  path: string;
  cmd: Command;
}

async function commanderTree(): Promise<Node[]> {
  const io = createIO({ stdin: Readable.from([]), stdout: new PassThrough(), stderr: new PassThrough() }, {});
  const ctx = createContext(io, {});
  const nodes: Node[] = [];
  const walk = (cmd: Command, path: string[]) => {
    nodes.push({ path: path.join(' '), cmd });
    for (const sub of cmd.commands) walk(sub, [...path, sub.name()]);
  };
  for (const group of GROUPS) {
    const scratch = new Command('apikit');
    await (await group.load()).register(scratch, ctx, group, undefined);
    for (const cmd of scratch.commands) walk(cmd, [cmd.name()]);
  }
  return nodes;
}

/** What jwt mint and verify check --alg with (each throws its own message for anything else). */
function algorithm(word: string): void {
  if (!isJwsAlgorithm(word)) throw new Error(`${word} is not a JWS algorithm`);
}

const visible = (cmd: Command): Option[] => cmd.options.filter((o) => !o.hidden);

let place: CompletionPlace;
let script: string;
let nodes: Node[];

beforeAll(async () => {
  place = completionPlace();
  script = join(place.dir, '..', 'apikit.bash');
  writeFileSync(script, await scriptFor('bash', place));
  nodes = await commanderTree();
});
afterAll(() => place?.cleanup());

/** `fn path` → $__apikit_r, in bash, for each path. */
function lookup(fn: string, paths: string[]): string[][] {
  const driver = [
    `source '${script}'`,
    ...paths.map((p) => `${fn} '${p}'; printf '%s\\n' "$__apikit_r"`),
  ].join('\n');
  const r = spawnSync('bash', ['--norc', '-c', driver], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout
    .split('\n')
    .slice(0, paths.length)
    .map((l) => l.split(' ').filter(Boolean));
}

describe('the completion script covers the command tree', () => {
  it('has every group, verb and flag, and no hidden flag', () => {
    expect(nodes.map((n) => n.path)).toEqual(expect.arrayContaining(GROUPS.map((g) => g.name)));
    const flags = lookup(
      '__apikit_flags',
      nodes.map((n) => n.path),
    );
    const verbs = lookup(
      '__apikit_commands',
      nodes.map((n) => n.path),
    );
    nodes.forEach((node, i) => {
      const want = visible(node.cmd).flatMap((o) => [o.short, o.long].filter(Boolean));
      expect({ path: node.path, flags: flags[i] }).toEqual({
        path: node.path,
        flags: expect.arrayContaining([...want, '--help', '--json', '--verbose', '--debug', '--no-color']),
      });
      for (const hidden of node.cmd.options.filter((o) => o.hidden)) {
        expect(flags[i], `${node.path} ${hidden.long}`).not.toContain(hidden.long);
      }
      expect({ path: node.path, verbs: verbs[i] }).toEqual({
        path: node.path,
        verbs: node.cmd.commands.map((c) => c.name()),
      });
    });
  });

  it('knows the words of every flag whose value is a closed set', () => {
    // Placeholders that name a closed set; a new flag with one needs .choices() or a row in values.ts.
    const closed = /^(ALG|alg|format|FORMAT|kind|severity|GRADE|grade|scheme|method|METHOD|host|shell)$/;
    const missing = nodes.flatMap((node) =>
      node.cmd.options
        .filter((o) => closed.test(/[<[]([^>\]]+)/.exec(o.flags)?.[1] ?? ''))
        .filter((o) => optionValue(o, node.path.split(' ')[0]!).kind !== 'enum')
        .map((o) => `${node.path} ${o.flags}`),
    );
    expect(missing).toEqual([]);
  });

  it('offers only words the flags accept (each set checked by the parser its flag uses)', () => {
    const sets: [string, string, (word: string) => unknown][] = [
      ['jwt mint', '--alg', algorithm],
      ['jwt verify', '--alg', algorithm],
      ['probe cors', '--fail-on', (w) => parseSeverity('--fail-on', w)],
      ['probe cors', '--format', (w) => parseFormat(w, false)],
      ['probe cors', '--request', (w) => parseMethod(w)],
      ['probe versions', '--scheme', (w) => parseScheme(w)],
      ['audit', '--fail-under', (w) => parseGrade('--fail-under', w)],
      ['audit', '--format', (w) => parseAuditFormat(w, false)],
      ['audit', '--target', (w) => parseAuditTarget(w)],
      ['audit', '--request', (w) => parseAuditMethod(w)],
    ];
    for (const [path, long, accept] of sets) {
      const node = nodes.find((n) => n.path === path)!;
      const option = node.cmd.options.find((o) => o.long === long)!;
      const value = optionValue(option, path.split(' ')[0]!);
      expect(value.kind, `${path} ${long}`).toBe('enum');
      for (const word of value.kind === 'enum' ? value.values : []) {
        expect(() => accept(word), `${path} ${long} ${word}`).not.toThrow();
      }
    }
  });
});
