export type { BucketDecision, BucketPolicy, FixedWindowDecision, RateLimiter } from './types.js';
export { DEFAULT_MAX_KEYS } from './types.js';
export { memoryLimiter, type MemoryLimiterOptions } from './memory.js';
export { redisLimiter } from './redis.js';
export { policyWindowSeconds, rateLimitHeaders } from './headers.js';
export { fixedWindowLimiter, type FixedWindowLimiter, type FixedWindowOptions } from './fixed-window.js';
