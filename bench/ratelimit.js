// The rate-limit benchmark of `npm run bench` (issue 10): the accuracy of `apikit probe ratelimit` against the
// real test limiters (bench/ratelimit-accuracy.js) and the request engine's throughput as a ratio to autocannon
// measured in the same run (bench/ratelimit-throughput.js). The TypeScript under test is bundled at bench time
// (bench/ts-bundle.js). The machine's load average is recorded next to each part: on a shared 2-core machine a
// figure taken under load is a figure to rerun.
//   node bench/ratelimit.js [--json] [--accuracy-only | --throughput-only]
//   BENCH_RUNS (default 25) scales both parts: accuracy probes per limiter = BENCH_RUNS / 8 (3), throughput
//   rounds = BENCH_RUNS / 5 (5); BENCH_RATELIMIT_RUNS, BENCH_RATELIMIT_ROUNDS, BENCH_RATELIMIT_REQUESTS (5000 per
//   case and round) and BENCH_RATELIMIT_ONLY (a regular expression over limiter names) override.
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { bundleTs } from './ts-bundle.js';
import { benchEngineThroughput } from './ratelimit-throughput.js';
import { benchRateLimitAccuracy, ERROR_GOAL, limiterNames } from './ratelimit-accuracy.js';

const env = process.env;
const RUNS = Number(env.BENCH_RUNS ?? 25);

/** esbuild's first error as `file:line: text` (its message only says how many there were). */
function buildError(err) {
  const e = err.errors?.[0];
  return e ? `${e.location?.file ?? '?'}:${e.location?.line ?? '?'}: ${e.text}` : err.message.split('\n')[0];
}

const load = () => Number(loadavg()[0].toFixed(2));

async function withLoad(fn) {
  const before = load();
  const result = await fn();
  return { load: { before, after: load(), cores: availableParallelism() }, ...result };
}

async function throughputPart() {
  let bundle;
  try {
    bundle = await bundleTs({
      client: 'src/http/client.ts',
      budget: 'src/probes/budget.ts',
      redact: 'src/io/redact.ts',
    });
  } catch (err) {
    return { skipped: `could not bundle the client or the budget: ${buildError(err)}`, rows: [] };
  }
  try {
    const { client, budget, redact } = bundle.urls;
    const modules = { ...(await import(client)), ...(await import(budget)), ...(await import(redact)) };
    const rows = await benchEngineThroughput(modules, {
      rounds: Number(env.BENCH_RATELIMIT_ROUNDS ?? Math.max(3, Math.round(RUNS / 5))),
      requests: Number(env.BENCH_RATELIMIT_REQUESTS ?? 5000),
    });
    return { rows };
  } finally {
    bundle.dispose();
  }
}

async function accuracyPart() {
  const skipAll = (reason) => ({ rows: limiterNames().map((name) => ({ name, skipped: reason })) });
  let bundle;
  try {
    bundle = await bundleTs({
      probe: 'test/probes/ratelimit-run.ts',
      fixtures: 'test/fixtures/ratelimit/index.ts',
    });
  } catch (err) {
    // Other people's files may be half-written while the bench runs: say so instead of failing the whole bench.
    return skipAll(`could not bundle the probe or the fixtures: ${buildError(err)}`);
  }
  try {
    const { probe, fixtures } = bundle.urls;
    if (!probe) return skipAll('test/probes/ratelimit-run.ts does not exist yet');
    if (!fixtures) return skipAll('test/fixtures/ratelimit/index.ts does not exist yet');
    const modules = { ...(await import(probe)), fixtures: await import(fixtures) };
    const rows = await benchRateLimitAccuracy(modules, {
      runs: Number(env.BENCH_RATELIMIT_RUNS ?? Math.max(1, Math.round(RUNS / 8))),
      only: env.BENCH_RATELIMIT_ONLY ? new RegExp(env.BENCH_RATELIMIT_ONLY, 'i') : undefined,
    });
    return { rows };
  } finally {
    bundle.dispose();
  }
}

/** → { accuracy: { load, rows }, throughput: { load, rows } } (a part left out is null). */
export async function benchRateLimit({ accuracy = true, throughput = true } = {}) {
  return {
    // throughput first: it needs nothing but the client, and its figures suffer least from a long run before it
    throughput: throughput ? await withLoad(throughputPart) : null,
    accuracy: accuracy ? await withLoad(accuracyPart) : null,
  };
}

