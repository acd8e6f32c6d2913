// Batch verify throughput: `apikit jwt verify --key K -` with N tokens on stdin (a spawned child, wall time)
// against a bare jose.jwtVerify loop in one Node process (also spawned, so both pay process start-up).
// Run after `npm run build`. Exports benchJwtBatch({ n }) → rows { name, apikitTokensPerSec,
// baselineTokensPerSec, ratio, target }.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { SignJWT } from 'jose';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'apikit.js');
const JOSE_URL = pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('jose')).href;

/** Runs node with args, feeding stdin; resolves with wall-clock ms and the exit code. */
function timedRun(args, stdin, cwd) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = 0;
    let err = '';
    child.stdout.on('data', (c) => (out += c.length));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    // A child that dies early closes its stdin; its exit code and stderr tell why, not an EPIPE.
    child.stdin.on('error', () => {});
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ ms, code, outBytes: out, stderr: err });
    });
    child.stdin.end(stdin);
  });
}

// The baseline: the same tokens, verified one after another with jose.jwtVerify, in one process.
const BASELINE = `
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
const [keyPath, alg, joseUrl] = process.argv.slice(2);
const { jwtVerify } = await import(joseUrl);
const key = createPublicKey(readFileSync(keyPath));
const text = readFileSync(0, 'utf8');
let ok = 0;
for (const line of text.split('\\n')) {
  if (!line) continue;
  await jwtVerify(line, key, { algorithms: [alg] });
  ok++;
}
process.stdout.write(ok + '\\n');
`;

async function makeTokens(alg, n) {
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const tokens = [];
  // Distinct payloads, one key (what a gateway sees): sign in parallel batches to keep set-up short.
  for (let i = 0; i < n; i += 500) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + 500); j++) {
      batch.push(
        new SignJWT({ sub: `user-${j}`, scope: 'read write', n: j })
          .setProtectedHeader({ alg, typ: 'JWT' })
          .setIssuedAt()
          .setExpirationTime(exp)
          .sign(pair.privateKey),
      );
    }
    tokens.push(...(await Promise.all(batch)));
  }
  return { tokens, publicPem: pair.publicKey.export({ format: 'pem', type: 'spki' }) };
}

export async function benchJwtBatch({ n = 20000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'apikit-bench-jwt-'));
  const rows = [];
  try {
    for (const alg of ['ES256', 'RS256']) {
      const { tokens, publicPem } = await makeTokens(alg, n);
      const keyPath = join(dir, `${alg}.pub.pem`);
      writeFileSync(keyPath, publicPem);
      const input = tokens.join('\n') + '\n';
      // The baseline imports the very jose build apikit uses (resolved from the repo, passed as a file URL).
      const baselineFile = join(dir, 'baseline.mjs');
      writeFileSync(baselineFile, BASELINE);
      const base = await timedRun([baselineFile, keyPath, alg, JOSE_URL], input, ROOT);
      const apikit = await timedRun([BIN, 'jwt', 'verify', '--key', keyPath, '--alg', alg, '-'], input, ROOT);
      if (base.code !== 0) throw new Error(`baseline failed for ${alg}: ${base.stderr}`);
      if (apikit.code !== 0)
        throw new Error(
          `apikit jwt verify failed for ${alg} (exit ${apikit.code}): ${apikit.stderr.slice(0, 500)}`,
        );
      const apikitTokensPerSec = n / (apikit.ms / 1000);
      const baselineTokensPerSec = n / (base.ms / 1000);
      rows.push({
        name: `jwt verify batch ${alg} (${n} tokens)`,
        apikitTokensPerSec: Math.round(apikitTokensPerSec),
        baselineTokensPerSec: Math.round(baselineTokensPerSec),
        ratio: Number((apikitTokensPerSec / baselineTokensPerSec).toFixed(3)),
        target: 0.9,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const n = Number(process.argv[2] ?? 20000);
  console.table(await benchJwtBatch({ n }));
}
