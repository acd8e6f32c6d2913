// Bundles src/ into dist/bundle/ for bin/apikit.js. Why: start-up time (npm run bench measures it on each Node).
// - Bundled: Node pays per module file it resolves and loads, and commander and jose (dozens of small files) sit on
//   the path of every command; bundled, a command loads its few chunks (the core, its group, its verb).
// - Split: one chunk per lazily loaded group and verb, so `jwt decode` compiles the code of decode, not of audit
//   (a single 900 KB file costs ~7 ms to load on Node 22 even from the compile cache, ~25 ms on Node 20).
// - Packed: esbuild's splitting makes many small shared chunks (a command loaded 20-40 of them, 0.3-0.5 ms each);
//   packChunks groups them into one file per entry and per import() target (the entry, a verb), with a small
//   registry that evaluates each chunk once, as require() did. A command loads the entry and its verb's file.
// - CommonJS: esbuild splits only ES modules, so the split ES module output is converted chunk by chunk to
//   CommonJS (esbuild's own transform keeps each chunk's exports as live getters, so module identity and
//   order of evaluation stay as they were). A CommonJS chunk loads through the synchronous require(): no ES module
//   loader, no per-module linking and no promise hops (10-20 ms on Node 20, 5-15 ms on Node 22 and 24).
//   dist/bundle/package.json says "commonjs" for these files; the package itself stays an ES module package.
//   A dynamic import() of one of our chunks becomes a require() in a promise (same semantics: the namespace's
//   named exports, errors as a rejected promise); import() of the ES-only externals (conf, open) goes through
//   dist/bundle/esm-import.cjs (ESM_IMPORT).
// - Packages that load lazily and rarely (undici, conf, open — which ships its own xdg-open script —,
//   proper-lockfile, and the sandbox's oidc-provider and redis, which only `apikit sandbox` loads) stay external.
// - bin/apikit.js runs these files through bin/code-cache.js (V8 code saved after a command ran), and turns on
//   Node's module compile cache (Node >= 22.1) for the packages left outside.
// dist/bundle/meta.json records which sources each chunk holds; the lazy-loading test reads it.
import { build, transform } from 'esbuild';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const OUT = 'dist/bundle';
/**
 * The one import() of the bundle: the chunks' import() of an ES-module-only package (conf, open, oidc-provider)
 * calls this file's function. bin/code-cache.js runs the chunks from a vm.Script, where import() would need vm's
 * experimental import hook (a warning on Node 22; and on Node 20 a script made from cached data loses it); Node
 * loads this file itself, like any module, so import() here is Node's own. It resolves from dist/bundle/, as the
 * chunks did.
 */
const ESM_IMPORT = `'use strict';\nmodule.exports = (specifier) => import(specifier);\n`;
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
  external: ['undici', 'conf', 'open', 'proper-lockfile', 'oidc-provider', 'redis'],
  plugins: [lazyChildProcessForCommander],
  // Whitespace and syntax only: identifiers keep their names for --debug stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'linked',
});
// version.js: bin/apikit.js answers `--version` from it without loading the program — one small file of its own
// (no shared chunks), as `--version` is measured against bare node.
const version = await build({ ...common, entryPoints: { version: 'src/version.ts' }, outdir: OUT });

// version.js is plain CommonJS; the program's chunks are converted, then grouped into packs (see packChunks).
const chunkKey = (file) => relative(OUT, file.path).split('\\').join('/');
const programKeys = new Set(program.outputFiles.filter((f) => f.path.endsWith('.js')).map(chunkKey));
const converted = new Map();
for (const file of program.outputFiles) {
  if (file.path.endsWith('.js')) converted.set(chunkKey(file), await toCommonJS(file.text, chunkKey(file)));
}
/**
 * Dynamic imports that are taken whenever their importer runs: their chunks ship in the importer's pack (defined
 * there, still evaluated only when the import() runs), which saves a file each. By source: the importer and its
 * import() targets ('*': all of them). The registry's groups are a few KB each; a verb's own lazy parts are what
 * it always needs once it runs (they are lazy so that its --help and the other verbs stay free of them).
 */
