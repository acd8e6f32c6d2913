import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEVERITIES, type Severity } from '../../src/lib/findings.js';
import { API_POLICIES } from '../../src/sandbox/api/index.js';
import { runBin, runCli, tempDir } from '../helpers/cli.js';
import { startApiFixture, type ApiFixture } from './api-support.js';

/**
 * The reference API judged by apikit's OWN commands, in-process (runCli), as a user would run them against the
 * sandbox: `probe ratelimit` measures the configured bucket, `probe cors` finds nothing above low on /v1 and the
 * reflected origin on /lab/cors, `audit` grades /v1 A or better and /lab/headers below C, `probe versions` sees
 * v0 deprecated and v1 live, and the lab's lying Retry-After is caught. Each command gets an API key (hence a
 * bucket) of its own, so that no probe starts from a bucket another one spent. The issuer is real
 * (oidc-provider), for the bearer-token runs.
 */

const PROBES = ['rl-key', 'cors', 'cors-other', 'cors-lab', 'audit', 'audit-lab', 'versions', 'lab-rl'];
let f: ApiFixture;
let config: { dir: string; cleanup: () => void };

beforeAll(async () => {
  f = await startApiFixture({ keys: Object.fromEntries(PROBES.map((p) => [p, ['read:posts']])) });
  config = tempDir('apikit-api-cli-');
});
afterAll(async () => {
  await f?.close();
  config?.cleanup();
});

async function apikit(argv: string[], credential: { key: string } | { token: string }) {
  const env =
    'key' in credential
      ? { APIKIT_CONFIG_DIR: config.dir, SANDBOX_KEY: f.keys[credential.key]! }
      : { APIKIT_CONFIG_DIR: config.dir, SANDBOX_TOKEN: credential.token };
  const auth = 'key' in credential ? ['--api-key-env', 'SANDBOX_KEY'] : ['--bearer-env', 'SANDBOX_TOKEN'];
  const r = await runCli([...argv, ...auth, '--json'], { env });
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`apikit ${argv.join(' ')}: exit ${r.code}, no JSON\n${r.stderr}`);
  }
  return { ...r, json };
}

interface Finding {
  id: string;
  severity: Severity;
}
const rank = (s: Severity) => SEVERITIES.indexOf(s);
const above = (findings: Finding[], s: Severity) => findings.filter((x) => rank(x.severity) > rank(s));

describe('apikit probe ratelimit', () => {
  const { capacity, refillPerSecond } = API_POLICIES.default;

  it.each(['an API key', 'a client-credentials token'] as const)(
    `with %s: a token bucket of burst ${capacity} and ${refillPerSecond}/s, headers truthful`,
    async (kind) => {
      const credential = kind === 'an API key' ? { key: 'rl-key' } : { token: await f.token('read:posts') };
      const r = await apikit(['probe', 'ratelimit', `${f.apiUrl}/v1/posts`], credential);
      expect(r.code).toBe(0);
      const report = r.json as {
        algorithm: string;
        burst: number;
        sustained_rate_per_s: number;
        confidence: string;
        mismatches: unknown[];
        findings: Finding[];
        stopped: string;
      };
      expect(report.stopped).toBe('done');
      expect(report.algorithm).toBe('token-bucket');
      expect(report.confidence).not.toBe('low');
      expect(report.burst).toBe(capacity);
      expect(report.sustained_rate_per_s).toBeGreaterThan(refillPerSecond * 0.8);
      expect(report.sustained_rate_per_s).toBeLessThan(refillPerSecond * 1.2);
      expect(report.mismatches).toEqual([]);
      expect(above(report.findings, 'info')).toEqual([]);
    },
    90_000,
  );

  it('/lab/ratelimit: the short Retry-After is caught (ratelimit.retry-after-too-short, high)', async () => {
    const r = await apikit(['probe', 'ratelimit', `${f.apiUrl}/lab/ratelimit`], { key: 'lab-rl' });
    const report = r.json as { algorithm: string; burst: number; findings: Finding[] };
    expect(report.burst).toBe(5);
    expect(report.findings).toContainEqual(
      expect.objectContaining({ id: 'ratelimit.retry-after-too-short', severity: 'high' }),
    );
  }, 120_000);
});

