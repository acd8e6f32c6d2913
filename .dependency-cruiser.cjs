// The layering of src/, as ARCHITECTURE.md draws it. `npm run lint` runs this over src/ and fails on any
// violation. Imports point down the stack only; each layer below lists what it MAY import, and everything else
// under src/ is forbidden (pathNot), so a new folder nobody has placed yet is caught too, both as an importer
// (not-in-a-layer) and as an import target (every layer's rule).
//
// Paths are regular expressions over resolved paths relative to the repo root: `./x.js` in a .ts file
// resolves to src/.../x.ts, and type-only imports count (tsPreCompilationDeps), because a type import
// still couples the two layers and can close a cycle the compiler erases but a reader does not.

const TOP = '^src/(entry|cli|program)\\.ts$';
const API = '^src/api/';
const COMMANDS = '^src/commands/';
const PROFILES = '^src/profiles/';
const OAUTH = '^src/oauth/';
const PROBES = '^src/probes/';
const SANDBOX = '^src/sandbox/';
const SERVER = '^src/server/';
const CONTEXT = '^src/context\\.ts$';
const HTTP = '^src/http/';
const CONFIG = '^src/config/';
const IO = '^src/io/';
const FILES = '^src/files/';
const LIB = '^src/lib/';
const ERRORS = '^src/errors\\.ts$';
const VERSION = '^src/version\\.ts$';

const ALL_LAYERS = [
  TOP,
  API,
  COMMANDS,
  PROFILES,
  OAUTH,
  PROBES,
  SANDBOX,
  SERVER,
  CONTEXT,
  HTTP,
  CONFIG,
  IO,
  FILES,
  LIB,
  ERRORS,
  VERSION,
];

