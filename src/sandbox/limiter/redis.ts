import type { Clock } from '../../lib/time/clock.js';
import { describeCause, hasCode, NetworkError, UsageError } from '../../errors.js';
import { checkPolicy, closedError, decision, TOKEN_EPSILON } from './bucket.js';
import type { BucketDecision, BucketPolicy, RateLimiter } from './types.js';

/** Bucket keys: `apikit:sandbox:bucket:<policy>:<key>` (a policy name has no colon, so keys cannot collide). */
export const REDIS_KEY_PREFIX = 'apikit:sandbox:bucket:';

/** Bounds, so that a wrong URL fails in seconds and a Redis gone away fails requests instead of queueing them. */
const CONNECT_TIMEOUT_MS = 3000;
const COMMAND_TIMEOUT_MS = 2000;
/** After a connection that worked drops: this many reconnect attempts (backing off to 2 s), then give up. */
const RECONNECT_ATTEMPTS = 5;

/**
 * One token-bucket step, atomic (a script runs alone on the server), the same arithmetic as bucket.ts in the
 * same order. KEYS[1] the bucket; ARGV capacity, refill per second. Returns {allowed (0|1), tokens left}.
 * - The time is the server's (`TIME`), not the caller's: every sandbox process sharing this Redis then agrees
 *   on it, whatever their clocks say. Redis 5+ replicates a script's effects, so TIME before a write is allowed.
 * - Tokens and the instant are stored and returned as `%.17g` text: Redis turns a Lua number in a reply into
 *   an integer (dropping the fraction that matters here), and Lua's own tostring keeps only 14 digits.
 * - The key expires once the bucket would be full again (plus a second): a full bucket and no bucket are the
 *   same thing, so idle clients leave nothing behind.
 */
export const TOKEN_BUCKET_SCRIPT = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'last')
local tokens = tonumber(state[1])
local last = tonumber(state[2])
if tokens == nil or last == nil then
  tokens = capacity
else
  tokens = math.min(capacity, tokens + math.max(0, now - last) * rate / 1000)
end
local allowed = 0
if tokens >= 1 - ${TOKEN_EPSILON} then
  tokens = tokens - 1
  allowed = 1
end
local left = string.format('%.17g', tokens)
redis.call('HSET', KEYS[1], 'tokens', left, 'last', string.format('%.17g', now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) * 1000 / rate) + 1000)
return { allowed, left }
`;

/** The URL as it may be shown: its password (if any) replaced. A URL that is not redis:// is a usage error. */
export function redisUrlForDisplay(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError('the Redis URL is not a URL (expected redis://host:port)', 'ERR_SANDBOX_REDIS_URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new UsageError(
      `the Redis URL must start with redis:// or rediss:// (got ${parsed.protocol}//)`,
      'ERR_SANDBOX_REDIS_URL',
    );
  }
  if (parsed.password !== '') parsed.password = '***';
  return parsed.href;
}

/**
 * The token bucket in a Redis that several sandbox API processes share, so that together they enforce one
 * limit. `redis` is loaded here, on first use, so no other command pays for it. Resolves once connected (within
 * a few seconds) or rejects with a NetworkError naming the URL, its password hidden.
 *
 * `_clock` is not read: the bucket's time is Redis's own (see TOKEN_BUCKET_SCRIPT), the one clock all the
 * processes share. It is taken so both limiters are built the same way.
 */
