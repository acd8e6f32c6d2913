import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary, runCli, tempDir } from '../helpers/cli.js';
import { ALL_ALGS, keyPairFor, makeKeyFiles, type KeyFiles } from '../commands/jwt/fixtures.js';

/**
 * Interop with PyJWT 2.6 (Debian python3-jwt), both directions, all 13 algorithms.
 * /usr/bin/python3 is used explicitly: the python3 first on PATH may be another interpreter without jwt.
 */
const PY = '/usr/bin/python3';
const pyjwt = requireBinary(
  'python3-jwt',
  () => existsSync(PY) && spawnSync(PY, ['-c', 'import jwt, cryptography'], { stdio: 'ignore' }).status === 0,
);

const SIGN = `
import json, sys, time, jwt
jobs = json.load(sys.stdin)
out = []
for j in jobs:
    key = j['secret'] if 'secret' in j else open(j['key']).read()
    now = int(time.time())
    out.append(jwt.encode({'sub': 'py-' + j['alg'], 'aud': 'api', 'iat': now, 'exp': now + 600}, key, algorithm=j['alg'], headers={'kid': 'py'}))
print(json.dumps(out))
`;

const VERIFY = `
import json, sys, jwt
jobs = json.load(sys.stdin)
out = []
for j in jobs:
    key = j['secret'] if 'secret' in j else open(j['key']).read()
    try:
        claims = jwt.decode(j['token'], key, algorithms=[j['alg']], audience='api')
        out.append({'ok': True, 'sub': claims.get('sub')})
    except Exception as e:
        out.append({'ok': False, 'error': type(e).__name__ + ': ' + str(e)})
print(json.dumps(out))
`;

function py(script: string, input: unknown): unknown {
  return JSON.parse(execFileSync(PY, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8' }));
}

let k: KeyFiles;
let cleanup: () => void;
const secretOf = (path: string) => readFileSync(path, 'utf8').replace(/\n$/, '');
const keyJob = (alg: string, which: 'sign' | 'verify') => {
  const file = keyPairFor(k, alg)[which];
  return alg.startsWith('HS') ? { secret: secretOf(file) } : { key: file };
};

describe.skipIf(pyjwt.skip)('interop: PyJWT 2.6', () => {
  beforeAll(() => {
    const t = tempDir('apikit-jwt-pyjwt-');
    cleanup = t.cleanup;
    k = makeKeyFiles(t.dir);
  });
  afterAll(() => cleanup?.());

  it('PyJWT signs, apikit verifies (every algorithm)', async () => {
    const tokens = py(
      SIGN,
      ALL_ALGS.map((alg) => ({ alg, ...keyJob(alg, 'sign') })),
    ) as string[];
    for (const [i, alg] of ALL_ALGS.entries()) {
      const r = await runCli([
        'jwt',
        'verify',
        tokens[i]!,
        '--key',
        keyPairFor(k, alg).verify,
        '--aud',
        'api',
        '--alg',
        alg,
        '--json',
      ]);
      expect({ alg, code: JSON.parse(r.stdout).code }).toEqual({ alg, code: 'valid' });
      expect(JSON.parse(r.stdout).payload.sub).toBe(`py-${alg}`);
      // The same token with one payload byte changed must not verify.
      const [h, p, s] = tokens[i]!.split('.');
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'root' })).toString('base64url')}.${s}`;
      const bad = await runCli(['jwt', 'verify', tampered, '--key', keyPairFor(k, alg).verify, '--json']);
      expect(JSON.parse(bad.stdout).code).toBe('signature_invalid');
    }
  });

  it('apikit mints, PyJWT verifies (every algorithm)', async () => {
    const jobs = [];
    for (const alg of ALL_ALGS) {
      const r = await runCli([
        'jwt',
        'mint',
        '--key',
        keyPairFor(k, alg).sign,
        '--alg',
        alg,
        '--sub',
        `ak-${alg}`,
        '--aud',
        'api',
      ]);
      expect(r.code).toBe(0);
      jobs.push({ alg, token: r.stdout.trim(), ...keyJob(alg, 'verify') });
    }
    const results = py(VERIFY, jobs) as { ok: boolean; sub?: string; error?: string }[];
    expect(results.map((r, i) => ({ alg: ALL_ALGS[i], ...r }))).toEqual(
      ALL_ALGS.map((alg) => ({ alg, ok: true, sub: `ak-${alg}` })),
    );
    // Control: PyJWT rejects an apikit token verified with the wrong key, so the check above can fail.
    const wrong = py(VERIFY, [{ ...jobs[9]!, key: keyPairFor(k, 'ES384').verify }]) as { ok: boolean }[];
    expect(wrong[0]!.ok).toBe(false);
  });
});
