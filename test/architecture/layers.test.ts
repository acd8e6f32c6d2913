import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The layer rules in .dependency-cruiser.cjs, checked against small planted trees: each planted violation
// must be reported under its rule's name, and a tree that keeps to the layers must pass, so a rule that
// silently matches nothing (a bad regex, an import dependency-cruiser cannot resolve) fails here.
// The real src/ is checked by `npm run lint`, not here.

const ROOT = join(import.meta.dirname, '..', '..');
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    verbatimModuleSyntax: true,
    noEmit: true,
  },
  include: ['src'],
};

const dirs: string[] = [];

/** A throw-away repo root holding a copy of the real config, a tsconfig and the given src/ files. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'apikit-layers-'));
  dirs.push(dir);
  copyFileSync(join(ROOT, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function depcruise(cwd: string): { status: number | null; output: string } {
  const run = spawnSync(
    process.execPath,
    [DEPCRUISE, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'],
    { cwd, encoding: 'utf8', timeout: 30_000 },
  );
  if (run.error) throw run.error;
  return { status: run.status, output: run.stdout + run.stderr };
}

// One tree, four planted violations. They use each kind of import the config must see: a type-only import
// (a → b), a lazy `await import()` (c → d) and plain static imports, all NodeNext-style `.js` specifiers
// naming `.ts` files.
const PLANTED = {
  'src/errors.ts': 'export class ApikitError extends Error {}\n',
  // (a) a cycle inside src/lib; one half is type-only.
  'src/lib/a.ts': "import type { B } from './b.js';\nexport interface A { b?: B }\nexport const a = 1;\n",
  'src/lib/b.ts': "import { a } from './a.js';\nexport interface B { n: number }\nexport const b = a + 1;\n",
  // (b) pure lib reaching up into io, lazily.
  'src/lib/c.ts':
    "export async function c() {\n  const { d } = await import('../io/d.js');\n  return d;\n}\n",
  'src/io/d.ts': 'export const d = 4;\n',
  // (c) io importing a command.
  'src/io/e.ts': "import { f } from '../commands/x/f.js';\nexport const e = f;\n",
  'src/commands/x/f.ts': 'export const f = 6;\n',
  // (d) one verb group reaching into another.
  'src/commands/x/g.ts': "import { h } from '../y/h.js';\nexport const g = h;\n",
  'src/commands/y/h.ts': 'export const h = 8;\n',
};

// Keeps to the layers, with the same kinds of import as above.
const CLEAN = {
  'src/errors.ts': 'export class ApikitError extends Error {}\n',
  'src/lib/p.ts':
    "import { ApikitError } from '../errors.js';\nexport const p = () => new ApikitError('p');\n",
  'src/lib/q.ts': "import type { Q } from './r.js';\nexport const q: Q = { n: 1 };\n",
  'src/lib/r.ts': 'export interface R { n: number }\nexport type Q = R;\n',
  'src/commands/x/s.ts':
    "import type { Q } from '../../lib/r.js';\n" +
    "import { p } from '../../lib/p.js';\n" +
    "import { helper } from '../shared/t.js';\n" +
    'export async function s(): Promise<Q> {\n' +
    "  const { q } = await import('../../lib/q.js');\n" +
    '  p();\n' +
    '  helper();\n' +
    '  return q;\n' +
    '}\n',
  'src/commands/shared/t.ts': "import { p } from '../../lib/p.js';\nexport const helper = p;\n",
};

describe('layer rules (.dependency-cruiser.cjs)', () => {
  let planted: { status: number | null; output: string };

  beforeAll(() => {
    planted = depcruise(tree(PLANTED));
  });

  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('fails the run when a rule is broken', () => {
    expect(planted.status, planted.output).not.toBe(0);
  });

  it('resolves every `.js` specifier to its `.ts` file', () => {
    expect(planted.output).not.toContain('not-to-unresolvable');
    expect(planted.output).not.toContain('not-in-a-layer');
  });

  it('(a) reports a cycle, even when one half is a type-only import', () => {
    // dependency-cruiser may start the cycle at either end.
    expect(planted.output).toMatch(
      /error no-circular: src\/lib\/([ab])\.ts →\s+src\/lib\/[ab]\.ts →\s+src\/lib\/\1\.ts/,
    );
  });

  it('(b) reports src/lib importing src/io, even through a lazy import()', () => {
    expect(planted.output).toContain('error lib-is-pure: src/lib/c.ts → src/io/d.ts');
  });

  it('(c) reports a lower layer importing a command', () => {
    expect(planted.output).toContain('error nothing-imports-commands: src/io/e.ts → src/commands/x/f.ts');
    expect(planted.output).toContain('error io-imports-only-files-lib: src/io/e.ts → src/commands/x/f.ts');
  });

  it('(d) reports one command group importing another', () => {
    expect(planted.output).toContain(
      'error commands-group-stays-in-group: src/commands/x/g.ts → src/commands/y/h.ts',
    );
  });

  it('passes a tree that keeps to the layers', () => {
    const clean = depcruise(tree(CLEAN));
    expect(clean.output).toMatch(/no dependency violations found/);
    expect(clean.status, clean.output).toBe(0);
  });
});
