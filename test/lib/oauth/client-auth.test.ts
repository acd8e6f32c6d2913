import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  ASSERTION_LIFETIME_SECONDS,
  assertionAlgorithm,
  basicAuthorization,
  chooseAuthMethod,
  clientAuthParts,
  formUrlEncode,
  JWT_BEARER_ASSERTION_TYPE,
  type ConfidentialAuthMethod,
} from '../../../src/lib/oauth/client-auth.js';
import { requireBinary } from '../../helpers/cli.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const ISSUER = 'https://as.example.com';

function python(script: string, input: string): string {
  return execFileSync('/usr/bin/python3', ['-c', script], { input, encoding: 'utf8' }).trim();
}

const pyjwt = requireBinary('python3-jwt', () => {
  try {
    python('import jwt', '');
    return true;
  } catch {
    return false;
  }
});

describe('basicAuthorization (RFC 6749 §2.3.1)', () => {
  it.each([
    ['plain', 'client', 'secret'],
    ['colon and percent in the secret', 'svc', 'a:b%c'],
    ['colon in the client id', 'urn:svc:1', 'p@ss'],
    ['space, plus and non-ASCII', 'cl ient', 'pä ss+wörd/€=&'],
  ])('%s: form-urlencodes each part before Base64', (_name, id, secret) => {
    const header = basicAuthorization(id, secret);
    expect(header).toMatch(/^Basic [A-Za-z0-9+/]+=*$/);
    const pair = Buffer.from(header.slice(6), 'base64').toString('utf8');
    // Exactly one raw ":" — the separator — whatever the id and secret contain.
    expect(pair.split(':')).toHaveLength(2);
    expect(pair).toBe(`${formUrlEncode(id)}:${formUrlEncode(secret)}`);
  });

  it('encodes exactly as RFC 6749 Appendix B says (space as +, UTF-8 percent-encoding)', () => {
    const pair = Buffer.from(basicAuthorization('a b', 'x:y%zé+').slice(6), 'base64').toString('utf8');
    expect(pair).toBe('a+b:x%3Ay%25z%C3%A9%2B');
  });

  it.skipIf(pyjwt.skip)(
    'an independent decoder (Python urllib.parse.unquote_plus) recovers id and secret',
    () => {
      const id = 'urn:svc:1';
      const secret = 'pä ss:+%25wörd/€=&';
      const header = basicAuthorization(id, secret);
      const out = python(
        'import sys,base64,json,urllib.parse as u\n' +
          'v=base64.b64decode(sys.stdin.read().split(" ")[1]).decode()\n' +
          'i,s=v.split(":",1)\n' +
          'print(json.dumps([u.unquote_plus(i),u.unquote_plus(s)]))',
        header,
      );
      expect(JSON.parse(out)).toEqual([id, secret]);
    },
  );
});

describe('chooseAuthMethod', () => {
  const all = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'client_secret_jwt'];
  it.each<
    [string, 'secret' | 'private-key', ConfidentialAuthMethod | undefined, string[] | undefined, string]
  >([
    ['secret, no metadata → basic', 'secret', undefined, undefined, 'client_secret_basic'],
    ['key, no metadata → private_key_jwt', 'private-key', undefined, undefined, 'private_key_jwt'],
    ['secret, server lists all → basic', 'secret', undefined, all, 'client_secret_basic'],
    [
      'secret, server lists post only → post',
      'secret',
      undefined,
      ['client_secret_post', 'private_key_jwt'],
      'client_secret_post',
    ],
    [
      'secret, server lists jwt only → client_secret_jwt',
      'secret',
      undefined,
      ['client_secret_jwt'],
      'client_secret_jwt',
    ],
    ['explicit post with metadata', 'secret', 'client_secret_post', all, 'client_secret_post'],
    [
      'explicit client_secret_jwt without metadata',
      'secret',
      'client_secret_jwt',
      undefined,
      'client_secret_jwt',
    ],
  ])('%s', (_name, kind, explicit, supported, want) => {
    expect(chooseAuthMethod(kind, explicit, supported)).toBe(want);
  });

  it.each<
    [
      string,
      'secret' | 'private-key',
      ConfidentialAuthMethod | undefined,
      string[] | undefined,
      string,
      RegExp,
    ]
  >([
    [
      'explicit method the server does not list',
      'secret',
      'client_secret_post',
      ['client_secret_basic'],
      'ERR_CLIENT_AUTH_UNSUPPORTED',
      /does not support client_secret_post \(it supports: client_secret_basic\)/,
    ],
    [
      'key but server lists no private_key_jwt',
      'private-key',
      undefined,
      ['client_secret_basic'],
      'ERR_CLIENT_AUTH_UNSUPPORTED',
      /does not support private_key_jwt/,
    ],
    [
      'secret but server only takes keys',
      'secret',
      undefined,
      ['private_key_jwt'],
      'ERR_CLIENT_AUTH_UNSUPPORTED',
      /does not support client_secret_basic/,
    ],
    [
      'private_key_jwt with a secret',
      'secret',
      'private_key_jwt',
      undefined,
      'ERR_CLIENT_AUTH_CREDENTIAL',
      /needs --private-key/,
    ],
    [
      'client_secret_basic with a key',
      'private-key',
      'client_secret_basic',
      undefined,
      'ERR_CLIENT_AUTH_CREDENTIAL',
      /needs a client secret/,
    ],
  ])('refuses: %s (exit 2)', (_name, kind, explicit, supported, code, message) => {
    let caught: unknown;
    try {
      chooseAuthMethod(kind, explicit, supported);
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code, exitCode: 2 });
    expect((caught as Error).message).toMatch(message);
  });
});

