#!/usr/bin/env node
// The only place that ends the process: it sets process.exitCode and lets piped output drain.
// dist/bundle/ is src/ bundled by scripts/bundle.js as CommonJS chunks (start-up time; see there). This file is
// CommonJS too (bin/package.json), so that no ES module loader starts on the way to them.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS file: require() is how it loads */
const argv = process.argv.slice(2);
// Only a command line with the flag may be `--version`; versionOutput says whether it is.
const asksVersion = argv.includes('--version') || argv.includes('-V');
const versionText = asksVersion ? require('../dist/bundle/version.js').versionOutput(argv) : undefined;
if (versionText !== undefined) {
  // `--version` (with or without --json) is answered without loading the program; src/cli.ts answers the same
  // for in-process callers.
  // Straight to the descriptor: setting up process.stdout (node:stream, node:net) would cost more than the rest.
  try {
    require('node:fs').writeSync(1, versionText);
  } catch (err) {
    if (err.code === 'EAGAIN') process.stdout.write(versionText);
  }
} else {
  const load = prepareCaches();
  const { main, systemEnv, systemIO } = load
    ? load(require('node:path').join(__dirname, '..', 'dist', 'bundle', 'apikit.js'))
    : require('../dist/bundle/apikit.js');
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    controller.abort();
  });
  // SIGTERM (a service manager, `kill`, a CI job ending) stops a long-running command the way Ctrl-C does: the
  // sandbox closes its ports, a login closes its callback server; a command that does not listen is ended after 5 s.
  process.on('SIGTERM', () => {
    controller.abort();
    setTimeout(() => process.exit(130), 5000).unref();
  });
  main(argv, systemIO(), systemEnv(), { signal: controller.signal }).then((code) => {
    process.exitCode = code;
  });
}

/**
 * Two caches of compiled code, in the per-user OS cache directory (XDG_CACHE_HOME or ~/.cache on Linux,
 * ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows) under apikit/compile-cache — not the config directory, which
 * holds secrets and belongs to the user's settings, and not Node's default under the shared temporary directory,
 * where another user could plant compiled code:
 * - Node's module compile cache (Node >= 22.1), for the packages apikit loads from node_modules;
 * - bin/code-cache.js, for apikit's own bundle files: V8 code saved after a command ran, which holds the functions
 *   the command ran (Node's cache holds a file's top level only). Returns its loader.
 * NODE_COMPILE_CACHE (a directory of the user's choice: both go there) and NODE_DISABLE_COMPILE_CACHE=1 (neither)
 * are Node's own and win. Never fails: where a directory cannot be made, apikit runs without that cache.
 */
function prepareCaches() {
  const env = process.env;
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  try {
    const mod = require('node:module');
    const { join } = require('node:path');
    const dir = env.NODE_COMPILE_CACHE || compileCacheDir();
    if (dir === undefined || !makeDir(dir)) return undefined;
    if (!env.NODE_COMPILE_CACHE && typeof mod.enableCompileCache === 'function') mod.enableCompileCache(dir);
    const codeRoot = join(dir, 'apikit-code');
    const current = `${process.version}-${process.arch}-${bundleVersion()}`;
    const own = join(codeRoot, current);
    const first = !require('node:fs').existsSync(own);
    if (!makeDir(own)) return undefined;
    const codeCache = require('./code-cache.js');
    if (first) codeCache.forgetOldVersions(codeRoot, current);
    return codeCache.createBundleLoader(join(__dirname, '..', 'dist', 'bundle'), own, commandWords(argv));
  } catch {
    return undefined; // no cache: slower, not wrong
  }
}

/** The bundle's version, from its package.json (scripts/bundle.js writes it there): cheaper than a require(). */
function bundleVersion() {
  const { join } = require('node:path');
  const file = join(__dirname, '..', 'dist', 'bundle', 'package.json');
  const { version } = JSON.parse(require('node:fs').readFileSync(file, 'utf8'));
  if (typeof version !== 'string') throw new Error(`${file} has no version`);
  return version;
}

/**
 * The group and verb words of the command line, which the code cache keeps apart: the first two words that are not
 * flags, while they look like names (`jwt decode`; not a token, a path or a URL). Empty for `apikit --help`.
 */
function commandWords(args) {
  const words = args.filter((a) => !a.startsWith('-')).slice(0, 2);
  const named = [];
  for (const w of words) {
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(w)) break;
    named.push(w);
  }
  return named.join(' ');
}

function compileCacheDir() {
  const { join } = require('node:path');
  const env = process.env;
  // What os.homedir() answers first (libuv reads HOME), without loading node:os for it.
  const home = () => env.HOME || require('node:os').homedir();
  if (process.platform === 'win32') {
    return env.LOCALAPPDATA ? join(env.LOCALAPPDATA, 'apikit', 'Cache', 'compile-cache') : undefined;
  }
  if (process.platform === 'darwin') return join(home(), 'Library', 'Caches', 'apikit', 'compile-cache');
  const base = env.XDG_CACHE_HOME?.startsWith('/') ? env.XDG_CACHE_HOME : join(home(), '.cache');
  return join(base, 'apikit', 'compile-cache');
}

/**
 * mkdir -p, one level at a time, private to the user. Not fs.mkdirSync(recursive) and not Node's own creation of
 * the directory: both loop for ever where mkdir answers ENOENT for a directory that exists (/proc), and an
 * odd XDG_CACHE_HOME must not hang apikit. Node then only creates one subdirectory in a directory made here.
 */
function makeDir(dir) {
  const fs = require('node:fs');
  const { dirname } = require('node:path');
  const missing = [];
  for (let d = dir; ; d = dirname(d)) {
    const stat = fs.statSync(d, { throwIfNoEntry: false });
    if (stat) {
      if (!stat.isDirectory()) return false;
      break;
    }
    if (dirname(d) === d) return false;
    missing.unshift(d);
  }
  for (const d of missing) fs.mkdirSync(d, { mode: 0o700 });
  return true;
}
