/**
 * The sandbox's reference API: a small posts API built the way `apikit audit`, `probe cors`, `probe ratelimit`
 * and `probe versions` say an API should be, plus /lab/ endpoints broken on purpose. The lead's
 * src/sandbox/index.ts starts it with startServer and hands it the issuer, the keys and the limiter.
 */
export { createApiHandler } from './handler.js';
export { API_POLICIES } from './policies.js';
export { DEFAULT_CORS_ORIGINS } from './cors.js';
export type { ApiKeyRecord, ApiOptions } from './types.js';