describe('assertionAlgorithm: from the key, never from elsewhere', () => {
  const ec256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const ec384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const ed = generateKeyPairSync('ed25519').privateKey;
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
  it.each<[string, KeyObject, string | undefined, string[] | undefined, string]>([
    ['P-256', ec256, undefined, undefined, 'ES256'],
    ['P-384', ec384, undefined, undefined, 'ES384'],
    ['RSA', rsa, undefined, undefined, 'RS256'],
    ['RSA, server wants PS256', rsa, undefined, ['PS256', 'ES256'], 'PS256'],
    ['RSA tagged PS384', rsa, 'PS384', undefined, 'PS384'],
    ['Ed25519', ed, undefined, undefined, 'EdDSA'],
  ])('%s → %s', (_name, key, alg, supported, want) => {
    expect(assertionAlgorithm(key, alg, supported)).toBe(want);
  });
  it('refuses a key the server cannot verify, an alg that does not fit, and a weak key', () => {
    expect(() => assertionAlgorithm(ec256, undefined, ['RS256'])).toThrow(
      /accepts assertions signed with RS256, but this key signs ES256/,
    );
    expect(() => assertionAlgorithm(ec256, 'RS256', undefined)).toThrow(/alg "RS256", which does not fit/);
    expect(() => assertionAlgorithm(small, undefined, undefined)).toThrow(/cannot sign JWTs/);
  });
});

