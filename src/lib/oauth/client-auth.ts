import { randomUUID, type KeyObject } from 'node:crypto';
import { UsageError } from '../../errors.js';
import { algorithmsForKey, type JwsAlgorithm } from '../keys/algorithms.js';
import { terminalSafe } from '../text/terminal-safe.js';

/**
 * OAuth client authentication at the token endpoint: the Authorization header or body parameters for
 * client_secret_basic / client_secret_post (RFC 6749 §2.3.1) and the JWT assertions of private_key_jwt /
 * client_secret_jwt (RFC 7523 §2.2, OIDC Core §9). Pure: credentials in, request parts out — no I/O.
 * Exactly one method goes into a request; servers reject a request that carries two (RFC 6749 §2.3).
 */

/**
 * THE client authentication method type: the `token_endpoint_auth_method` values of RFC 7591 §2 that apikit
 * knows. A login profile's public client (PKCE, no secret) is 'none'; a saved client-credentials profile holds
 * one of the others.
 */
export type ClientAuthMethod =
  'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'client_secret_jwt';

/** The methods with which a confidential client proves itself: every method but 'none'. */
export type ConfidentialAuthMethod = Exclude<ClientAuthMethod, 'none'>;

export const CONFIDENTIAL_AUTH_METHODS: readonly ConfidentialAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
  'client_secret_jwt',
];

export function isConfidentialAuthMethod(value: string): value is ConfidentialAuthMethod {
  return (CONFIDENTIAL_AUTH_METHODS as readonly string[]).includes(value);
}

/** RFC 7523 §2.2. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Lifetime of a client assertion. RFC 7523 §3 asks for a short one; we stay well under 5 minutes. */
export const ASSERTION_LIFETIME_SECONDS = 60;

/** What the client authenticates with. */
export type ClientCredential =
  | { kind: 'secret'; secret: string }
  | { kind: 'private-key'; key: KeyObject; kid: string | undefined; alg: string | undefined };

/**
 * The private_key_jwt credential in a key file's bytes (PEM or JWK): exactly one private key, and the kid the
 * server finds it by. `path` names the file in messages. Pure: the caller reads the file.
 */
export async function privateKeyCredential(
  bytes: Uint8Array,
  path: string,
  companion?: { name: string; data: Uint8Array },
): Promise<ClientCredential> {
  // Loaded on first use, like jose below: `apikit token` shares this module's command group and must start fast.
  const [{ adoptCompanionKids, loadKeys, publicJwk }, { thumbprint }] = await Promise.all([
    import('../keys/load.js'),
    import('../keys/thumbprint.js'),
  ]);
  const loadedSet = loadKeys(bytes, path);
  // A PEM's kid is the one its companion JWKS (PREFIX.jwks.json, the file registered with the server) gives it.
  const set = companion === undefined ? loadedSet : adoptCompanionKids(loadedSet, companion);
  const privateKeys = set.keys.filter((k) => k.kind === 'private');
  if (privateKeys.length !== 1) {
    throw new UsageError(
      privateKeys.length === 0
        ? `--private-key "${path}" holds no private key (${set.keys[0]?.kind ?? 'no'} key)`
        : `--private-key "${path}" holds ${privateKeys.length} private keys; give a file with exactly one`,
      'ERR_CLIENT_KEY_NOT_PRIVATE',
      { hint: 'private_key_jwt signs with the private key (e.g. NAME.key.pem from apikit keys generate)' },
    );
  }
  const loaded = privateKeys[0]!;
  // The kid tells the server which of the client's registered keys to verify with. A PEM without a companion
  // kid: the RFC 7638 thumbprint, the kid `apikit keys generate` puts in the JWKS it writes when not given --kid.
  const kid = loaded.kid ?? (await thumbprint(publicJwk(loaded))).thumbprint;
  return { kind: 'private-key', key: loaded.key, kid, alg: loaded.alg };
}

export interface ClientAuthRequestParts {
  headers: Record<string, string>;
  params: Record<string, string>;
}

/**
 * application/x-www-form-urlencoded encoding of one value (RFC 6749 Appendix B), as the WHATWG URL standard
 * serialises forms: UTF-8, percent-encoded, space as "+".
 */
