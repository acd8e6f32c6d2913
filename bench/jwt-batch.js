// Batch verify throughput (issue 15): `apikit jwt verify --key K -` with N tokens on stdin (a spawned child, wall
// time) against the machine's limit for the same tokens: cores × a bare single-thread node:crypto verify loop
// (crypto.verify over each token's signing input, nothing else — no claims, no JSON, no output), in one spawned
// Node process too, so that both pay process start-up. Goal: apikit ≥ 0.8 × that, for ES256 and RS256.
// Also measured in the same rounds, for the record:
// - apikit with APIKIT_VERIFY_THREADS=0 (every check on the main thread, as before issue 15);
// - a bare jose.jwtVerify loop (the earlier baseline): jose verifies with WebCrypto, whose per-call cost is what
//   bounds apikit on few cores;
// - the WebCrypto ceiling: crypto.subtle.verify alone over each token's signing input, 1024 in flight (Node's
//   thread pool runs them on every core), nothing else. jose checks signatures with WebCrypto, so no jose-based
//   verifier gets past this row, whatever it does around the check;
// - a smaller batch (BENCH_BATCH_SMALL, 1500 tokens: just past SMALL_BATCH in src/commands/jwt/verify-batch.ts,
//   where the worker threads start), with and without threads, to check that starting them does not cost there.
// Every command runs BENCH_BATCH_ROUNDS times (default 3), interleaved round-robin; the table shows medians.
// Run after `npm run build`. Exports benchJwtBatch({ n }) → rows { name, apikitTokensPerSec, baselineTokensPerSec,
// baseline, ratio, target }.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { SignJWT } from 'jose';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'apikit.js');
const JOSE_URL = pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('jose')).href;
const ROUNDS = Number(process.env.BENCH_BATCH_ROUNDS ?? 3);
const SMALL = Number(process.env.BENCH_BATCH_SMALL ?? 1500);

