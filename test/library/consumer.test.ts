import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The library as a user gets it: `npm pack` the repo (built by `npm run build`, which `npm test` runs first),
// install the tarball into an empty ES module project, type-check a consumer against the shipped .d.ts with a
// strict tsc, and run it. The consumer's sources are test/library/consumer/*.ts.txt (not .ts: they import
// 'apikit', which only resolves inside that project).

const ROOT = join(import.meta.dirname, '..', '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const NPM_ENV = {
  ...process.env,
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
};

/** The ```ts blocks of README "## Library API". */
function readmeExamples(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Library API\n'), readme.indexOf('\n## Development\n'));
  const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]! + '\nexport {};\n');
  if (blocks.length === 0) throw new Error('README "## Library API" has no ts examples');
  return blocks;
}

let dir: string;
let project: string;

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'library', 'index.js'))) {
    throw new Error('dist/library/ is missing: run npm run build first');
  }
  dir = mkdtempSync(join(tmpdir(), 'apikit-library-'));
  // --ignore-scripts: the tree is built already; `prepare` would rebuild it under everyone else's tests.
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], {
    cwd: ROOT,
    env: NPM_ENV,
    encoding: 'utf8',
  });
  const tarball = join(dir, packed.trim().split('\n').pop()!);
  project = join(dir, 'consumer');
  execFileSync('mkdir', [project]);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'apikit-consumer', private: true, type: 'module' }, null, 2),
  );
  execFileSync('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-package-lock', tarball], {
    cwd: project,
    env: NPM_ENV,
    stdio: 'pipe',
  });
  for (const name of ['main', 'negative']) {
    copyFileSync(join(import.meta.dirname, 'consumer', `${name}.ts.txt`), join(project, `${name}.ts`));
  }
  // The README's examples are type-checked too (not run: they talk to example.com).
  readmeExamples().forEach((code, i) => writeFileSync(join(project, `readme-${i + 1}.ts`), code));
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        // The shipped declarations are checked too, not just used.
        skipLibCheck: false,
        // Node's own types, from this repo (the consumer installs nothing but apikit).
        typeRoots: [join(ROOT, 'node_modules', '@types')],
        types: ['node'],
        outDir: 'out',
      },
      files: ['main.ts', 'negative.ts', ...readmeExamples().map((_, i) => `readme-${i + 1}.ts`)],
    }),
  );
}, 240_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed library in a consumer project', () => {
  it('ships the library bundle and its declarations, and nothing of the CLI is imported by it', () => {
    const lib = join(project, 'node_modules', 'apikit', 'dist', 'library');
    const files = readdirSync(lib).sort();
    expect(files).toContain('index.js');
    expect(files).toContain('index.d.ts');
    const code = readFileSync(join(lib, 'index.js'), 'utf8');
    const specifiers = [
      ...code.matchAll(/\bfrom\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g),
    ].map((m) => m[1] ?? m[2]);
    // Only Node's built-ins: jose and structured-headers are bundled; commander, chalk, undici and conf are not there.
    expect(specifiers.filter((s) => !s!.startsWith('node:'))).toEqual([]);
  });

  it('type-checks against the shipped .d.ts with strict tsc: the consumer, the README examples, the expected errors', () => {
    const run = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 120_000);

  it('runs: keys, mint, decode, verify, convert, JWKS, client credentials over an injected fetch, rate limits', () => {
    const out = execFileSync(process.execPath, [join('out', 'main.js')], { cwd: project, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({
      kid: 'k1',
      alg: 'ES256',
      decodedSub: 'alice',
      decodedVerified: false,
      valid: true,
      validCode: 'valid',
      expiredCode: 'expired',
      noScopeCode: 'scope_missing',
      inspectedKty: 'EC',
      inspectedAlgorithms: ['ES256'],
      convertedKty: 'EC',
      convertedHasD: false,
      jwksKeys: 1,
      jwksDuplicates: 1,
      secretLength: 43,
      globalFetchIsFunction: true,
      accessToken: 'token-123',
      expiresAt: 1_700_000_000_000 + 300_000,
      authMethod: 'client_secret_basic',
      sentUrl: 'https://auth.example.test/token',
      sentGrant: 'client_credentials',
      remaining: 42,
      quota: 100,
      errorCode: 'ERR_JWT_MALFORMED',
    });
  });

  it('refuses deep imports into the package (exports has the root only)', () => {
    const run = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "await import('apikit/dist/bundle/apikit.js')"],
      { cwd: project, encoding: 'utf8' },
    );
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });
});
