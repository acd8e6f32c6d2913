// The benchmarks are plain JS, the code they measure is TypeScript (src/, test/fixtures/), and Node 20 cannot
// strip types. So, at bench time, esbuild (a devDependency; scripts/bundle.js builds the shipped CLI the same way)
// bundles the few TypeScript entry points a benchmark needs into node_modules/.cache/apikit-bench/, split so
// that modules the entries share (the HTTP client) exist once. Packages stay external: the output lives inside
// the repo's node_modules, so Node resolves undici & co from there. Measuring src/ directly, not dist/, means a
// stale or half-written dist (other builds run meanwhile) cannot skew the figures.
import { build } from 'esbuild';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '..');

/**
 * Bundles `entries` ({ name: 'src/….ts' }, paths relative to the repo; missing files are left out) and returns
 * { urls: { name: file URL } for `import()`, dispose() } — dispose removes the output once the run is over (not
 * before: bundled code may still import a chunk lazily). Each call writes a fresh directory, so a run never
 * imports a stale chunk.
 */
export async function bundleTs(entries) {
  const present = Object.fromEntries(Object.entries(entries).filter(([, p]) => existsSync(join(ROOT, p))));
  if (Object.keys(present).length === 0) return { urls: {}, dispose() {} };
  const cache = join(ROOT, 'node_modules', '.cache', 'apikit-bench');
  mkdirSync(cache, { recursive: true });
  const outdir = mkdtempSync(join(cache, 'run-'));
  try {
    await build({
      absWorkingDir: ROOT,
      entryPoints: present,
      outdir,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20.18',
      packages: 'external',
      outExtension: { '.js': '.mjs' },
      logLevel: 'warning',
    });
  } catch (err) {
    rmSync(outdir, { recursive: true, force: true });
    throw err;
  }
  const urls = Object.fromEntries(
    Object.keys(present).map((name) => [name, pathToFileURL(join(outdir, `${name}.mjs`)).href]),
  );
  return { urls, dispose: () => rmSync(outdir, { recursive: true, force: true }) };
}
