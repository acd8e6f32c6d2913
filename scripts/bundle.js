// Bundles src/ into dist/bundle/ for bin/apikit.js. Why: start-up time. Node pays per ES module file it
// resolves and loads (1-4 ms each here), and commander (CommonJS) and jose (dozens of small files) sit on the
// path of every command; bundled, a command loads a few chunks: the core, its group, its verb (npm run bench
// measures it). Packages that load lazily and rarely (undici, conf, open — which ships its own xdg-open
// script — and proper-lockfile) stay external. dist/bundle/meta.json records which sources each chunk holds;
// the lazy-loading test reads it.
// Measured and not done: a CommonJS bundle starts 10-20 ms faster still on Node 20 (no ES module loader, no
// per-chunk cost), but apikit is ESM only; Node 22's module compile cache would close much of the gap.
import { build } from 'esbuild';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const result = await build({
  entryPoints: { apikit: 'src/entry.ts' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.18',
  chunkNames: 'chunks/[name]-[hash]',
  external: ['undici', 'conf', 'open', 'proper-lockfile'],
  // commander and cli-table3 are CommonJS; give their require() calls a real require.
  banner: {
    js: "import { createRequire as __apikitRequire } from 'node:module'; const require = __apikitRequire(import.meta.url);",
  },
  // Whitespace and syntax only: identifiers keep their names for --debug stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
// version.js: bin/apikit.js answers `--version` from it without loading the program — one small file of its own
// (no shared chunks, no require shim), as `--version` is measured against bare node.
const versionResult = await build({
  entryPoints: { version: 'src/version.ts' },
  outdir: 'dist/bundle',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.18',
  metafile: true,
  logLevel: 'warning',
});
const outputs = { ...result.metafile.outputs, ...versionResult.metafile.outputs };
writeFileSync('dist/bundle/meta.json', JSON.stringify({ ...result.metafile, outputs }, null, 1));

// Chunk names carry content hashes: remove what an earlier build left behind, so that no stale chunk is packed.
// (Written in place first, not wiped before: a test running the binary meanwhile never finds it missing.)
const keep = new Set([...Object.keys(outputs), 'dist/bundle/meta.json']);
for (const entry of readdirSync('dist/bundle', { recursive: true, withFileTypes: true })) {
  const path = relative('.', join(entry.parentPath, entry.name));
  if (entry.isFile() && !keep.has(path)) rmSync(path);
}