const SHIP_WITH = {
  'src/commands/registry.ts': '*',
  'src/commands/jwt/verify.ts': [
    'src/lib/jwt/keyring.ts',
    'src/commands/jwt/verify-keys.ts',
    'src/lib/jwt/verify.ts',
  ],
  'src/commands/shared/key-files.ts': ['src/lib/keys/load.ts'],
};
const packs = packChunks(program.metafile, converted, ['apikit.js', 'jwt-verify-worker.js'], SHIP_WITH);

const files = new Map(); // path → contents
for (const file of [...program.outputFiles, ...version.outputFiles]) {
  if (!file.path.endsWith('.js')) files.set(relative('.', file.path).split('\\').join('/'), file.contents);
}
for (const file of version.outputFiles) {
  if (file.path.endsWith('.js')) files.set(join(OUT, chunkKey(file)), await plainCommonJS(file.text));
}
for (const [root, text] of packs.texts) files.set(join(OUT, root), text);
files.set(join(OUT, 'esm-import.cjs'), ESM_IMPORT);
mkdirSync(join(OUT, 'chunks'), { recursive: true });
for (const [path, contents] of files) writeFileSync(path, contents);
// One in chunks/ too: Node looks for the nearest package.json on every require() and does not remember a miss.
// The bundle's own also says its version, which bin/apikit.js reads to name its code caches: a JSON read costs it
// ~0.1 ms where require() of version.js cost ~0.7 ms (Node 22), on every run.
const { VERSION } = await import(pathToFileURL(join(process.cwd(), 'dist', 'version.js')).href);
writeFileSync(
  join(OUT, 'package.json'),
  JSON.stringify({ type: 'commonjs', version: VERSION }, null, 1) + '\n',
);
writeFileSync(join(OUT, 'chunks', 'package.json'), JSON.stringify({ type: 'commonjs' }, null, 1) + '\n');

// meta.json: one output per file written (a pack lists the sources of every chunk it holds), so that a test can
// map a loaded file to the sources it brought in.
const outputs = { ...version.metafile.outputs };
for (const [path, output] of Object.entries(program.metafile.outputs)) {
  if (!path.endsWith('.js')) outputs[path] = output;
}
for (const [root, members] of packs.members) {
  const inputs = {};
  for (const key of members) Object.assign(inputs, program.metafile.outputs[join(OUT, key)].inputs);
  const own = program.metafile.outputs[join(OUT, root)];
  outputs[join(OUT, root)] = { ...own, inputs, chunks: [...members], bytes: packs.texts.get(root).length };
}
// chunkOutputs: esbuild's own record of every chunk, now inside the packs (for finding what costs what).
const chunkOutputs = program.metafile.outputs;
writeFileSync(
  join(OUT, 'meta.json'),
  JSON.stringify({ ...program.metafile, outputs, chunkOutputs }, null, 1),
);

// Chunk names carry content hashes: remove what an earlier build left behind, so that no stale chunk is packed.
// (Written in place first, not wiped before: a test running the binary meanwhile never finds it missing.)
const keep = new Set([
  ...files.keys(),
  `${OUT}/meta.json`,
  `${OUT}/package.json`,
  `${OUT}/chunks/package.json`,
]);
for (const entry of readdirSync(OUT, { recursive: true, withFileTypes: true })) {
  const path = relative('.', join(entry.parentPath, entry.name)).split('\\').join('/');
  if (entry.isFile() && !keep.has(path)) rmSync(path);
}

/**
 * Groups the chunks into one file per thing that loads: each entry point and each target of a dynamic import
 * (a command group, a verb) becomes a pack holding it and every chunk it needs statically, less those that are
 * surely loaded already whenever it loads (the entry's chunks, the group's for a verb). Node pays 0.3-0.5 ms per
 * file it resolves, reads and compiles: `jwt verify` loaded 41 chunk files, now its verb's one pack (with SHIP_WITH). A chunk may sit in several packs;
 * a small registry in each entry file (packRuntime) keeps one instance of each, evaluated once, on first require,
 * exactly as Node's require() did with the separate files. Returns the pack texts and members by root key.
 */