/** Runs node with args, feeding stdin; resolves with wall-clock ms and the exit code. */
function timedRun(args, stdin, env = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
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

// The machine's single-thread limit: node:crypto verifies each token's signature, one after another.
const BARE_CRYPTO = `
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
const [keyPath, alg] = process.argv.slice(2);
const key = createPublicKey(readFileSync(keyPath));
const opts = alg.startsWith('ES') ? { key, dsaEncoding: 'ieee-p1363' } : key;
let ok = 0;
for (const line of readFileSync(0, 'utf8').split('\\n')) {
  if (!line) continue;
  const dot = line.lastIndexOf('.');
  if (!verify('sha256', Buffer.from(line.slice(0, dot)), opts, Buffer.from(line.slice(dot + 1), 'base64url')))
    throw new Error('bad signature');
  ok++;
}
process.stdout.write(ok + '\\n');
`;

// The ceiling of a verifier that checks signatures with WebCrypto: subtle.verify only, IN_FLIGHT at a time.
const WEBCRYPTO = `
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
const [keyPath, alg] = process.argv.slice(2);
const IN_FLIGHT = 1024;
const params = alg.startsWith('ES')
  ? [{ name: 'ECDSA', namedCurve: 'P-256' }, { name: 'ECDSA', hash: 'SHA-256' }]
  : [{ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, { name: 'RSASSA-PKCS1-v1_5' }];
const spki = createPublicKey(readFileSync(keyPath)).export({ type: 'spki', format: 'der' });
const key = await crypto.subtle.importKey('spki', spki, params[0], false, ['verify']);
const lines = readFileSync(0, 'utf8').split('\\n').filter(Boolean);
let ok = 0;
for (let i = 0; i < lines.length; i += IN_FLIGHT) {
  const checks = lines.slice(i, i + IN_FLIGHT).map((line) => {
    const dot = line.lastIndexOf('.');
    return crypto.subtle.verify(params[1], key, Buffer.from(line.slice(dot + 1), 'base64url'), Buffer.from(line.slice(0, dot)));
  });
  for (const valid of await Promise.all(checks)) if (valid) ok++; else throw new Error('bad signature');
}
process.stdout.write(ok + '\\n');
`;

// The earlier baseline: the same tokens, verified one after another with jose.jwtVerify, in one process.
const JOSE_LOOP = `
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
const [keyPath, alg, joseUrl] = process.argv.slice(2);
const { jwtVerify } = await import(joseUrl);
const key = createPublicKey(readFileSync(keyPath));
let ok = 0;
for (const line of readFileSync(0, 'utf8').split('\\n')) {
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

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function benchJwtBatch({ n = 20000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'apikit-bench-jwt-'));
  const cores = availableParallelism();
  const rows = [];
  try {
    const bareFile = join(dir, 'bare-crypto.mjs');
    const joseFile = join(dir, 'jose-loop.mjs');
    const webcryptoFile = join(dir, 'webcrypto.mjs');
    writeFileSync(bareFile, BARE_CRYPTO);
    writeFileSync(webcryptoFile, WEBCRYPTO);
    writeFileSync(joseFile, JOSE_LOOP);
    for (const alg of ['ES256', 'RS256']) {
      const { tokens, publicPem } = await makeTokens(alg, n);
      const keyPath = join(dir, `${alg}.pub.pem`);
      writeFileSync(keyPath, publicPem);
      const input = tokens.join('\n') + '\n';
      const small = tokens.slice(0, Math.min(SMALL, n)).join('\n') + '\n';
      const verify = [BIN, 'jwt', 'verify', '--key', keyPath, '--alg', alg, '-'];
      const cases = [
        { id: 'bare', args: [bareFile, keyPath, alg], input, n },
        { id: 'jose', args: [joseFile, keyPath, alg, JOSE_URL], input, n },
        { id: 'webcrypto', args: [webcryptoFile, keyPath, alg], input, n },
        { id: 'apikit', args: verify, input, n },
        { id: 'main', args: verify, input, n, env: { APIKIT_VERIFY_THREADS: '0' } },
        { id: 'small', args: verify, input: small, n: Math.min(SMALL, n) },
        {
          id: 'smallMain',
          args: verify,
          input: small,
          n: Math.min(SMALL, n),
          env: { APIKIT_VERIFY_THREADS: '0' },
        },
      ];
      const ms = new Map(cases.map((c) => [c.id, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const c of cases) {
          const r = await timedRun(c.args, c.input, c.env);
          if (r.code !== 0)
            throw new Error(`${c.id} failed for ${alg} (exit ${r.code}): ${r.stderr.slice(0, 500)}`);
          ms.get(c.id).push(r.ms);
        }
      }
      const rate = (id) => cases.find((c) => c.id === id).n / (median(ms.get(id)) / 1000);
      const limit = cores * rate('bare');
      const row = (name, id, baseline, baseRate, target) => ({
        name,
        apikitTokensPerSec: Math.round(rate(id)),
        baselineTokensPerSec: Math.round(baseRate),
        baseline,
        ratio: Number((rate(id) / baseRate).toFixed(3)),
        target,
      });
      const machine = `${cores} cores × node:crypto loop (${Math.round(rate('bare'))}/s)`;
      rows.push(row(`jwt verify batch ${alg} (${n} tokens)`, 'apikit', machine, limit, 0.8));
      rows.push(row(`  same, APIKIT_VERIFY_THREADS=0`, 'main', machine, limit, null));
      rows.push(row(`  WebCrypto ceiling (subtle.verify only)`, 'webcrypto', machine, limit, null));
      rows.push(row(`  same vs a jose.jwtVerify loop`, 'apikit', 'jose loop, 1 thread', rate('jose'), null));
      rows.push(
        row(
          `  ${Math.min(SMALL, n)} tokens vs THREADS=0`,
          'small',
          'THREADS=0, same size',
          rate('smallMain'),
          null,
        ),
      );
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