const pct = (e) => {
  if (e === null) return '–';
  const f = (x) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'missed');
  return `${f(e.median)} / ${f(e.worst)}`;
};

function truthText(t) {
  if (!t.limited) return 'none';
  const parts = [t.algorithm];
  if (t.burst !== null) parts.push(`b${t.burst}`);
  if (t.rate_per_s !== null) parts.push(`${round2(t.rate_per_s)}/s`);
  if (t.window_s !== null) parts.push(`w${t.window_s}s`);
  return parts.join(' ');
}
const round2 = (x) => Number(x.toFixed(2));

function algorithmText(r) {
  const wrong = r.samples
    .filter((s) => !s.thrown && (s.algorithm !== r.truth.algorithm || s.limited !== r.truth.limited))
    .map((s) => s.algorithm);
  const thrown = r.samples.filter((s) => s.thrown).length;
  let text = `${r.algorithmRight}/${r.runs}`;
  if (wrong.length) text += ` (got ${[...new Set(wrong)].join(', ')})`;
  if (thrown) text += ` (${thrown} threw)`;
  return text;
}

// Colours only on a terminal (cli-table3 colours its heads and borders by default).
const style = () => (process.stdout.isTTY ? {} : { style: { head: [], border: [] } });
const loadText = (l) => `load average ${l.before} → ${l.after} on ${l.cores} cores`;

export function renderRateLimit(result) {
  const out = [];
  if (result.throughput?.skipped) out.push(`probe engine throughput skipped: ${result.throughput.skipped}`);
  else if (result.throughput) {
    const t = new Table({
      ...style(),
      head: [
        'probe engine throughput',
        'C',
        'requests × rounds',
        'median req/s',
        'CPU µs/req',
        '× autocannon',
        'target',
        'met',
      ],
    });
    for (const r of result.throughput.rows) {
      t.push([
        r.name,
        r.concurrency,
        `${r.requests} × ${r.rounds}`,
        r.medianReqPerSec,
        r.cpuUsPerRequest,
        r.ratio.toFixed(3),
        r.target === null ? '' : `>= ${r.target}`,
        r.target === null ? '' : r.ratio >= r.target ? 'yes' : 'NO',
      ]);
    }
    out.push(
      t.toString(),
      `  (${loadText(result.throughput.load)}; errors: ${sumErrors(result.throughput.rows)})`,
    );
  }
  if (result.accuracy) {
    const a = new Table({
      ...style(),
      head: [
        'rate-limit accuracy',
        'runs',
        'truth',
        'algorithm',
        'burst err',
        'rate err',
        'window err',
        'requests',
        '<= 2b+20',
        'seconds',
        'goal',
      ],
    });
    for (const r of result.accuracy.rows) {
      if (r.skipped) {
        a.push([r.name, { colSpan: 10, content: `skipped: ${r.skipped}` }]);
        continue;
      }
      const q = r.requests;
      a.push([
        r.name,
        r.runs,
        truthText(r.truth),
        algorithmText(r),
        pct(r.burstErr),
        pct(r.rateErr),
        pct(r.windowErr),
        q.max === null ? '–' : `${q.median} / ${q.max}`,
        q.withinCap === null ? '' : `${q.withinCap ? 'yes' : 'NO'} (${q.cap})`,
        r.seconds ? `${r.seconds.median} / ${r.seconds.max}` : '–',
        r.met ? 'yes' : 'NO',
      ]);
    }
    out.push(
      a.toString(),
      `  (errors: median / worst of the relative error vs the limiter's truth, goal <= ${ERROR_GOAL * 100}%; ` +
        `requests and seconds: median / max; ${loadText(result.accuracy.load)})`,
    );
  }
  return out.join('\n');
}

const sumErrors = (rows) => rows.reduce((n, r) => n + r.errors, 0);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await benchRateLimit({
    accuracy: !process.argv.includes('--throughput-only'),
    throughput: !process.argv.includes('--accuracy-only'),
  });
  console.log(process.argv.includes('--json') ? JSON.stringify(result, null, 2) : renderRateLimit(result));
}
