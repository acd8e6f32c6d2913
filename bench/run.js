#!/usr/bin/env node
// npm run bench — start-up and throughput of the built CLI, as ratios to baselines measured in the same run.
// Start-up (bench/startup.js): each command runs >= RUNS times, interleaved round-robin with a bare `node -e 0` so
// that machine noise hits all of them alike; the table reports medians and the ratio to bare node's median. With
// BENCH_NODES=/path/to/node22,/path/to/node24 the same table is measured for each of those binaries too (ratios to
// that binary's own bare node), in the same rounds.
// Each target command also gets its floor (bench/startup-floor.js): the same work in a bare jose script, so that
// the table shows how much of a command's start-up is apikit's and how much any jose-based CLI pays on that Node.
// BENCH_BEFORE=/path/to/other/bin/apikit.js adds each command run by that binary (say, a build of the previous
// commit) to the same rounds, for a before/after comparison under the same conditions.
// Then the JWT batch verify (bench/jwt-batch.js) and the rate-limit probe's accuracy and request-engine throughput
// (bench/ratelimit.js); --startup-only skips both, --no-ratelimit the last.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import Table from 'cli-table3';
import { benchNodes, benchStartup, renderStartup } from './startup.js';
import { buildFloors } from './startup-floor.js';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'apikit.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 25);
const before = process.env.BENCH_BEFORE;
const json = process.argv.includes('--json');

if (!existsSync(join(root, 'dist', 'bundle', 'apikit.js'))) {
  console.error('bench: build first (npm run build)');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'apikit-bench-'));
try {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyPem = join(dir, 'key.pem');
  const pubPem = join(dir, 'pub.pem');
  writeFileSync(keyPem, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(pubPem, publicKey.export({ type: 'spki', format: 'pem' }));
  const token = await new SignJWT({ sub: 'bench', scope: 'read' })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);

  const startup = benchStartup({
    nodes: benchNodes(),
    runs: RUNS,
    bin,
    before,
    floors: await buildFloors(join(dir, 'floors'), root),
    floorCache: join(dir, 'floor-compile-cache'),
    cacheHome: join(dir, 'cache-home'),
    keyPem,
    pubPem,
    token,
  });

  let batch = [];
  const batchModule = join(root, 'bench', 'jwt-batch.js');
  if (existsSync(batchModule) && !process.argv.includes('--startup-only')) {
    const { benchJwtBatch } = await import(batchModule);
    batch = await benchJwtBatch({ n: Number(process.env.BENCH_BATCH_N ?? 20000) });
  }

  // Rate-limit probe accuracy and request-engine throughput (bench/ratelimit.js, issue 10).
  let ratelimit = null;
  if (!process.argv.includes('--startup-only') && !process.argv.includes('--no-ratelimit')) {
    const { benchRateLimit } = await import('./ratelimit.js');
    ratelimit = await benchRateLimit();
  }

  if (json) {
    console.log(JSON.stringify({ startup, batch, ratelimit }, null, 2));
  } else {
    console.log(renderStartup(startup, Table));
    if (batch.length) {
      const b = new Table({
        head: ['batch verify', 'apikit tokens/s', 'baseline', 'baseline tokens/s', 'ratio', 'target', 'met'],
      });
      for (const r of batch) {
        b.push([
          r.name,
          Math.round(r.apikitTokensPerSec),
          r.baseline ?? 'jose loop',
          Math.round(r.baselineTokensPerSec),
          r.ratio.toFixed(3),
          r.target === null ? '' : `>= ${r.target}`,
          r.target === null ? '' : r.ratio >= r.target ? 'yes' : 'NO',
        ]);
      }
      console.log(b.toString());
    }
    if (ratelimit) console.log((await import('./ratelimit.js')).renderRateLimit(ratelimit));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