describe('clientAuthParts: exactly one method per request', () => {
  const secret = { kind: 'secret' as const, secret: 'x:y%z-secret' };

  it('client_secret_basic: only the Authorization header', async () => {
    const parts = await clientAuthParts({
      method: 'client_secret_basic',
      clientId: 'svc',
      credential: secret,
      audience: ISSUER,
      now: NOW,
    });
    expect(parts.params).toEqual({});
    expect(parts.headers).toEqual({ authorization: basicAuthorization('svc', secret.secret) });
  });

  it('client_secret_post: client_id and client_secret in the body, no header', async () => {
    const parts = await clientAuthParts({
      method: 'client_secret_post',
      clientId: 'svc',
      credential: secret,
      audience: ISSUER,
      now: NOW,
    });
    expect(parts.headers).toEqual({});
    expect(parts.params).toEqual({ client_id: 'svc', client_secret: secret.secret });
  });

  it.each([
    ['EC P-256', generateKeyPairSync('ec', { namedCurve: 'P-256' }), 'ES256'],
    ['RSA 2048', generateKeyPairSync('rsa', { modulusLength: 2048 }), 'RS256'],
    ['Ed25519', generateKeyPairSync('ed25519'), 'EdDSA'],
  ])('private_key_jwt with %s: RFC 7523 claims, kid and alg from the key', async (_name, pair, alg) => {
    const credential = { kind: 'private-key' as const, key: pair.privateKey, kid: 'kid-1', alg: undefined };
    const make = () =>
      clientAuthParts({ method: 'private_key_jwt', clientId: 'svc', credential, audience: ISSUER, now: NOW });
    const [a, b] = await Promise.all([make(), make()]);
    expect(a.headers).toEqual({});
    expect(Object.keys(a.params).sort()).toEqual(['client_assertion', 'client_assertion_type', 'client_id']);
    expect(a.params.client_assertion_type).toBe(JWT_BEARER_ASSERTION_TYPE);
    const assertion = a.params.client_assertion!;
    expect(decodeProtectedHeader(assertion)).toEqual({ alg, typ: 'JWT', kid: 'kid-1' });
    const { payload } = await jwtVerify(assertion, pair.publicKey, {
      algorithms: [alg],
      currentDate: new Date(NOW + 1000),
      issuer: 'svc',
      subject: 'svc',
      audience: ISSUER,
    });
    // A single string, not an array (the 2025 audience-confusion fix).
    expect(payload.aud).toBe(ISSUER);
    expect(payload.iat).toBe(NOW / 1000);
    expect(payload.exp! - payload.iat!).toBe(ASSERTION_LIFETIME_SECONDS);
    expect(ASSERTION_LIFETIME_SECONDS).toBeLessThanOrEqual(300);
    expect(typeof payload.jti).toBe('string');
    expect(payload.jti!.length).toBeGreaterThanOrEqual(16);
    // Unique per assertion.
    const other = JSON.parse(Buffer.from(b.params.client_assertion!.split('.')[1]!, 'base64url').toString());
    expect(other.jti).not.toBe(payload.jti);
  });

  it('private_key_jwt honours an audience override and the server signing algorithms', async () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const parts = await clientAuthParts({
      method: 'private_key_jwt',
      clientId: 'svc',
      credential: { kind: 'private-key', key: pair.privateKey, kid: undefined, alg: undefined },
      audience: 'https://as.example.com/oauth/token',
      now: NOW,
      signingAlgs: ['PS256'],
    });
    const assertion = parts.params.client_assertion!;
    expect(decodeProtectedHeader(assertion)).toEqual({ alg: 'PS256', typ: 'JWT' });
    const { payload } = await jwtVerify(assertion, pair.publicKey, { currentDate: new Date(NOW) });
    expect(payload.aud).toBe('https://as.example.com/oauth/token');
  });

  it('client_secret_jwt: HS256 keyed with the secret', async () => {
    const parts = await clientAuthParts({
      method: 'client_secret_jwt',
      clientId: 'svc',
      credential: secret,
      audience: ISSUER,
      now: NOW,
    });
    expect(parts.headers).toEqual({});
    expect(parts.params.client_secret).toBeUndefined();
    const assertion = parts.params.client_assertion!;
    expect(decodeProtectedHeader(assertion).alg).toBe('HS256');
    const { payload } = await jwtVerify(assertion, new TextEncoder().encode(secret.secret), {
      currentDate: new Date(NOW),
      issuer: 'svc',
      subject: 'svc',
      audience: ISSUER,
    });
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(300);
    await expect(
      clientAuthParts({
        method: 'client_secret_jwt',
        clientId: 'svc',
        credential: secret,
        audience: ISSUER,
        now: NOW,
        signingAlgs: ['RS256'],
      }),
    ).rejects.toMatchObject({ code: 'ERR_CLIENT_AUTH_ALG_UNSUPPORTED' });
  });

  it.skipIf(pyjwt.skip)('PyJWT verifies the private_key_jwt and client_secret_jwt assertions', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const now = Date.now();
    const pk = await clientAuthParts({
      method: 'private_key_jwt',
      clientId: 'svc',
      credential: { kind: 'private-key', key: pair.privateKey, kid: 'k1', alg: undefined },
      audience: ISSUER,
      now,
    });
    const hs = await clientAuthParts({
      method: 'client_secret_jwt',
      clientId: 'svc',
      credential: secret,
      audience: ISSUER,
      now,
    });
    const script =
      'import sys,json,jwt\n' +
      'd=json.loads(sys.stdin.read())\n' +
      'a=jwt.decode(d["pk"],d["pub"],algorithms=["ES256"],audience=d["aud"],issuer="svc")\n' +
      'b=jwt.decode(d["hs"],d["secret"],algorithms=["HS256"],audience=d["aud"],issuer="svc")\n' +
      'print(json.dumps([a["sub"],b["sub"],a["aud"],b["aud"]]))';
    const out = python(
      script,
      JSON.stringify({
        pk: pk.params.client_assertion,
        hs: hs.params.client_assertion,
        pub: pair.publicKey.export({ type: 'spki', format: 'pem' }),
        secret: secret.secret,
        aud: ISSUER,
      }),
    );
    expect(JSON.parse(out)).toEqual(['svc', 'svc', ISSUER, ISSUER]);
  });

  it('refuses a credential that does not fit the method', async () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await expect(
      clientAuthParts({
        method: 'private_key_jwt',
        clientId: 'svc',
        credential: secret,
        audience: ISSUER,
        now: NOW,
      }),
    ).rejects.toMatchObject({ code: 'ERR_CLIENT_AUTH_CREDENTIAL', exitCode: 2 });
    await expect(
      clientAuthParts({
        method: 'client_secret_post',
        clientId: 'svc',
        credential: { kind: 'private-key', key, kid: undefined, alg: undefined },
        audience: ISSUER,
        now: NOW,
      }),
    ).rejects.toMatchObject({ code: 'ERR_CLIENT_AUTH_CREDENTIAL', exitCode: 2 });
  });
});