export function formUrlEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/**
 * RFC 6749 §2.3.1: the client id and secret are each form-urlencoded BEFORE they are joined with ":" and
 * Base64-encoded, so that a ":" inside the id or secret cannot move the split point and "%" or non-ASCII
 * characters survive the server's decoding.
 */
export function basicAuthorization(clientId: string, secret: string): string {
  const pair = `${formUrlEncode(clientId)}:${formUrlEncode(secret)}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}

/**
 * The default method for a credential: client_secret_basic for a secret (RFC 6749 §2.3.1: servers MUST support
 * it), private_key_jwt for a private key. When the server advertises `token_endpoint_auth_methods_supported`
 * (RFC 8414 §2) the default is the first of the preferred methods it lists, and an explicit choice it does not
 * list is refused before any secret is sent. An omitted list is treated as unknown rather than as "basic only"
 * (many servers omit it), so nothing is refused on its account.
 */
export function chooseAuthMethod(
  credential: ClientCredential['kind'],
  explicit: ConfidentialAuthMethod | undefined,
  supported: readonly string[] | undefined,
): ConfidentialAuthMethod {
  if (explicit) {
    requireMethodFits(credential, explicit);
    if (supported && !supported.includes(explicit)) {
      throw unsupportedMethod(explicit, supported);
    }
    return explicit;
  }
  const preferred: ConfidentialAuthMethod[] =
    credential === 'private-key'
      ? ['private_key_jwt']
      : ['client_secret_basic', 'client_secret_post', 'client_secret_jwt'];
  if (!supported) return preferred[0]!;
  const pick = preferred.find((m) => supported.includes(m));
  if (!pick) throw unsupportedMethod(preferred[0]!, supported);
  return pick;
}

/**
 * An explicit method must fit the credential: private_key_jwt signs with the key, the other methods use the
 * secret. Known without asking the server, so a command checks it before any request (or cache lookup).
 */
export function requireMethodFits(
  credential: ClientCredential['kind'],
  method: ConfidentialAuthMethod | undefined,
): void {
  if (method === undefined) return;
  const needs = method === 'private_key_jwt' ? 'private-key' : 'secret';
  if (needs !== credential) {
    throw new UsageError(
      method === 'private_key_jwt'
        ? '--auth-method private_key_jwt needs --private-key FILE'
        : `--auth-method ${method} needs a client secret, not --private-key`,
      'ERR_CLIENT_AUTH_CREDENTIAL',
      {
        hint: 'give --client-secret-env VAR, --client-secret-file FILE or --client-secret-stdin for a secret',
      },
    );
  }
}

/** The server's list, as it may be shown on a terminal (it is the server's text). */
function serverList(values: readonly string[]): string {
  return terminalSafe(values.join(', '));
}

function unsupportedMethod(method: string, supported: readonly string[]): UsageError {
  return new UsageError(
    `the token endpoint does not support ${method} (it supports: ${serverList(supported) || 'none'})`,
    'ERR_CLIENT_AUTH_UNSUPPORTED',
    {
      hint:
        supported.length > 0
          ? `pick one of those with --auth-method and the matching credential (secret or --private-key)`
          : 'this server advertises no client authentication methods',
    },
  );
}

/**
 * The JWS algorithm for a private_key_jwt assertion, derived from the key (RFC 8725 §3.1), honouring the key's
 * own `alg` member and, when given, the server's `token_endpoint_auth_signing_alg_values_supported`.
 */
export function assertionAlgorithm(
  key: KeyObject,
  keyAlg: string | undefined,
  supported: readonly string[] | undefined,
): JwsAlgorithm {
  const possible = algorithmsForKey(key);
  if (possible.length === 0) {
    throw new UsageError(
      'the private key cannot sign JWTs (RSA under 2048 bits or an unsupported curve)',
      'ERR_CLIENT_AUTH_KEY',
      {
        hint: 'apikit keys generate --alg ES256 --out client',
      },
    );
  }
  const candidates = keyAlg ? possible.filter((a) => a === keyAlg) : possible;
  if (candidates.length === 0) {
    throw new UsageError(
      `the private key says alg "${terminalSafe(String(keyAlg), 40)}", which does not fit the key`,
      'ERR_CLIENT_AUTH_KEY',
    );
  }
  if (!supported) return candidates[0]!;
  const pick = candidates.find((a) => supported.includes(a));
  if (!pick) {
    throw new UsageError(
      `the token endpoint accepts assertions signed with ${serverList(supported)}, but this key signs ${candidates.join(', ')}`,
      'ERR_CLIENT_AUTH_ALG_UNSUPPORTED',
      { hint: 'make a key the server accepts, e.g. apikit keys generate --alg ES256 --out client' },
    );
  }
  return pick;
}

export interface AssertionInput {
  clientId: string;
  /** RFC 7523 §3 / the 2025 audience-confusion fix: the issuer identifier as a single string. */
  audience: string;
  /** Epoch milliseconds. */
  now: number;
  /** A fresh unique id per assertion (RFC 7523 §3: jti prevents replay). */
  jti?: string;
}

export interface AssertionClaims {
  iss: string;
  sub: string;
  aud: string;
  jti: string;
  iat: number;
  exp: number;
}

export function assertionClaims(input: AssertionInput): AssertionClaims {
  const iat = Math.floor(input.now / 1000);
  return {
    iss: input.clientId,
    sub: input.clientId,
    aud: input.audience,
    jti: input.jti ?? randomUUID(),
    iat,
    exp: iat + ASSERTION_LIFETIME_SECONDS,
  };
}

async function signAssertion(
  claims: AssertionClaims,
  key: KeyObject | Uint8Array,
  header: { alg: string; kid?: string | undefined },
): Promise<string> {
  const protectedHeader: { alg: string; typ: string; kid?: string } = { alg: header.alg, typ: 'JWT' };
  if (header.kid) protectedHeader.kid = header.kid;
  // Loaded on first use: `apikit token` shares this module's command group and must start fast.
  const { SignJWT } = await import('jose/jwt/sign');
  return new SignJWT({ ...claims }).setProtectedHeader(protectedHeader).sign(key);
}

export interface ClientAuthInput {
  method: ConfidentialAuthMethod;
  clientId: string;
  credential: ClientCredential;
  /** Audience of JWT assertions. */
  audience: string;
  /** Epoch milliseconds, for assertion iat/exp. */
  now: number;
  /** The server's token_endpoint_auth_signing_alg_values_supported, if advertised. */
  signingAlgs?: readonly string[] | undefined;
  jti?: string;
}

/** The headers and body parameters that authenticate the client with `method` — and nothing else. */
export async function clientAuthParts(input: ClientAuthInput): Promise<ClientAuthRequestParts> {
  const { method, clientId, credential } = input;
  if (method === 'private_key_jwt') {
    if (credential.kind !== 'private-key')
      throw new UsageError('private_key_jwt needs --private-key FILE', 'ERR_CLIENT_AUTH_CREDENTIAL');
    const alg = assertionAlgorithm(credential.key, credential.alg, input.signingAlgs);
    const assertion = await signAssertion(assertionClaims(input), credential.key, {
      alg,
      kid: credential.kid,
    });
    return { headers: {}, params: jwtParams(clientId, assertion) };
  }
  if (credential.kind !== 'secret') {
    throw new UsageError(`${method} needs a client secret, not a private key`, 'ERR_CLIENT_AUTH_CREDENTIAL');
  }
  switch (method) {
    case 'client_secret_basic':
      // RFC 6749 §2.3.1: the credentials go in the header only; the body carries no client_id or secret.
      return { headers: { authorization: basicAuthorization(clientId, credential.secret) }, params: {} };
    case 'client_secret_post':
      return { headers: {}, params: { client_id: clientId, client_secret: credential.secret } };
    case 'client_secret_jwt': {
      // OIDC Core §9: HMAC with the client secret's UTF-8 octets as the key.
      if (input.signingAlgs && !input.signingAlgs.includes('HS256')) {
        throw new UsageError(
          `the token endpoint accepts assertions signed with ${serverList(input.signingAlgs)}, not HS256`,
          'ERR_CLIENT_AUTH_ALG_UNSUPPORTED',
        );
      }
      const key = new TextEncoder().encode(credential.secret);
      const assertion = await signAssertion(assertionClaims(input), key, { alg: 'HS256' });
      return { headers: {}, params: jwtParams(clientId, assertion) };
    }
  }
}

function jwtParams(clientId: string, assertion: string): Record<string, string> {
  // client_id is optional with an assertion (RFC 7521 §4.2) but lets the server find the client before parsing.
  return {
    client_id: clientId,
    client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
    client_assertion: assertion,
  };
}