function packChunks(metafile, code, entries, shipWith) {
  const keyOf = (p) => posix.relative(OUT, p);
  const stat = new Map();
  const dyn = new Map(); // dynamic target → its importers
  for (const [path, out] of Object.entries(metafile.outputs)) {
    if (!path.endsWith('.js')) continue;
    const k = keyOf(path);
    stat.set(k, []);
    for (const imp of out.imports) {
      if (imp.external) continue;
      if (imp.kind === 'import-statement') stat.get(k).push(keyOf(imp.path));
      else if (imp.kind === 'dynamic-import') {
        if (!dyn.has(keyOf(imp.path))) dyn.set(keyOf(imp.path), new Set());
        dyn.get(keyOf(imp.path)).add(k);
      } else throw new Error(`bundle: ${path}: import of kind ${imp.kind}`);
    }
  }
  const closure = (k, seen = new Set()) => {
    if (!seen.has(k)) {
      seen.add(k);
      for (const d of stat.get(k)) closure(d, seen);
    }
    return seen;
  };
  const roots = [...new Set([...entries, ...dyn.keys()])];
  const close = new Map(roots.map((r) => [r, closure(r)]));
  // present.get(r): the chunks defined on every path that loads pack r (a greatest fixed point, as for dominators).
  const all = new Set(stat.keys());
  const present = new Map(roots.map((r) => [r, entries.includes(r) ? new Set() : all]));
  for (let changed = true; changed;) {
    changed = false;
    for (const r of roots) {
      if (entries.includes(r)) continue;
      let next;
      for (const importer of dyn.get(r)) {
        for (const p of roots) {
          if (!close.get(p).has(importer)) continue;
          const after = new Set([...present.get(p), ...close.get(p)]);
          next = next ? new Set([...next].filter((x) => after.has(x))) : after;
        }
      }
      next ??= new Set();
      if (next.size !== present.get(r).size) {
        present.set(r, next);
        changed = true;
      }
    }
  }
  // The chunk that holds a source, and the dynamic imports each chunk makes.
  const chunkOf = new Map();
  const entryOf = new Map(); // source → the chunk an import() of it loads (esbuild's entry chunk for it)
  const dynOf = new Map([...stat.keys()].map((k) => [k, []]));
  for (const [path, out] of Object.entries(metafile.outputs)) {
    if (!path.endsWith('.js')) continue;
    for (const input of Object.keys(out.inputs)) chunkOf.set(input, keyOf(path));
    if (out.entryPoint) entryOf.set(out.entryPoint, keyOf(path));
    for (const imp of out.imports) {
      if (!imp.external && imp.kind === 'dynamic-import') dynOf.get(keyOf(path)).push(keyOf(imp.path));
    }
  }
  /** The chunks a pack holds: its closure, plus the closure of every import() that ships with a member. */
  const withShipped = (r) => {
    const held = new Set(close.get(r));
    for (let grew = true; grew;) {
      grew = false;
      for (const [importer, targets] of Object.entries(shipWith)) {
        const at = chunkOf.get(importer);
        if (at === undefined) throw new Error(`bundle: SHIP_WITH names ${importer}, which no chunk holds`);
        if (!held.has(at)) continue;
        const sources =
          targets === '*'
            ? metafile.inputs[importer].imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path)
            : targets;
        const wanted = sources.map((t) => {
          if (!entryOf.has(t)) throw new Error(`bundle: SHIP_WITH names ${t}, which nothing imports()`);
          return entryOf.get(t);
        });
        for (const t of wanted) {
          for (const k of close.get(t) ?? closure(t)) {
            if (!held.has(k)) {
              held.add(k);
              grew = true;
            }
          }
        }
      }
    }
    return held;
  };
  // Each chunk's function is parenthesised: V8 then compiles it with the file (as it did a chunk's own file) instead of
  // pre-parsing it now and parsing it again when it runs, and Node's compile cache keeps its code.
  const texts = new Map();
  const members = new Map();
  for (const r of roots) {
    const keys = [...withShipped(r)].filter((k) => !present.get(r).has(k)).sort();
    members.set(r, keys);
    const defs = keys
      .map(
        (k) =>
          `__apikitDefine(${JSON.stringify(k)},(function(module,exports,__apikitLoad,__filename,__apikitImport){${code.get(k)}\n}));`,
      )
      .join('\n');
    texts.set(
      r,
      entries.includes(r)
        ? `"use strict";const{define:__apikitDefine,load:__apikitLoad}=(${packRuntime})(__dirname);\n${defs}\nmodule.exports=__apikitLoad(${JSON.stringify(r)});\n`
        : `module.exports=function(__apikitDefine){${defs}\n};\n`,
    );
  }
  return { texts, members };
}

