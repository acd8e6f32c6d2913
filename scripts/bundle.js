// Bundles src/ into dist/bundle/ for bin/apikit.js. Why: start-up time (npm run bench measures it on each Node).
// - Bundled: Node pays per module file it resolves and loads, and commander and jose (dozens of small files) sit on
//   the path of every command; bundled, a command loads its few chunks (the core, its group, its verb).
// - Split: one chunk per lazily loaded group and verb, so `jwt decode` compiles the code of decode, not of audit
//   (a single 900 KB file costs ~7 ms to load on Node 22 even from the compile cache, ~25 ms on Node 20).
// - CommonJS: esbuild splits only ES modules, so the split ES module output is converted chunk by chunk to
//   CommonJS (esbuild's own transform keeps each chunk's exports as live getters, so module identity and
//   order of evaluation stay as they were). A CommonJS chunk loads through the synchronous require(): no ES module
//   loader, no per-module linking and no promise hops (10-20 ms on Node 20, 5-15 ms on Node 22 and 24).
//   dist/bundle/package.json says "commonjs" for these files; the package itself stays an ES module package.
//   A dynamic import() of one of our chunks becomes a require() in a promise (same semantics: the namespace's
//   named exports, errors as a rejected promise); import() of the ES-only externals (conf, open) stays import().
// - Packages that load lazily and rarely (undici, conf, open — which ships its own xdg-open script — and
//   proper-lockfile) stay external.
// - bin/apikit.js turns on Node's module compile cache (Node >= 22.1), which makes loading these chunks cheap.
// dist/bundle/meta.json records which sources each chunk holds; the lazy-loading test reads it.
import { build, transform } from 'esbuild';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';

const OUT = 'dist/bundle';
const TARGET = 'node20.18';

/**
 * commander's lib/command.js requires node:child_process at load time, for executable subcommands apikit never
 * has; child_process pulls in dgram, net and socket bookkeeping (~2 ms on every command). This stands in for it
 * in commander only and loads the real module on first use.
 */
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer)
        ? { path: 'child_process', namespace: 'apikit-lazy' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'apikit-lazy' }, () => ({
      contents:
        "let m; const real = () => (m ??= require('node:child_process'));\n" +
        'module.exports = new Proxy({}, { get: (_t, k) => real()[k], has: (_t, k) => k in real() });\n',
      loader: 'js',
    }));
  },
};

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: TARGET,
  write: false,
  metafile: true,
  logLevel: 'warning',
};

const program = await build({
  ...common,
  entryPoints: {
    apikit: 'src/entry.ts',
    // --- engineer J (issue 15, batch verify on every core): the worker thread of a large `jwt verify` batch.
    // src/commands/jwt/verify-pool.ts starts dist/bundle/jwt-verify-worker.js (found beside the chunks); an entry
    // of this build so that it shares the verifier's chunks. --- end J
    'jwt-verify-worker': 'src/commands/jwt/verify-worker.ts',
  },
  outdir: OUT,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  external: ['undici', 'conf', 'open', 'proper-lockfile'],
  plugins: [lazyChildProcessForCommander],
  // Whitespace and syntax only: identifiers keep their names for --debug stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'linked',
});
// version.js: bin/apikit.js answers `--version` from it without loading the program — one small file of its own
// (no shared chunks), as `--version` is measured against bare node.
const version = await build({ ...common, entryPoints: { version: 'src/version.ts' }, outdir: OUT });

const files = [...program.outputFiles, ...version.outputFiles];
const written = new Set(files.map((f) => relative('.', f.path).split('\\').join('/')));
mkdirSync(join(OUT, 'chunks'), { recursive: true });
for (const file of files) {
  const path = relative('.', file.path).split('\\').join('/');
  if (!path.endsWith('.js')) {
    writeFileSync(path, file.contents);
    continue;
  }
  writeFileSync(path, await toCommonJS(file.text, path));
}
// One in chunks/ too: Node looks for the nearest package.json on every require() and does not remember a miss.
for (const dir of [OUT, `${OUT}/chunks`]) {
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'commonjs' }, null, 1) + '\n');
}

const outputs = { ...program.metafile.outputs, ...version.metafile.outputs };
writeFileSync(join(OUT, 'meta.json'), JSON.stringify({ ...program.metafile, outputs }, null, 1));

// Chunk names carry content hashes: remove what an earlier build left behind, so that no stale chunk is packed.
// (Written in place first, not wiped before: a test running the binary meanwhile never finds it missing.)
const keep = new Set([
  ...written,
  ...Object.keys(outputs),
  `${OUT}/meta.json`,
  `${OUT}/package.json`,
  `${OUT}/chunks/package.json`,
]);
for (const entry of readdirSync(OUT, { recursive: true, withFileTypes: true })) {
  const path = relative('.', join(entry.parentPath, entry.name)).split('\\').join('/');
  if (entry.isFile() && !keep.has(path)) rmSync(path);
}

/** One ES module chunk → CommonJS (see the top of this file). */
async function toCommonJS(code, path) {
  const { code: cjs } = await transform(code, {
    format: 'cjs',
    platform: 'node',
    target: TARGET,
    loader: 'js',
    // import.meta.url (a worker script's or a data file's location) is this chunk's own file URL, as before.
    define: { 'import.meta.url': '__apikitImportMetaUrl' },
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  });
  const here = posix.dirname(path);
  let unknown = '';
  const out = cjs.replace(/\bimport\((["'])(\.\.?\/[^"']+)\1\)/g, (whole, _q, spec) => {
    if (!written.has(posix.join(here, spec))) unknown = spec;
    return `Promise.resolve().then(()=>require(${JSON.stringify(spec)}))`;
  });
  if (unknown) throw new Error(`bundle: ${path} imports ${unknown}, which the build did not write`);
  return cjs.includes('__apikitImportMetaUrl')
    ? `var __apikitImportMetaUrl=require("node:url").pathToFileURL(__filename).href;${out}`
    : out;
}
