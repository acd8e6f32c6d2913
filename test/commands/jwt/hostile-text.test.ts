import { createHmac, sign as cryptoSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../../helpers/cli.js';
import { b64u, clock, FIXED_S, suiteKeyFiles, write } from './fixtures.js';
import { json, startServer, type TestServer } from './server.js';

/**
 * Issue 9, item 1: every string that came from a token, a key file, a JWKS (file or URL) or a server reaches the
 * terminal through terminalSafe, in every jwt human renderer and error line: no ESC sequence (clear screen, window
 * title), BEL, C1 control, DEL or bidi override gets through, on a terminal or a pipe.
 */
const HOSTILE = '\u001b[2J\u001b]0;PWNED\u0007\u202eevil\u009b31m\u007f';

const { k, sign } = suiteKeyFiles('apikit-jwt-hostile-');
const overrides = { clock };

/** What a hostile string could leave behind: any ESC that is not apikit's own colour (SGR), and the rest. */
function unsafe(text: string): string[] {
  // eslint-disable-next-line no-control-regex -- apikit's own colours are ESC [ digits m; anything else is not
  const withoutColour = text.replace(/\u001b\[[0-9;]*m/g, '');
  // Exactly the characters that must never reach a terminal (tab and newline are apikit's own layout).
  // eslint-disable-next-line no-control-regex
  const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
  return [...withoutColour.matchAll(UNSAFE)].map((m) => JSON.stringify(m[0]));
}

async function human(argv: string[], options: { stdin?: string; env?: Record<string, string> } = {}) {
  const out: { tty: boolean; code: number; stdout: string; stderr: string }[] = [];
  for (const tty of [false, true]) {
    const r = await runCli(argv, {
      ...options,
      overrides,
      tty,
      env: { FORCE_COLOR: tty ? '1' : '0', ...options.env },
    });
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect({ tty, stdout: unsafe(r.stdout), stderr: unsafe(r.stderr) }).toEqual({
      tty,
      stdout: [],
      stderr: [],
    });
    out.push({ tty, ...r });
  }
  return out[0]!;
}

/** ES256 over exact header/payload TEXT (so a duplicate member survives). */
function rawEs256(headerText: string, payloadText: string): string {
  const input = `${b64u(headerText)}.${b64u(payloadText)}`;
  const sig = cryptoSign('sha256', Buffer.from(input), {
    key: k.objects.ec256.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${sig.toString('base64url')}`;
}

let server: TestServer;
let hostileJwks: unknown;
beforeAll(async () => {
  server = await startServer((_req, res) => json(res, 200, hostileJwks));
});
afterAll(() => server.close());

const hostileToken = () =>
  sign(
    {
      sub: HOSTILE,
      aud: HOSTILE,
      exp: FIXED_S + 60,
      [`${HOSTILE}password`]: 'x',
      nested: { [HOSTILE]: HOSTILE },
    },
    { kid: HOSTILE },
  );

describe('jwt decode', () => {
  it('header, payload, times and lint warnings quoting hostile text', async () => {
    const token = rawEs256(
      JSON.stringify({ alg: 'ES256', kid: HOSTILE, crit: [HOSTILE], x5u: HOSTILE }),
      JSON.stringify({ sub: HOSTILE, [HOSTILE]: 1, exp: HOSTILE, iat: FIXED_S, [`${HOSTILE}secret`]: 'x' }),
    );
    const r = await human(['jwt', 'decode', token]);
    expect(r.code).toBe(0);
    // JSON escapes the C0 controls; terminalSafe takes what JSON leaves (RLO, C1, DEL).
    expect(r.stdout).toContain('"\\u001b[2J\\u001b]0;PWNED\\u0007?evil?31m?"');
    expect(r.stderr).toMatch(/\[kid_suspicious\]/);
    expect(r.stderr).toMatch(/\[header_crit\]/);
    expect(r.stderr).toMatch(/\[sensitive_claim\]/);
    expect(r.stderr).toMatch(/"exp" is .*\[time_not_numeric\]/);
    // --json: stdout is JSON for machines (exact), stderr is for people (sanitised).
    const j = await runCli(['jwt', 'decode', token, '--json'], { overrides });
    expect(JSON.parse(j.stdout).payload.sub).toBe(HOSTILE);
    expect(unsafe(j.stderr)).toEqual([]);
  });

  it('error lines: a JWE naming a hostile alg/enc, a duplicate hostile member', async () => {
    const jwe = `${b64u({ alg: HOSTILE, enc: HOSTILE })}..aXY.Y3Q.dGFn`;
    expect((await human(['jwt', 'decode', jwe])).code).toBe(2);
    const dup = `${b64u(`{"alg":"ES256",${JSON.stringify(HOSTILE)}:1,${JSON.stringify(HOSTILE)}:2}`)}.${b64u('{}')}.c2ln`;
    const r = await human(['jwt', 'decode', dup]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/twice/);
  });
});

describe('jwt verify', () => {
  it('one token: the verdict, its warnings and a mismatch reason quoting the token', async () => {
    const token = await hostileToken();
    const ok = await human(['jwt', 'verify', token, '--key', k.pub.ec256]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      /^valid: ES256 signature by .*; sub "\\u001b\[2J\\u001b\]0;PWNED\\u0007\?evil\?31m\?"/,
    );
    const bad = await human(['jwt', 'verify', token, '--key', k.pub.ec256, '--aud', 'api']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^invalid: aud is /);
  });

  it('a batch on stdin: every line and warning', async () => {
    const token = await hostileToken();
    const r = await human(['jwt', 'verify', '--key', k.pub.ec256], {
      stdin: `${token}\n${rawEs256('{"alg":"ES256"}', `{"exp":${FIXED_S + 60},${JSON.stringify(HOSTILE)}:1,${JSON.stringify(HOSTILE)}:2}`)}\n`,
    });
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('a JWKS file whose kid and "use" are hostile: the skipped-key warning and the no-usable-key error', async () => {
    const ec = k.objects.ec256.publicKey.export({ format: 'jwk' });
    const rsa = k.objects.rsa.publicKey.export({ format: 'jwk' });
    const token = await sign({ exp: FIXED_S + 60 }, { kid: HOSTILE });
    const mixed = write(
      k.dir,
      'hostile-mixed.jwks.json',
      JSON.stringify({
        keys: [
          { ...ec, kid: HOSTILE },
          { ...rsa, kid: HOSTILE, use: HOSTILE },
        ],
      }),
    );
    const r = await human(['jwt', 'verify', token, '--jwks', mixed]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/key not used: .*"use" is .*\[key_skipped\]/);
    const onlyBad = write(
      k.dir,
      'hostile-use.jwks.json',
      JSON.stringify({ keys: [{ ...ec, kid: HOSTILE, use: HOSTILE }] }),
    );
    const e = await human(['jwt', 'verify', token, '--jwks', onlyBad]);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/none of the given keys can verify a JWS \(.*"use" is /);
  });

  it('a JWKS served by a URL with hostile members', async () => {
    const ec = k.objects.ec256.publicKey.export({ format: 'jwk' });
    hostileJwks = {
      keys: [
        { ...ec, kid: HOSTILE },
        { kty: HOSTILE, kid: HOSTILE },
        { ...ec, use: HOSTILE },
      ],
    };
    const token = await sign({ sub: HOSTILE, exp: FIXED_S + 60 }, { kid: HOSTILE });
    const r = await human(['jwt', 'verify', token, '--jwks', `${server.url}/jwks`]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\[key_skipped\]/);
    hostileJwks = { keys: [{ ...ec, use: HOSTILE }] };
    expect((await human(['jwt', 'verify', token, '--jwks', `${server.url}/jwks`])).code).toBe(2);
  });
});

describe('jwt mint', () => {
  it('warnings about a re-signed payload with hostile claim names', async () => {
    const doc = JSON.stringify({
      header: { alg: 'ES256', kid: HOSTILE },
      payload: { [`${HOSTILE}password`]: 'x', exp: FIXED_S + 60 },
    });
    const r = await human(['jwt', 'mint', '--key', k.priv.ec256, '--from-json', '-'], { stdin: doc });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\[sensitive_claim\]/);
  });

  it('errors quoting a key file: hostile kids to choose from, a hostile pinned "alg"', async () => {
    const a = k.objects.ec256.privateKey.export({ format: 'jwk' });
    const b = k.objects.ed25519.privateKey.export({ format: 'jwk' });
    const two = write(
      k.dir,
      'hostile-two.jwks.json',
      JSON.stringify({
        keys: [
          { ...a, kid: HOSTILE },
          { ...b, kid: `${HOSTILE}2` },
        ],
      }),
    );
    const choose = await human(['jwt', 'mint', '--key', two]);
    expect(choose.code).toBe(2);
    expect(choose.stderr).toMatch(/choose one with --kid/);
    const missing = await human(['jwt', 'mint', '--key', two, '--kid', 'nope']);
    expect(missing.code).toBe(2);
    const pinned = write(k.dir, 'hostile-alg.jwk.json', JSON.stringify({ ...a, alg: HOSTILE, kid: HOSTILE }));
    const p = await human(['jwt', 'mint', '--key', pinned, '--alg', 'ES256']);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/pinned to "alg"/);
  });
});

describe('jwt crack', () => {
  it('a hostile alg in the error line; a hostile wordlist secret in the answer', async () => {
    const alg = await human(['jwt', 'crack', `${b64u({ alg: HOSTILE })}.${b64u({})}.c2ln`]);
    expect(alg.code).toBe(2);
    expect(alg.stderr).toMatch(/only HS256\/HS384\/HS512/);
    const secret = `${HOSTILE}-wordlist-secret`;
    const input = `${b64u({ alg: 'HS256' })}.${b64u({ sub: 'me' })}`;
    const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    const list = write(k.dir, 'hostile.wordlist', `nope\n${secret}\n`);
    const r = await human(['jwt', 'crack', token, '--wordlist', list]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^weak: the HS256 secret is /);
    expect(readFileSync(list, 'utf8')).toContain(secret);
  });
});
