// Builds the library API (`import … from 'apikit'`, src/api/index.ts) into dist/library/: one ES module bundle,
// index.js, and the TSDoc-commented declarations of src/api/ as dist/library/*.d.ts. Separate from scripts/bundle.js
// (the CLI's bundle, shaped for start-up time): the library is one file with no chunks, and jose and
// structured-headers (devDependencies, bundled into the CLI too) are bundled, so that importing apikit needs no
// package beyond Node's built-ins. dist/library.meta.json (not shipped) records which sources the bundle holds; the
// library tests read it to check that no commander, chalk or CLI module is in it.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

const OUT = 'dist/library';
const ENTRY = 'src/api/index.ts';

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

const result = await build({
  entryPoints: { index: ENTRY },
  outdir: OUT,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.18',
  // The runtime dependencies of the CLI: the library must not reach them (the tests check it is so); kept
  // external so that a mistake shows as an import of the package rather than a silently bundled copy.
  external: ['undici', 'conf', 'open', 'proper-lockfile'],
  minifySyntax: true,
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
writeFileSync('dist/library.meta.json', JSON.stringify(result.metafile, null, 1));

// Declarations: the compiler's own, from tsconfig.json's settings, written only for src/api/. The public types are
// declared in src/api/ itself, so those files stand alone; anything else they import would be a path that does not
// ship, and fails the build here.
const parsed = ts.getParsedCommandLineOfConfigFile(
  'tsconfig.json',
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  },
);
const program = ts.createProgram([ENTRY], {
  ...parsed.options,
  noEmit: false,
  declaration: true,
  emitDeclarationOnly: true,
  rootDir: 'src',
  outDir: 'dist/.lib-types',
  sourceMap: false,
  declarationMap: false,
});
const problems = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName.includes('/src/api/'));
if (problems.length > 0) {
  throw new Error(
    ts.formatDiagnostics(problems, { ...ts.sys, getCanonicalFileName: (f) => f, getNewLine: () => '\n' }),
  );
}
const apiDir = join('dist', '.lib-types', 'api') + sep;
const declarations = new Map();
const emitted = program.emit(
  undefined,
  (fileName, text) => {
    const rel = relative('.', fileName);
    if (rel.startsWith(apiDir)) declarations.set(rel.slice(apiDir.length), text);
  },
  undefined,
  true,
);
if (emitted.emitSkipped) throw new Error('declaration emit skipped');
// Ship what index.d.ts reaches, and only that: src/api/'s internal helpers (key input, the fetch client) have
// internal types in their signatures and are not part of the API.
const written = [];
const pending = ['index.d.ts'];
while (pending.length > 0) {
  const name = pending.pop();
  if (written.includes(join(OUT, name))) continue;
  const text = declarations.get(name);
  if (text === undefined) throw new Error(`no declarations for src/api/${name}`);
  for (const { fileName: spec } of ts.preProcessFile(text, true, true).importedFiles) {
    if (!/^\.\/[\w-]+\.js$/.test(spec)) {
      throw new Error(`src/api/${name}: the shipped declarations may import only each other, not "${spec}"`);
    }
    pending.push(spec.slice(2).replace(/\.js$/, '.d.ts'));
  }
  writeFileSync(join(OUT, name), text);
  written.push(join(OUT, name));
}
// Whatever an earlier build left besides what was written now.
const keep = new Set([...written, ...Object.keys(result.metafile.outputs)].map((p) => relative('.', p)));
for (const entry of readdirSync(OUT, { recursive: true, withFileTypes: true })) {
  const path = relative('.', join(entry.parentPath, entry.name));
  if (entry.isFile() && !keep.has(path)) rmSync(path);
}