/**
 * The registry of an entry file (and of the worker's entry, in its own thread). define() records a chunk's code;
 * load() evaluates it once, like require(): cached before it runs (cycles see partial exports), forgotten if it
 * throws. A chunk not yet defined is a pack's root: its file is required and defines its members.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- its text runs in the CommonJS entry file, not here */
function packRuntime(dir) {
  const { sep } = require('node:path');
  // A key's file, by concatenation: path.join() for each of the ~50 chunks `jwt verify` loads cost ~1 ms.
  const file = (key) => dir + sep + (sep === '/' ? key : key.replaceAll('/', sep));
  // import() of the packages that are ES modules only, from a file Node loads itself (see ESM_IMPORT).
  const importEsm = (specifier) => require(file('esm-import.cjs'))(specifier);
  const defs = new Map();
  const mods = new Map();
  const define = (key, fn) => {
    if (!defs.has(key)) defs.set(key, fn);
  };
  const load = (key) => {
    const done = mods.get(key);
    if (done) return done.exports;
    if (!defs.has(key)) require(file(key))(define);
    const fn = defs.get(key);
    if (!fn) throw new Error(`apikit bundle: ${key} is in no pack`);
    const m = { exports: {} };
    mods.set(key, m);
    try {
      fn(m, m.exports, load, file(key), importEsm);
    } catch (err) {
      mods.delete(key);
      throw err;
    }
    return m.exports;
  };
  return { define, load };
}
/* eslint-enable @typescript-eslint/no-require-imports */

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
  // Our chunks' require("./x.js") and import("./x.js") go through the pack registry (packChunks), by key.
  const out = cjs.replace(/\b(require|import)\((["'])(\.\.?\/[^"']+)\2\)/g, (_whole, how, _q, spec) => {
    const key = posix.join(here, spec);
    if (!programKeys.has(key))
      throw new Error(`bundle: ${path} imports ${spec}, which the build did not write`);
    const load = `__apikitLoad(${JSON.stringify(key)})`;
    return how === 'import' ? `Promise.resolve().then(()=>${load})` : load;
  });
  // What import() is left names a package outside the bundle (conf, open, oidc-provider, redis, node:crypto).
  const external = out.replace(
    /\bimport\((["'])([^"']+)\1\)/g,
    (_whole, _q, spec) => `__apikitImport(${JSON.stringify(spec)})`,
  );
  if (/\bimport\(/.test(external)) throw new Error(`bundle: ${path} has an import() of no literal specifier`);
  return cjs.includes('__apikitImportMetaUrl')
    ? `var __apikitImportMetaUrl=require("node:url").pathToFileURL(__filename).href;${external}`
    : external;
}

/** A chunk of its own (version.js), as plain CommonJS. */
async function plainCommonJS(code) {
  const { code: cjs } = await transform(code, {
    format: 'cjs',
    platform: 'node',
    target: TARGET,
    loader: 'js',
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  });
  return cjs;
}
