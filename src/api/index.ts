/**
 * apikit as a library: `import { verifyJwt, … } from 'apikit'`. Each function is a thin wrapper over the code the
 * CLI's commands run (src/lib/, src/oauth/), with plain options and JSON-shaped results; none does I/O beyond what
 * its options inject (`fetch`, a clock). This file only wires; README "Library API" has examples.
 */
export { decodeJwt, type DecodeJwtOptions, type DecodedJwt, type TimeClaim } from './decode.js';
export {
  createJwtVerifier,
  verifyJwt,
  type JwtVerdict,
  type JwtVerifier,
  type VerdictCode,
  type VerifyJwtOptions,
} from './verify.js';
export { mintJwt, type ClaimTime, type MintedJwt, type MintJwtOptions } from './mint.js';
export {
  buildJwks,
  convertKey,
  generateKey,
  inspectKey,
  type BuiltJwks,
  type CertificateReport,
  type ConvertedKey,
  type ConvertKeyOptions,
  type GeneratedKeyPair,
  type GeneratedSecret,
  type GenerateKeyOptions,
  type InspectedKeys,
  type InspectKeyOptions,
  type KeyFormat,
  type KeyReport,
} from './keys.js';
export {
  clientCredentialsToken,
  type ClientAuthMethod,
  type ClientCredentialsOptions,
  type ClientCredentialsResult,
} from './client-credentials.js';
export {
  parseRateLimitHeaders,
  type AdvertisedPolicy,
  type AdvertisedState,
  type HeaderProblem,
  type HeaderScheme,
  type HeadersInput,
  type ParsedRateLimit,
  type ResetForm,
} from './ratelimit.js';
export { isApikitError } from './errors.js';
export type {
  ApikitErrorInfo,
  Clock,
  FetchLike,
  FetchResponseLike,
  Instant,
  JsonObject,
  Jwk,
  JwkSet,
  JwsAlgorithm,
  JwtWarning,
  KeyInput,
} from './types.js';