export async function redisLimiter(url: string, _clock: Clock): Promise<RateLimiter> {
  const shown = redisUrlForDisplay(url);
  // The driver's messages do not quote the URL, but nothing of the password may reach one, in either spelling.
  const encoded = new URL(url).password;
  const secrets = [...new Set([encoded, safeDecode(encoded)])].filter((p) => p.length >= 4);
  const scrub = (text: string): string => secrets.reduce((t, p) => t.split(p).join('***'), text);
  const { createClient } = await import('redis');

  let connected = false;
  const client = createClient({
    url,
    // Commands fail at once while disconnected, and each is bounded: a request waits seconds at most.
    disableOfflineQueue: true,
    commandOptions: { timeout: COMMAND_TIMEOUT_MS },
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Before the first connection: no retry, the failure is the answer. After: a few, then give up.
      reconnectStrategy: (retries, cause) => {
        if (!connected) return cause;
        if (retries < RECONNECT_ATTEMPTS) return Math.min(100 * 2 ** retries, 2000);
        return new NetworkError(`Redis at ${shown}: ${scrub(describeCause(cause))}`, 'ERR_SANDBOX_REDIS', {
          cause,
        });
      },
    },
  });
  // Without a listener an 'error' event would throw; failures reach the caller through the rejected command.
  client.on('error', () => {});

  let sha: string;
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${(2 * CONNECT_TIMEOUT_MS) / 1000} s`)),
        2 * CONNECT_TIMEOUT_MS,
      );
    });
    // A TCP peer that is not Redis may accept and never answer: the PING and the deadline catch it.
    // SCRIPT LOAD also proves the server runs scripts before the first request depends on it.
    const ready = client
      .connect()
      .then(() => client.ping())
      .then(() => client.scriptLoad(TOKEN_BUCKET_SCRIPT));
    ready.catch(() => {}); // after the deadline won, its late rejection has no one to tell
    sha = await Promise.race([ready, deadline]);
  } catch (err) {
    discard(client);
    throw new NetworkError(
      `cannot connect to Redis at ${shown}: ${scrub(describeCause(err))}`,
      'ERR_SANDBOX_REDIS_CONNECT',
      { hint: 'is redis-server running there? try: redis-cli -u <url> ping', cause: err },
    );
  } finally {
    clearTimeout(timer);
  }
  connected = true;

  let closing: Promise<void> | undefined;

  async function run(key: string, capacity: string, rate: string): Promise<unknown> {
    const options = { keys: [key], arguments: [capacity, rate] };
    try {
      return await client.evalSha(sha, options);
    } catch (err) {
      // The script cache is empty after SCRIPT FLUSH or a server restart: EVAL sends it (and caches it) again.
      if (!/NOSCRIPT/.test(describeCause(err))) throw err;
      return await client.eval(TOKEN_BUCKET_SCRIPT, options);
    }
  }

  async function take(key: string, policy: BucketPolicy): Promise<BucketDecision> {
    if (closing !== undefined) throw closedError('redis');
    checkPolicy(policy);
    let reply: unknown;
    try {
      reply = await run(
        `${REDIS_KEY_PREFIX}${policy.name}:${key}`,
        String(policy.capacity),
        String(policy.refillPerSecond),
      );
    } catch (err) {
      if (hasCode(err, 'ERR_SANDBOX_REDIS')) throw err;
      throw new NetworkError(`Redis at ${shown}: ${scrub(describeCause(err))}`, 'ERR_SANDBOX_REDIS', {
        cause: err,
      });
    }
    const [allowed, left] = Array.isArray(reply) ? (reply as unknown[]) : [];
    const tokens = typeof left === 'string' ? Number(left) : NaN;
    if ((allowed !== 0 && allowed !== 1) || !Number.isFinite(tokens)) {
      throw new NetworkError(`Redis at ${shown}: unexpected script reply`, 'ERR_SANDBOX_REDIS');
    }
    return decision(policy, allowed === 1, tokens);
  }

  return {
    kind: 'redis',
    take,
    close: () =>
      (closing ??= client.close().catch(() => {
        // Already given up (the server went away): nothing is pending, so drop the socket.
        discard(client);
      })),
  };
}

/** Drops a client's socket; one that is closed already (it gave up reconnecting) throws, which is fine here. */
function discard(client: { destroy(): void }): void {
  try {
    client.destroy();
  } catch {
    // closed already
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
