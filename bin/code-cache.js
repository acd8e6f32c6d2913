'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS file: require() is how it loads */
// apikit's own bundle files (dist/bundle/), compiled with V8 code that a previous run of the same command saved
// AFTER it ran. Why not only Node's module compile cache (which bin/apikit.js also turns on, for the packages apikit
// loads from node_modules): Node saves a file's code as it is when the file is compiled, and V8 compiles a
// function only when it is first called, so that cache holds the top level of each file and almost none of a
// command's functions; every run compiled them again. script.createCachedData() after the run holds every
// function the run compiled (npm run bench: 4-6 ms less a command on Node 22 and 24, 10-16 ms on Node 20, which
// has no module compile cache at all).
//
// Each command (its group and verb words) has caches of its own, under <cache dir>/apikit-code/<node>-<arch>-<apikit
// version>/<a hash of the words>/: the entry file holds code for every command, and one cache with all of it costs
// more to read than it saves (npm run bench: a union over every command made jwt decode ~3 ms slower than its own).
// At most MAX_COMMANDS of them; a command past that runs without. One cache file per bundle file: the file's own
// bytes, compared in full before its code is used (V8 itself checks only the source's length), the list of bundle
// files that ran beside it and V8's data. A run that loads a bundle file the list lacks (the same command on
// another path: a batch, a JWKS URL) saves the cache again, once, for the union; other runs only read. V8 refuses
// data from another V8 version or other flags (the run then compiles as without a cache, and saves).
// V8 does not check its data for damage (a release build runs what it is given, and damaged code can crash the
// process): a save is written to a file of its own, flushed to disk and then renamed over the old one, so a file
// is whole or absent; and each run leaves a `running-<pid>` mark beside the caches that only its 'exit' removes, so
// a run that died (a crash, a kill) is seen by the next one, which starts without any cache. (Node checks its own
// cache with a CRC; in JavaScript a checksum over a cache costs 2-4 ms cold, most of what the cache saves.)
// The first run of a new Node or apikit version removes the other versions' caches that have gone unused for a
// month (forgetOldVersions). Each file runs with a column offset that takes away wrap()'s prefix, so that stack
// traces give line 1's columns as require() does.
// Nothing here may fail a command: a cache that cannot be read or written is no cache.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire, isBuiltin, wrap } = require('node:module');

const MAGIC = Buffer.from('apikit code cache 1\n');
/**
 * What wrap() puts before and after a file's text (ASCII: as many bytes as characters). Stack traces count line 1's
 * columns from after the head.
 */
const [WRAP_HEAD, WRAP_TAIL] = wrap('\0')
  .split('\0')
  .map((part) => Buffer.from(part));

/** Commands with caches of their own: apikit has about 45 group-and-verb pairs; words that are data add more. */
const MAX_COMMANDS = 64;
/** Days the caches of another Node or apikit version are kept unused (see forgetOldVersions). */
const UNUSED_DAYS = 30;
/** A version directory's name: `<node version>-<arch>-<apikit version>`. */
const VERSION_DIR = /^v\d+\.\d+\.\d+[^/\\]*-[a-z0-9]+-\d+\.\d+\.\d+[^/\\]*$/;

/**
 * A loader for the .js files under bundleDir, run as require() runs them (the same wrapper, exports, require,
 * __filename), or undefined when the cache directory cannot be used. The bundle has no import() of its own
 * (scripts/bundle.js: a vm.Script cannot run one without vm's experimental hook): its import() of a package goes
 * through dist/bundle/esm-import.cjs, which Node loads itself.
 */
