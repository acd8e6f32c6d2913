#!/usr/bin/env node
// Where a batch verify's time per token goes (issue 15), one thread, in-process, for ES256 and RS256: each row is
// a loop over the same N tokens, run BENCH_PARTS_ROUNDS times interleaved, median µs per token. The rows build up
// from the bare signature check (node:crypto, what bench/jwt-batch.js calls the machine's limit) to apikit's whole
// per-token work (src/lib/jwt/verify.ts verifyToken: parse, lint, policy, jose's jwtVerify, claims) and its
// output line. Not part of `npm run bench` (run it by hand after `npm run build`: node bench/jwt-verify-parts.js);
// it explains the batch rows there, which are wall-clock ratios of whole runs.
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import Table from 'cli-table3';
import { Chalk } from 'chalk';
import { verifyToken } from '../dist/lib/jwt/verify.js';
import { decodeJws } from '../dist/lib/jwt/parse.js';
import { lintToken } from '../dist/lib/jwt/lint.js';
import { formatVerdictLine } from '../dist/commands/jwt/verdict-line.js';

const PLAIN = { json: false, color: { out: new Chalk({ level: 0 }) } };
const N = Number(process.env.BENCH_PARTS_N ?? 4000);
const ROUNDS = Number(process.env.BENCH_PARTS_ROUNDS ?? 5);

async function tokensFor(alg) {
  const { privateKey, publicKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const tokens = [];
  for (let i = 0; i < N; i++) {
    tokens.push(
      await new SignJWT({ sub: `user-${i}`, scope: 'read' })
        .setProtectedHeader({ alg, typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey),
    );
  }
  return { tokens, key: createPublicKey(publicKey.export({ type: 'spki', format: 'pem' })) };
}

function parts(alg, key) {
  const opts = alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key;
  const ring = {
    entries: [{ key, kid: undefined, algs: [alg], label: 'pub.pem' }],
    name: 'the given keys',
    skipped: [],
  };
  const policy = { algorithms: [alg], leewaySec: 60, requireClaims: [], requireScopes: [] };
  return [
    [
      'node:crypto verify (the bench baseline)',
      (t) => {
        const dot = t.lastIndexOf('.');
        if (!verify('sha256', Buffer.from(t.slice(0, dot)), opts, Buffer.from(t.slice(dot + 1), 'base64url')))
          throw new Error('bad signature');
      },
    ],
    ['parse (split, base64url, two JSON.parse)', (t) => decodeJws(t.split('.'))],
    [
      'parse + lint',
      (t) => {
        const d = decodeJws(t.split('.'));
        lintToken(d.header, d.payload, Date.now());
      },
    ],
    ['jose jwtVerify (WebCrypto)', async (t) => void (await jwtVerify(t, key, { algorithms: [alg] }))],
    ['apikit verifyToken', async (t) => void (await verifyToken(t, ring, policy, Date.now()))],
    [
      'apikit verifyToken + its output line',
      async (t, i) =>
        void formatVerdictLine({ ...(await verifyToken(t, ring, policy, Date.now())), line: i + 1 }, PLAIN),
    ],
  ];
}

async function loop(fn, tokens) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < tokens.length; i++) await fn(tokens[i], i);
  return Number(process.hrtime.bigint() - started) / 1e3 / tokens.length;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const table = new Table({ head: ['µs per token, one thread', 'ES256', '× bare', 'RS256', '× bare'] });
const results = {};
for (const alg of ['ES256', 'RS256']) {
  const { tokens, key } = await tokensFor(alg);
  const rows = parts(alg, key);
  const times = rows.map(() => []);
  for (const [, fn] of rows) await loop(fn, tokens.slice(0, 200)); // warm up
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < rows.length; i++) times[i].push(await loop(rows[i][1], tokens));
  }
  results[alg] = rows.map(([name], i) => ({ name, us: median(times[i]) }));
}
for (let i = 0; i < results.ES256.length; i++) {
  const es = results.ES256[i];
  const rs = results.RS256[i];
  table.push([
    es.name,
    es.us.toFixed(1),
    (es.us / results.ES256[0].us).toFixed(2),
    rs.us.toFixed(1),
    (rs.us / results.RS256[0].us).toFixed(2),
  ]);
}
console.log(`node ${process.version}, ${N} tokens, median of ${ROUNDS} interleaved rounds`);
console.log(table.toString());
