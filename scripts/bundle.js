// Bundles src/ into dist/bundle/ for bin/apikit.js. Why: start-up time. Node pays per ES module file it
// resolves and loads (1-4 ms each here), and commander (CommonJS) and jose (dozens of small files) are on the
// path of every command; one chunk per lazily loaded command group keeps `apikit --version` and
// `apikit jwt decode` close to bare node (npm run bench measures it). Packages that load lazily and rarely
// (undici, conf, open — which ships its own xdg-open script — and proper-lockfile) stay external.
// dist/bundle/meta.json records which sources each chunk holds; the lazy-loading test reads it.
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';

// Chunk names carry content hashes: without a clean slate, old chunks pile up (and get packed).
rmSync('dist/bundle', { recursive: true, force: true });

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
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
writeFileSync('dist/bundle/meta.json', JSON.stringify(result.metafile, null, 1));
