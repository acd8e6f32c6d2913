import type { Clock } from '../../lib/time/clock.js';
import type { RateLimiter } from '../limiter/index.js';

/** One API key as the API stores it: never the key, only its SHA-256 (`hashApiKey`, src/lib/apikey.ts). */
export interface ApiKeyRecord {
  /** Names the key in logs and rate-limit buckets (`sandbox-key-1`); not secret. */
  id: string;
  /** `sha256:<hex>` of the key. */
  hash: string;
  scopes: string[];
}

export interface ApiOptions {
  /** Its own origin, `http://127.0.0.1:PORT` (no trailing slash): also the resource indicator and the `aud`. */
  apiUrl: string;
  /** The `iss` every access token must carry (the issuer's discovery `issuer`, exactly). */
  issuer: string;
  /** The issuer's JWKS; fetched (and re-fetched for an unknown `kid`) by jose's createRemoteJWKSet. */
  jwksUri: string;
  apiKeys: readonly ApiKeyRecord[];
  /** The token buckets (src/sandbox/limiter: memory, or redis shared by several processes). */
  limiter: RateLimiter;
  /** Origins whose pages may call the API with credentials, compared exactly. */
  corsOrigins: readonly string[];
  clock: Clock;
  /** Told about anything unexpected (a bug, the limiter or the JWKS failing); the client gets a 5xx problem. */
  onError?: (err: unknown) => void;
}

/** Who is calling, once a credential has been verified. */
export interface Identity {
  via: 'bearer' | 'api-key';
  /** The rate-limit bucket's key: `key:<id>` for an API key, `sub:<sub>` for a token. */
  bucket: string;
  /** The API key's id, or the token's `sub` (for client credentials the client id). */
  subject: string;
  clientId: string | null;
  scopes: string[];
  /** The token's `exp` (epoch seconds); null for an API key. */
  expiresAt: number | null;
}