/** A rule saying files in `layer` may import, inside src/, only themselves and `allowed`. */
function layer(name, layerPath, allowed, comment) {
  return {
    name,
    severity: 'error',
    comment,
    from: { path: layerPath },
    to: { path: '^src/', pathNot: [layerPath, ...allowed] },
  };
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'A cycle means neither module can be understood, tested or loaded lazily without the other; ' +
        'it is usually a layer importing upward. Type-only imports count.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'An import that resolves to nothing fails at run time (or only in the bundle); it is a typo, ' +
        'a file moved by a refactor, or a package missing from package.json.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'not-to-test-or-bench',
      severity: 'error',
      comment:
        'src/ ships in the bundle; test/, bench/ and scripts/ do not. Test helpers go in test/helpers and ' +
        'reach into src/, never the other way.',
      from: { path: '^src/' },
      to: { path: '^(test|bench|scripts)/' },
    },
    {
      name: 'not-in-a-layer',
      severity: 'error',
      comment:
        'Every file under src/ belongs to one layer of ARCHITECTURE.md. A new folder gets a row there and a ' +
        'rule here before it gets code, so its place in the stack is decided once.',
      from: { path: '^src/', pathNot: ALL_LAYERS },
      to: {},
    },
    layer(
      'top-imports-only-layers',
      TOP,
      ALL_LAYERS,
      'entry/cli/program wire everything together and may import any layer, but only a placed one.',
    ),
    {
      name: 'nothing-imports-api',
      severity: 'error',
      comment:
        'src/api/ is the library entry (`import … from "apikit"`), a top of its own beside the CLI: nothing in ' +
        'src/ imports it, so the CLI never depends on the library wrappers and the wrappers stay thin.',
      from: { path: '^src/', pathNot: [API] },
      to: { path: API },
    },
    layer(
      'api-imports-only-flows-and-below',
      API,
      [OAUTH, CONTEXT, HTTP, IO, LIB, ERRORS, VERSION],
      'The library API wraps the pure logic and the OAuth flows the commands use; no commands (commander, ' +
        'chalk, the CLI), no profiles or config store, no probes or servers: importing apikit does no I/O.',
    ),
    {
      name: 'nothing-imports-commands',
      severity: 'error',
      comment:
        'Commands are the verbs: only program.ts (through its lazy loaders) and cli/entry reach them. ' +
        'Anything a lower layer wants from a command belongs in that lower layer.',
      from: { path: '^src/', pathNot: [COMMANDS, TOP] },
      to: { path: COMMANDS },
    },
    {
      name: 'commands-group-stays-in-group',
      severity: 'error',
      comment:
        'One verb group must not reach into another: what two groups share moves to src/commands/shared/ ' +
        '(flag parsing) or to src/commands/*.ts (the verb registry), or further down when it is not about flags.',
      from: { path: '^src/commands/([^/]+)/' },
      to: { path: '^src/commands/[^/]+/', pathNot: ['^src/commands/$1/', '^src/commands/shared/'] },
    },
    layer(
      'commands-imports-only-below',
      COMMANDS,
      [PROFILES, OAUTH, PROBES, SANDBOX, SERVER, CONTEXT, HTTP, CONFIG, IO, FILES, LIB, ERRORS, VERSION],
      'Commands turn flags into options and results into output; they may use every layer below, never the top.',
    ),
    layer(
      'profiles-imports-only-below',
      PROFILES,
      [OAUTH, SERVER, CONTEXT, HTTP, IO, CONFIG, FILES, LIB, ERRORS, VERSION],
      'Stored profiles (and their refresh under lock) sit above the OAuth flows they call to renew a token; ' +
        'they know nothing of verbs, probes or the sandbox.',
    ),
    layer(
      'oauth-imports-only-below',
      OAUTH,
      [SERVER, CONTEXT, HTTP, IO, CONFIG, FILES, LIB, ERRORS, VERSION],
      'The OAuth network flows take tokens and settings as arguments and return results; they must not ' +
        'import profiles (the profile store calls them, not the reverse) or probes.',
    ),
    layer(
      'probes-imports-only-below',
      PROBES,
      [SERVER, CONTEXT, HTTP, IO, CONFIG, FILES, LIB, ERRORS, VERSION],
      'Probes are bounded request experiments over ctx.http; they get any token as a plain header from the ' +
        'command, so they import neither oauth nor profiles.',
    ),
    layer(
      'sandbox-imports-only-below',
      SANDBOX,
      [OAUTH, SERVER, CONTEXT, HTTP, IO, CONFIG, FILES, LIB, ERRORS, VERSION],
      'The sandbox (local issuer + API) may reuse the OAuth flows and the loopback server, but not stored ' +
        "profiles (it must not touch the user's logins) nor probes.",
    ),
    layer(
      'server-imports-only-io-files-lib',
      SERVER,
      [IO, FILES, LIB, ERRORS],
      'The loopback HTTP server helper is plumbing shared by login and the sandbox; it takes what it needs ' +
        'as arguments and knows no Context, config or flow.',
    ),
    layer(
      'context-imports-only-below',
      CONTEXT,
      [HTTP, IO, CONFIG, FILES, LIB, ERRORS, VERSION],
      'The Context is the world a command touches (io, clock, env, http, config). It knows no profile, ' +
        "flow or verb: a profile's token is resolved in the command layer and handed down as a header.",
    ),
    layer(
      'http-imports-only-io-lib',
      HTTP,
      [IO, LIB, ERRORS, VERSION],
      'The HTTP client gets plain options and headers; it must not read the Context, config or flags, ' +
        'or it cannot be built and tested on its own.',
    ),
    layer(
      'config-imports-only-files-lib',
      CONFIG,
      [FILES, LIB, ERRORS],
      'The config store is paths, locks and a file format; it knows nothing above the file system.',
    ),
    layer(
      'io-imports-only-files-lib',
      IO,
      [FILES, LIB, ERRORS],
      'io is the terminal and the process (streams, colours, redaction, the real clock); the Context is ' +
        'built from it, so io importing the Context (even a type) is an upward import and a cycle waiting.',
    ),
    layer(
      'files-imports-only-lib',
      FILES,
      [LIB, ERRORS],
      'File helpers (atomic write, read input) are leaves over node:fs.',
    ),
    layer(
      'lib-is-pure',
      LIB,
      [ERRORS],
      'src/lib is pure functions over values: no I/O, no Context, no network. That is what makes it testable ' +
        'without fakes and safe to call from any layer.',
    ),
    {
      name: 'errors-and-version-are-leaves',
      severity: 'error',
      comment: 'errors.ts and version.ts are imported by every layer, so they import nothing from src/.',
      from: { path: [ERRORS, VERSION] },
      to: { path: '^src/' },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules'] },
    // Type-only imports are dependencies too (see the comment at the top).
    tsPreCompilationDeps: true,
    // NodeNext: `./x.js` in a .ts file means ./x.ts; dependency-cruiser retries .js as .ts, and the
    // tsconfig gives it the module settings.
    tsConfig: { fileName: 'tsconfig.json' },
    // ES imports, static and `await import('./x.js')` alike (dynamic imports are followed by default);
    // cjs for the odd createRequire.
    moduleSystems: ['es6', 'cjs'],
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
