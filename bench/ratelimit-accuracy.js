// Accuracy of `apikit probe ratelimit`: probeRateLimit (src/probes/ratelimit.ts) run the way the command runs it
// (test/probes/ratelimit-run.ts: default budget, 150 requests, 60 s, one in flight) against each real limiter of test/fixtures/ratelimit/,
// `runs` times on a fresh key each, scored against the limiter's configured truth. Per limiter: the relative
// error of burst, rate and window (median and worst), whether limited + algorithm were right, requests (as the
// probe counted them and as the server saw them) and seconds spent. The goal (issue 10): error <= 10 % with at
// most 2 × burst + 20 requests. nginx and redis-server rows are skipped, with the reason, when the binary is
// missing.
import { performance } from 'node:perf_hooks';

export const ERROR_GOAL = 0.1;

/** Each entry starts one server and names the fixtures it serves. */
const LIMITERS = [
  {
    gate: 'requireNginx',
    async start(f) {
      const n = await f.startNginxLimiters();
      return {
        fixtures: [
          ['nginx limit_req burst nodelay', n.nodelay],
          ['nginx limit_req no burst', n.noburst],
          ['nginx limit_req queue (no nodelay)', n.queue],
          ['nginx limit_req nodelay, status 503', n.status503],
        ],
        close: () => n.close(),
      };
    },
  },
  { gate: 'requireRedisServer', one: ['redis Lua token bucket', (f) => f.startRedisTokenBucket()] },
  {
    one: ['express-rate-limit draft-8', (f) => f.startExpressRateLimit({ standardHeaders: 'draft-8' })],
  },
  {
    one: ['express-rate-limit draft-7', (f) => f.startExpressRateLimit({ standardHeaders: 'draft-7' })],
  },
  {
    one: ['express-rate-limit draft-6', (f) => f.startExpressRateLimit({ standardHeaders: 'draft-6' })],
  },
  {
    one: [
      'express-rate-limit legacy X-RateLimit',
      (f) => f.startExpressRateLimit({ standardHeaders: false, legacyHeaders: true }),
    ],
  },
  { one: ['sliding-window log', (f) => f.startSlidingLog()] },
  { one: ['unlimited', (f) => f.startUnlimited()] },
];

/** The names of every row the bench reports, in order (for skipped groups too). */
const NGINX_NAMES = [
  'nginx limit_req burst nodelay',
  'nginx limit_req no burst',
  'nginx limit_req queue (no nodelay)',
  'nginx limit_req nodelay, status 503',
];
const namesOf = (l) => (l.one ? [l.one[0]] : NGINX_NAMES);

async function startGroup(l, fixtures) {
  if (l.one) {
    const fixture = await l.one[1](fixtures);
    return { fixtures: [[l.one[0], fixture]], close: () => fixture.close() };
  }
  return l.start(fixtures);
}