function createBundleLoader(bundleDir, versionDir, command) {
  const root = bundleDir + path.sep;
  const mark = path.join(versionDir, `running-${process.pid}`);
  const cacheDir = path.join(versionDir, commandDirName(command));
  try {
    forgetAfterCrash(versionDir);
    if (!fs.statSync(cacheDir, { throwIfNoEntry: false })?.isDirectory()) {
      if (fs.readdirSync(versionDir).filter((n) => /^c[0-9a-f]+$/.test(n)).length >= MAX_COMMANDS)
        return undefined;
      fs.mkdirSync(cacheDir, { mode: 0o700 });
    }
    fs.writeFileSync(mark, '');
  } catch {
    return undefined;
  }
  /** absolute path → { module, script, rel, source, union, fresh } */
  const loaded = new Map();

  const cacheFile = (rel) => path.join(cacheDir, rel.replaceAll('/', '_').replaceAll('\\', '_'));

  function readCache(rel, source) {
    let bytes;
    try {
      bytes = fs.readFileSync(cacheFile(rel));
    } catch {
      return undefined;
    }
    const m = MAGIC.length;
    if (bytes.length < m + 12 || !bytes.subarray(0, m).equals(MAGIC)) return undefined;
    const sourceLength = bytes.readUInt32LE(m);
    const listLength = bytes.readUInt32LE(m + 4);
    const dataLength = bytes.readUInt32LE(m + 8);
    const listEnd = m + 12 + listLength;
    const sourceEnd = listEnd + sourceLength;
    if (sourceEnd + dataLength !== bytes.length) return undefined;
    if (!bytes.subarray(listEnd, sourceEnd).equals(source)) return undefined;
    let union;
    try {
      union = new Set(JSON.parse(bytes.subarray(m + 12, listEnd).toString('utf8')));
    } catch {
      return undefined;
    }
    return { union, data: bytes.subarray(sourceEnd) };
  }

  function load(file) {
    const done = loaded.get(file);
    if (done) return done.module.exports;
    const rel = path.relative(bundleDir, file).split(path.sep).join('/');
    const { source, wrapped } = readWrapped(file);
    const cached = readCache(rel, source);
    const script = new vm.Script(wrapped, {
      filename: file,
      columnOffset: -WRAP_HEAD.length,
      cachedData: cached?.data,
    });
    const module = { id: file, filename: file, exports: {}, loaded: false };
    const used = cached !== undefined && script.cachedDataRejected !== true;
    const entry = { module, script, rel, source, union: used ? cached.union : new Set(), fresh: !used };
    // Cached before it runs, as require() does, so that a cycle sees the partial exports.
    loaded.set(file, entry);
    const dir = path.dirname(file);
    // Node's modules are the same whoever asks; a require() of this file's own for a package is made when one is
    // first asked for (createRequire looks up every node_modules directory above the file).
    let outside;
    const packages = () => (outside ??= createRequire(file));
    const localRequire = (id) => {
      if (isBuiltin(id)) return require(id);
      const target = id.startsWith('.') ? path.resolve(dir, id) : id;
      return target.startsWith(root) && target.endsWith('.js') ? load(target) : packages()(id);
    };
    localRequire.resolve = (id, options) => packages().resolve(id, options);
    localRequire.resolve.paths = (id) => packages().resolve.paths(id);
    localRequire.cache = require.cache;
    localRequire.main = require.main;
    try {
      script.runInThisContext().call(module.exports, module.exports, localRequire, module, file, dir);
    } catch (err) {
      loaded.delete(file);
      throw err;
    }
    module.loaded = true;
    return module.exports;
  }

  /** At exit: saves each file whose cache is missing, refused, or lacks a file of this run. */
  function save() {
    const ran = [...loaded.values()].map((e) => e.rel);
    for (const e of loaded.values()) {
      if (!e.fresh && ran.every((r) => e.union.has(r))) continue;
      try {
        const list = Buffer.from(JSON.stringify([...new Set([...e.union, ...ran])].sort()));
        const data = e.script.createCachedData();
        const head = Buffer.alloc(12);
        head.writeUInt32LE(e.source.length, 0);
        head.writeUInt32LE(list.length, 4);
        head.writeUInt32LE(data.length, 8);
        const bytes = Buffer.concat([MAGIC, head, list, e.source, data]);
        const target = cacheFile(e.rel);
        // Whole or not at all, also with two runs saving at once: a file of its own, then renamed over.
        const temp = `${target}.${process.pid}.tmp`;
        try {
          const fd = fs.openSync(temp, 'w', 0o600);
          try {
            fs.writeSync(fd, bytes);
            fs.fsyncSync(fd);
          } finally {
            fs.closeSync(fd);
          }
          fs.renameSync(temp, target);
        } catch {
          fs.rmSync(temp, { force: true });
        }
      } catch {
        // not saved: the next run compiles again
      }
    }
  }
  process.on('exit', () => {
    save();
    // unlinkSync, not rmSync: on Node 20 the first rmSync() loads its rimraf code, ~0.5 ms of every run.
    try {
      fs.unlinkSync(mark);
    } catch {
      // already gone (another run's wipe after a crash)
    }
  });

  return load;
}

