#!/usr/bin/env node
// npm run bench — start-up and throughput of the built CLI, as ratios to baselines measured in the same run.
// Start-up: each command runs >= RUNS times, interleaved round-robin with a bare `node -e 0` so that machine
// noise hits all of them alike; the table reports medians and the ratio to bare node's median.
// BENCH_BEFORE=/path/to/other/bin/apikit.js adds each command run by that binary (say, a build of the previous
// commit) to the same rounds, for a before/after comparison under the same conditions.
// Then the JWT batch verify (bench/jwt-batch.js) and the rate-limit probe's accuracy and request-engine throughput
// (bench/ratelimit.js); --startup-only skips both, --no-ratelimit the last.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import Table from 'cli-table3';

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

  const cases = [
    { name: 'node -e 0 (baseline)', argv: ['-e', '0'], baseline: true },
    { name: 'apikit --version', argv: [bin, '--version'], target: 1.15 },
    { name: 'apikit --help', argv: [bin, '--help'] },
    { name: 'apikit keys inspect <pem>', argv: [bin, 'keys', 'inspect', keyPem], target: 1.3 },
    { name: 'apikit jwt decode <token>', argv: [bin, 'jwt', 'decode', token], target: 1.2 },
    {
      name: 'apikit jwt verify <token> --key <pem>',
      argv: [bin, 'jwt', 'verify', token, '--key', pubPem],
      target: 1.35,
    },
  ];
  if (before) {
    for (const c of cases.filter((c) => c.argv[0] === bin)) {
      cases.push({ name: `${c.name} (before)`, argv: [before, ...c.argv.slice(1)] });
    }
  }
  const samples = new Map(cases.map((c) => [c.name, []]));
  const status = new Map();
  // one warm-up round, not counted (page cache, lazy OS work)
  for (let round = -1; round < RUNS; round++) {
    for (const c of cases) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(process.execPath, c.argv, { stdio: ['ignore', 'ignore', 'pipe'] });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      status.set(c.name, r.status);
      if (round >= 0) samples.get(c.name).push(ms);
    }
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  const base = median(samples.get(cases[0].name));
  const rows = cases.map((c) => {
    const med = median(samples.get(c.name));
    const ratio = med / base;
    return {
      name: c.name,
      runs: samples.get(c.name).length,
      medianMs: Number(med.toFixed(1)),
      ratio: Number(ratio.toFixed(3)),
      target: c.target ?? null,
      met: c.target ? ratio <= c.target : null,
      exit: status.get(c.name),
    };
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
    console.log(JSON.stringify({ startup: rows, batch, ratelimit }, null, 2));
  } else {
    const t = new Table({ head: ['start-up', 'runs', 'median ms', '× node', 'target', 'met', 'exit'] });
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
    console.log(t.toString());
    if (batch.length) {
      const b = new Table({
        head: ['batch verify', 'apikit tokens/s', 'jose loop tokens/s', 'ratio', 'target', 'met'],
      });
      for (const r of batch) {
        b.push([
          r.name,
          Math.round(r.apikitTokensPerSec),
          Math.round(r.baselineTokensPerSec),
          r.ratio.toFixed(3),
          `>= ${r.target}`,
          r.ratio >= r.target ? 'yes' : 'NO',
        ]);
      }
      console.log(b.toString());
    }
    if (ratelimit) console.log((await import('./ratelimit.js')).renderRateLimit(ratelimit));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