describe('apikit probe cors', () => {
  it.each([
    ['an allowed origin', 'http://localhost:3000', 'cors', 'exact'],
    ['both default origins', 'http://localhost:3000,http://127.0.0.1:5173', 'cors', 'exact'],
    ['an origin the API does not allow', 'https://app.example.com', 'cors-other', 'no-cors'],
  ])(
    '/v1/posts trusting %s: nothing above low',
    async (_what, origins, key, rule) => {
      const flags = origins.split(',').flatMap((o) => ['--origin', o]);
      const r = await apikit(['probe', 'cors', `${f.apiUrl}/v1/posts`, ...flags, '--fail-on', 'medium'], {
        key,
      });
      expect(r.code).toBe(0);
      const report = r.json as { findings: Finding[]; rule: { kind: string } };
      expect(above(report.findings, 'low')).toEqual([]);
      expect(report.rule.kind).toBe(rule);
    },
    60_000,
  );

  it('/lab/cors: the reflected origin with credentials (cors.origin-reflected, high), exit 1 with --fail-on high', async () => {
    const r = await apikit(
      ['probe', 'cors', `${f.apiUrl}/lab/cors`, '--origin', 'http://localhost:3000', '--fail-on', 'high'],
      { key: 'cors-lab' },
    );
    expect(r.code).toBe(1);
    const report = r.json as { findings: Finding[] };
    expect(report.findings).toContainEqual(
      expect.objectContaining({ id: 'cors.origin-reflected', severity: 'high' }),
    );
  }, 60_000);
});

describe('apikit audit', () => {
  it('/v1/posts grades A or better (with an API key and with a token), exit 0 with --fail-under A', async () => {
    for (const credential of [{ key: 'audit' }, { token: await f.token('read:posts') }]) {
      const r = await apikit(['audit', `${f.apiUrl}/v1/posts`, '--fail-under', 'A'], credential);
      expect(r.code).toBe(0);
      const report = r.json as {
        grade: string;
        score: number;
        status: number;
        findings: { points: number }[];
      };
      expect(report.status).toBe(200);
      expect(['A+', 'A']).toContain(report.grade);
      expect(report.findings.filter((x) => x.points < 0)).toEqual([]);
    }
  });

  it('the built CLI (bin/apikit.js, as installed) gives /v1/posts the same grade', async () => {
    const r = await runBin(['audit', `${f.apiUrl}/v1/posts`, '--api-key-env', 'SANDBOX_KEY', '--json'], {
      env: { APIKIT_CONFIG_DIR: config.dir, SANDBOX_KEY: f.keys.audit! },
    });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { grade: string }).grade).toBe('A+');
  });

  it('/lab/headers grades below C, exit 1 with --fail-under C', async () => {
    const r = await apikit(['audit', `${f.apiUrl}/lab/headers`, '--fail-under', 'C'], { key: 'audit-lab' });
    expect(r.code).toBe(1);
    const report = r.json as { grade: string; score: number; findings: Finding[] };
    expect(report.score).toBeLessThan(45);
    expect(['D+', 'D', 'D-', 'F']).toContain(report.grade);
    const ids = report.findings.map((x) => x.id);
    for (const id of ['audit.nosniff.missing', 'audit.csp.api-missing', 'audit.leaks.x-powered-by']) {
      expect(ids).toContain(id);
    }
  });
});

describe('apikit probe versions', () => {
  it('v0 deprecated (with a Sunset and its successor), v1 live, v-1 retired, nothing above info', async () => {
    const r = await apikit(['probe', 'versions', `${f.apiUrl}/v1/posts`, '--fail-on', 'low'], {
      key: 'versions',
    });
    expect(r.code).toBe(0);
    const report = r.json as {
      versions: {
        id: string;
        status: string;
        deprecation: { date: string } | null;
        sunset: { date: string } | null;
        successor: string | null;
      }[];
      findings: (Finding & { version: string | null })[];
    };
    const byId = Object.fromEntries(report.versions.map((v) => [v.id, v]));
    expect(byId.v1).toMatchObject({ status: 'live', deprecation: null, sunset: null });
    expect(byId.v0).toMatchObject({ status: 'live', successor: `${f.apiUrl}/v1/posts` });
    expect(Date.parse(byId.v0!.deprecation!.date)).toBeLessThan(Date.now());
    expect(Date.parse(byId.v0!.sunset!.date)).toBeGreaterThan(Date.now());
    expect(report.findings).toContainEqual(
      expect.objectContaining({ id: 'versions.deprecated', severity: 'info', version: 'v0' }),
    );
    expect(above(report.findings, 'info')).toEqual([]);
    // v-1 is never guessed (the planner's neighbours start at v0): the probe tries it because v0's
    // predecessor-version link names it, and finds it gone for good (410).
    expect(byId['v-1']).toMatchObject({ status: 'retired', http_status: 410 });
  }, 60_000);
});