/** Why a group cannot run here, or null. The fixtures' own gates (they throw under CI=true: a skip here too). */
function gateReason(l, fixtures) {
  if (!l.gate) return null;
  try {
    const g = fixtures[l.gate]();
    return g.skip ? g.reason : null;
  } catch (err) {
    return err.message;
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, d = 3) => (x === null || !Number.isFinite(x) ? x : Number(x.toFixed(d)));

/**
 * The relative error of one estimate: null when the truth has no value and none was estimated; Infinity when one
 * side has a value and the other has not (nothing measured, or a window reported for a bucket).
 */
function relError(got, want) {
  if (want === null) return got === null ? null : Infinity;
  if (got === null) return Infinity;
  return Math.abs(got - want) / want;
}

function summarise(errors) {
  const xs = errors.filter((e) => e !== null);
  if (xs.length === 0) return null;
  return { median: round(median(xs)), worst: round(Math.max(...xs)) };
}

async function probeOnce(m, url) {
  const t0 = performance.now();
  const report = await m.runProbe(url, {}, {}, 'apikit-bench');
  return { report, wallMs: performance.now() - t0 };
}

/** Scores `runs` probes of one fixture against its truth → one row. */
async function benchFixture(m, name, fixture, runs) {
  const truth = fixture.truth;
  const cap = truth.burst === null ? null : 2 * truth.burst + 20;
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const url = fixture.freshUrl();
    let sample;
    try {
      const { report, wallMs } = await probeOnce(m, url);
      await fixture.settle();
      sample = {
        limited: report.limited,
        algorithm: report.algorithm,
        confidence: report.confidence,
        burst: report.burst,
        rate_per_s: report.sustained_rate_per_s,
        window_s: report.window_s,
        requests: report.requests_sent,
        serverRequests: fixture.arrivals(url).length,
        seconds: round(report.duration_ms / 1000, 2),
        wallSeconds: round(wallMs / 1000, 2),
        stopped: report.stopped,
        error: report.error?.message ?? null,
      };
    } catch (err) {
      sample = { thrown: String(err?.stack ?? err) };
    }
    samples.push(sample);
  }
  const ok = samples.filter((s) => !s.thrown);
  const algorithmRight = ok.filter(
    (s) => s.limited === truth.limited && s.algorithm === truth.algorithm,
  ).length;
  const burstErr = summarise(ok.map((s) => relError(s.burst, truth.burst)));
  const rateErr = summarise(ok.map((s) => relError(s.rate_per_s, truth.rate_per_s)));
  const windowErr = summarise(ok.map((s) => relError(s.window_s, truth.window_s)));
  const maxRequests = ok.length ? Math.max(...ok.map((s) => Math.max(s.requests, s.serverRequests))) : null;
  const withinCap = cap === null || maxRequests === null ? null : maxRequests <= cap;
  const errorsMet = [burstErr, rateErr, windowErr].every((e) => e === null || e.worst <= ERROR_GOAL);
  return {
    name,
    runs,
    truth: {
      limited: truth.limited,
      algorithm: truth.algorithm,
      burst: truth.burst,
      rate_per_s: truth.rate_per_s,
      window_s: truth.window_s,
    },
    algorithmRight,
    burstErr,
    rateErr,
    windowErr,
    requests: {
      median: median(ok.map((s) => s.requests)),
      max: maxRequests,
      cap,
      withinCap,
    },
    seconds: ok.length
      ? {
          median: round(median(ok.map((s) => s.seconds)), 2),
          max: round(Math.max(...ok.map((s) => s.seconds)), 2),
        }
      : null,
    met: ok.length === runs && algorithmRight === runs && errorsMet && withinCap !== false,
    samples,
  };
}

/**
 * `modules`: runProbe (test/probes/ratelimit-run.ts) and `fixtures` (the test/fixtures/ratelimit index). → rows (see benchFixture), skipped ones as { name, skipped: reason }.
 */
export async function benchRateLimitAccuracy(modules, { runs = 3, only } = {}) {
  const rows = [];
  for (const l of LIMITERS) {
    const names = namesOf(l);
    if (only && !names.some((n) => only.test(n))) continue;
    const reason = gateReason(l, modules.fixtures);
    if (reason) {
      for (const name of names) rows.push({ name, skipped: reason });
      continue;
    }
    let group;
    try {
      group = await startGroup(l, modules.fixtures);
    } catch (err) {
      for (const name of names) rows.push({ name, skipped: `could not start: ${err.message}` });
      continue;
    }
    try {
      for (const [name, fixture] of group.fixtures) {
        if (only && !only.test(name)) continue;
        rows.push(await benchFixture(modules, name, fixture, runs));
      }
    } finally {
      await group.close();
    }
  }
  return rows;
}

/** The row names, for a report that has to say every limiter was skipped (no engine yet). */
export function limiterNames() {
  return LIMITERS.flatMap(namesOf);
}
