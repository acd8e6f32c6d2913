import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The two rules that place src/api/ (.dependency-cruiser.cjs), against a planted tree: the library entry imports
// no command and nothing imports it. (test/architecture/layers.test.ts does the same for the other layers.)

const ROOT = join(import.meta.dirname, '..', '..');
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const dirs: string[] = [];

function depcruise(files: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'apikit-api-layers-'));
  dirs.push(dir);
  copyFileSync(join(ROOT, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true },
      include: ['src'],
    }),
  );
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const run = spawnSync(process.execPath, [DEPCRUISE, 'src', '--config', '.dependency-cruiser.cjs'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: run.status, output: run.stdout + run.stderr };
}

afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('src/api/ in the layers', () => {
  it('may wrap lib/ and oauth/', () => {
    const run = depcruise({
      'src/lib/x.ts': 'export const x = 1;\n',
      'src/oauth/f.ts': "import { x } from '../lib/x.js';\nexport const f = x;\n",
      'src/api/index.ts': "import { f } from '../oauth/f.js';\nexport const api = f;\n",
    });
    expect(run.output).toContain('no dependency violations');
    expect(run.status).toBe(0);
  });

  it('imports no command, and nothing imports it', () => {
    const run = depcruise({
      'src/commands/jwt/decode.ts': "import { api } from '../../api/index.js';\nexport const decode = api;\n",
      'src/api/index.ts': "export const api = 1;\nexport { decode } from './more.js';\n",
      'src/api/more.ts': "export { decode } from '../commands/jwt/decode.js';\n",
    });
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('nothing-imports-api');
    expect(run.output).toContain('api-imports-only-flows-and-below');
  });
});
