/**
 * The public types of the library API (`import … from 'apikit'`). They are declared here, in plain JSON-shaped
 * terms, rather than re-exported from src/lib/: the shipped .d.ts files must stand alone (no jose, no internal
 * paths), and a change inside src/lib/ must not silently change what library users compile against.
 * test/library/type-parity.test.ts keeps each one equal to the internal type it mirrors.
 */

/** The JWS algorithms apikit signs and verifies with (RFC 7518 §3, RFC 8037). `none` is never one of them. */
export type JwsAlgorithm =
  | 'HS256'
  | 'HS384'
  | 'HS512'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA';

/** A JSON object: a JOSE header, a claims set, a JWK. */
export type JsonObject = Record<string, unknown>;

/** A JSON Web Key (RFC 7517 §4). */
export interface Jwk {
  kty: string;
  kid?: string;
  alg?: string;
  use?: string;
  [member: string]: unknown;
}

/** A JWK Set (RFC 7517 §5). */
export interface JwkSet {
  keys: Jwk[];
}

/**
 * A key as a file would hold it: PEM text (PKCS#8, encrypted PKCS#8, PKCS#1, SEC1, SPKI, X.509 certificate), JWK
 * or JWKS JSON text, the raw bytes of such a file, or a parsed JWK / JWKS object. The format is sniffed from the
 * content, exactly as `apikit --key FILE` reads it. Text that is none of these is read as a raw HMAC secret (one
 * line of at least 16 characters); to pass an HMAC secret on purpose, use the `secret` option instead.
 */
export type KeyInput = string | Uint8Array | Jwk | JwkSet;

/** A point in time: epoch milliseconds or a Date. */
export type Instant = number | Date;

/** A lint finding about a token or a key set-up, with a stable id (README: "jwt decode" warnings). */
export interface JwtWarning {
  id: string;
  message: string;
}

/** The wall clock, for anything that depends on the time (`exp`, `nbf`, token lifetimes). */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/**
 * The errors the library throws, for bad input (a key that cannot be read, an unknown algorithm), a network
 * failure or a refused request. Switch on `code` (`ERR_<AREA>_<CONDITION>`, the same codes the CLI reports);
 * `exitCode` is what the CLI would exit with. A bad *token* is not an error: verification returns a verdict.
 */
export interface ApikitErrorInfo extends Error {
  readonly code: string;
  /** 2 bad input, 3 network, 4 authentication, 70 a bug, 130 interrupted. */
  readonly exitCode: number;
  /** The next step, when there is one ("give the passphrase with …"). */
  readonly hint: string | undefined;
}

/**
 * The `fetch` a library caller may inject: the global `fetch` fits, and so does any function with this shape (a
 * test double, a fetch with a proxy agent). apikit always passes `redirect: 'manual'` (it never follows redirects
 * to a token endpoint) and an AbortSignal for the timeout.
 */
export type FetchLike = (
  url: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body?: string;
    redirect: 'manual';
    signal: AbortSignal;
  },
) => Promise<FetchResponseLike>;

/** What apikit reads of a fetch Response. */
export interface FetchResponseLike {
  status: number;
  headers: { forEach(callback: (value: string, name: string) => void): void };
  arrayBuffer(): Promise<ArrayBuffer>;
}