/**
 * A file's bytes, and its text as wrap() would give it, made as one string: wrap(text) makes a second copy of each
 * file on the heap (V8 flattens the concatenation to compile it), and with ~300 KB of bundle files a command ran
 * into a garbage collection or two more (~1 ms each).
 */
function readWrapped(file) {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const bytes = Buffer.allocUnsafeSlow(WRAP_HEAD.length + size + WRAP_TAIL.length);
    WRAP_HEAD.copy(bytes, 0);
    let at = 0;
    while (at < size) {
      const n = fs.readSync(fd, bytes, WRAP_HEAD.length + at, size - at, at);
      if (n === 0) break;
      at += n;
    }
    const end = WRAP_HEAD.length + at;
    WRAP_TAIL.copy(bytes, end);
    return {
      source: bytes.subarray(WRAP_HEAD.length, end),
      wrapped: bytes.toString('utf8', 0, end + WRAP_TAIL.length),
    };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A `running-<pid>` mark whose process is gone: that run ended without its 'exit' (a crash, a kill, running out of
 * memory), maybe because of a cache it used. Every command's caches go, and the mark; live runs keep theirs.
 */
function forgetAfterCrash(versionDir) {
  const names = fs.readdirSync(versionDir);
  const dead = names.filter((n) => /^running-\d+$/.test(n) && !alive(Number(n.slice(8))));
  if (dead.length === 0) return;
  for (const n of names) {
    if (!n.startsWith('running-')) fs.rmSync(path.join(versionDir, n), { recursive: true, force: true });
  }
  for (const n of dead) fs.rmSync(path.join(versionDir, n), { force: true });
}

/**
 * The first run of a new Node or apikit version (its directory just made, in codeRoot) removes the caches of the
 * others that no run has used for UNUSED_DAYS: after an upgrade, the old version's caches (up to a few MB) would
 * otherwise stay for ever. Every run adds and removes its mark in its version's directory, so the directory's
 * modification time is when that version last ran; a Node kept beside another (nvm) keeps its caches while used.
 */
function forgetOldVersions(codeRoot, current, now = Date.now()) {
  try {
    for (const name of fs.readdirSync(codeRoot)) {
      if (name === current || !VERSION_DIR.test(name)) continue;
      const dir = path.join(codeRoot, name);
      const stat = fs.lstatSync(dir, { throwIfNoEntry: false });
      if (!stat?.isDirectory() || now - stat.mtimeMs < UNUSED_DAYS * 86_400_000) continue;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } catch {
    // left for the next new version
  }
}

/** A command's directory: FNV-1a of its words, so that words which are data (a profile's name) are not written. */
function commandDirName(command) {
  let h = 0x811c9dc5;
  for (let i = 0; i < command.length; i++) h = Math.imul(h ^ command.charCodeAt(i), 0x01000193);
  return `c${(h >>> 0).toString(16)}`;
}

function alive(pid) {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

module.exports = { createBundleLoader, forgetOldVersions, commandDirName, MAX_COMMANDS, UNUSED_DAYS };
