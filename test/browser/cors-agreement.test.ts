import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CANDIDATE_CLASSES,
  type CandidateClass,
  type CandidateResult,
  type CorsExchange,
  type CorsReport,
  type Readability,
} from '../../src/lib/cors/types.js';
import { closeAll, CORS_FIXTURES, startCorsFixtures, type CorsFixture } from '../fixtures/cors/index.js';
import { OriginBrowser, requireChromium, type CorsAttempt } from '../helpers/chromium.js';
import { runCorsProbe } from '../probes/cors-run.js';

/**
 * Chromium is the judge of apikit's "readable by this origin" verdicts. For every CORS fixture
 * (test/fixtures/cors) and every candidate origin `probeCors` generates for it, a page served from exactly that
 * origin (test/helpers/chromium.ts) makes the four requests a real attacker's page would — a simple fetch, a
 * credentialed one, the preflighted one (GET with Authorization, Content-Type: application/json, X-API-Key, with
 * credentials), a credentialed DELETE with Authorization — and every field of apikit's
 * `candidates[i].readable` must equal what the browser allowed: readable = the fetch resolved and its body was
 * read; `state_changing_sent` = the fixture's own log shows the DELETE from that origin.
 *
 * An origin no Chromium page can have (upper case, a trailing slash, a host the URL parser refuses or
 * re-encodes) is "n/a": no browser sends it, so there is nothing to compare. The matrix (fixture × candidate
 * class) and every disagreement are printed and written to test-artifacts/ (gitignored).
 */

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');
const METHOD = 'GET';
/** Pages open at once; each fetches every fixture in parallel (2 cores, shared with other test runs). */
const PAGES_AT_ONCE = 4;

type Field = keyof Readability;
const FIELDS: readonly Field[] = ['simple', 'credentialed', 'preflighted', 'state_changing_sent'];

interface Row {
  fixture: CorsFixture;
  candidate: CandidateResult;
  /** Null when no page can have the origin (`reason` says why). */
  browser: Readability | null;
  reason: string | null;
  disagree: Field[];
  console: string[];
}

function probe(fixture: CorsFixture): Promise<CorsReport> {
  return runCorsProbe({
    url: fixture.url,
    method: METHOD,
    trusted: fixture.trusted,
    requestHeaders: [],
    headers: {},
    maxRequests: 500,
    durationMs: 30_000,
    timeoutMs: 5_000,
  });
}

/** `fn` over `items`, at most `limit` at a time, results in order. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

interface OriginRun {
  origin: string;
  refused: string | null;
  /** Per fixture (same index), null when this origin is not one of that fixture's candidates. */
  attempts: (CorsAttempt | null)[];
  console: string[][];
}

const gate = requireChromium();

describe.skipIf(gate.skip)(
  `Chromium agrees with apikit on every fixture × candidate${gate.skip ? ` (skipped: ${gate.reason})` : ''}`,
  () => {
    let fixtures: CorsFixture[] = [];
    let reports: CorsReport[] = [];
    const rows = new Map<string, Row[]>();
    /** Requests each fixture logged during the browser phase, with an Origin nobody opened a page for. */
    const strayOrigins: string[] = [];

    beforeAll(async () => {
      fixtures = await startCorsFixtures();
      let browser: OriginBrowser | undefined;
      try {
        [browser, reports] = await Promise.all([OriginBrowser.launch(), Promise.all(fixtures.map(probe))]);
        // The probe is done; from here on, everything a fixture logs is the browser's.
        const marks = fixtures.map((f) => f.requests().length);
        const origins = [...new Set(reports.flatMap((r) => r.candidates.map((c) => c.origin)))];
        const runs = await pool(origins, PAGES_AT_ONCE, async (origin): Promise<OriginRun> => {
          const opened = await browser!.open(origin);
          if (!opened.ok) return { origin, refused: opened.reason, attempts: [], console: [] };
          try {
            const attempts = await Promise.all(
              fixtures.map((f, i) =>
                reports[i]!.candidates.some((c) => c.origin === origin)
                  ? opened.page.attempt(f.url, METHOD)
                  : null,
              ),
            );
            return {
              origin,
              refused: null,
              attempts,
              console: fixtures.map((f) => opened.page.console(f.url)),
            };
          } finally {
            await opened.page.close();
          }
        });
        const byOrigin = new Map(runs.map((r) => [r.origin, r]));
        const opened = new Set(runs.filter((r) => r.refused === null).map((r) => r.origin));
        fixtures.forEach((fixture, i) => {
          const logged = fixture.requests().slice(marks[i]);
          for (const l of logged) {
            if (l.origin === null || !opened.has(l.origin))
              strayOrigins.push(`${fixture.name}: ${l.method} ${l.origin}`);
          }
          rows.set(
            fixture.name,
            reports[i]!.candidates.map((candidate) => {
              const run = byOrigin.get(candidate.origin)!;
              const attempt = run.attempts[i] ?? null;
              if (run.refused !== null || attempt === null) {
                return { fixture, candidate, browser: null, reason: run.refused, disagree: [], console: [] };
              }
              const browserSays: Readability = {
                simple: attempt.simple.readable,
                credentialed: attempt.credentialed.readable,
                preflighted: attempt.preflighted.readable,
                state_changing_sent: logged.some(
                  (l) => l.method === 'DELETE' && l.origin === candidate.origin,
                ),
              };
              return {
                fixture,
                candidate,
                browser: browserSays,
                reason: null,
                disagree: FIELDS.filter((f) => browserSays[f] !== candidate.readable[f]),
                console: run.console[i] ?? [],
              };
            }),
          );
        });
      } finally {
        await browser?.close();
      }
      writeArtifacts([...rows.values()].flat());
    }, 120_000);

    afterAll(async () => {
      await closeAll(fixtures);
    });

    it('probed every candidate of every fixture (nothing cut off by the budget)', () => {
      expect(reports).toHaveLength(CORS_FIXTURES.length);
      for (const r of reports) {
        expect(r.stopped, r.url).toBe('done');
        expect(r.not_tested ?? [], r.url).toEqual([]);
      }
    });

    it.each(CORS_FIXTURES)('%s: every field of every candidate agrees', (name) => {
      const fixtureRows = rows.get(name) ?? [];
      expect(fixtureRows.length).toBeGreaterThan(0);
      const disagreements = fixtureRows.filter((r) => r.disagree.length > 0).map(describeDisagreement);
      expect(disagreements, disagreements.join('\n\n')).toEqual([]);
    });

    it('compared what matters: trusted origins always, both outcomes of each field, no n/a for a browser origin', () => {
      const all = [...rows.values()].flat();
      const compared = all.filter((r) => r.browser !== null);
      for (const field of FIELDS) {
        const seen = new Set(compared.map((r) => r.browser![field]));
        expect([...seen].sort(), `Chromium's ${field} outcomes`).toEqual([false, true]);
      }
      expect(all.filter((r) => r.candidate.class === 'trusted' && r.browser === null)).toEqual([]);
      // apikit calls these "not a browser origin": Chromium must agree that no page has them.
      const notBrowser = all.filter((r) => r.candidate.attacker === 'not-a-browser-origin');
      expect(notBrowser.length).toBeGreaterThan(0);
      expect(notBrowser.filter((r) => r.browser !== null).map((r) => r.candidate.origin)).toEqual([]);
    });

    it.each([
      // What the existing scanners conclude: an echoed ACAO (or `*`) means "readable with cookies".
      ['an echoed ACAO means a credentialed read', 'credentialed', (c: CandidateResult) => c.allowed],
      // A probe that never sends the preflight: what a credentialed GET can read, a preflighted one can too.
      ['no preflight is needed', 'preflighted', (c: CandidateResult) => c.readable.credentialed],
    ] as const)('would catch a judge that assumes %s', (_what, field, naive) => {
      const compared = [...rows.values()].flat().filter((r) => r.browser !== null);
      const caught = compared.filter((r) => naive(r.candidate) !== r.browser![field]);
      expect(caught.length, `${field}: a broken judge must disagree with Chromium somewhere`).toBeGreaterThan(
        0,
      );
    });

    it('sent exactly the page origins: every request the fixtures logged carries one of them', () => {
      expect(strayOrigins).toEqual([]);
      for (const r of [...rows.values()].flat().filter((x) => x.browser !== null)) {
        expect(
          r.fixture.requests().some((l) => l.origin === r.candidate.origin),
          `${r.fixture.name} never saw Origin ${r.candidate.origin}`,
        ).toBe(true);
      }
    });
  },
);

function describeDisagreement(r: Row): string {
  const fields = r.disagree.map((f) => `${f}: Chromium ${r.browser![f]}, apikit ${r.candidate.readable[f]}`);
  return [
    `${r.fixture.name} (${r.fixture.config}) — Origin ${r.candidate.origin} [${r.candidate.class}]`,
    ...fields.map((f) => `  ${f}`),
    ...exchanges(r.candidate).map((e) => `  ${e}`),
    ...r.console.map((c) => `  chromium: ${c}`),
  ].join('\n');
}

function exchanges(c: CandidateResult): string[] {
  const one = (e: CorsExchange | null): string => {
    if (e === null) return 'none';
    const h = Object.entries(e.headers)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(' ');
    const what = e.kind === 'preflight' ? `OPTIONS (ACRM ${e.request_method})` : e.method;
    return `${what} → ${e.status ?? e.error} ${h}`;
  };
  return [...c.preflights.map(one), one(c.actual)];
}

function cell(rows: readonly Row[]): string {
  if (rows.length === 0) return '';
  const agree = rows.filter((r) => r.browser !== null && r.disagree.length === 0).length;
  const disagree = rows.filter((r) => r.disagree.length > 0).length;
  const na = rows.filter((r) => r.browser === null).length;
  return [disagree ? `${disagree}✗` : '', agree ? `${agree}✓` : '', na ? `${na} n/a` : '']
    .filter(Boolean)
    .join(' ');
}

function writeArtifacts(all: readonly Row[]): void {
  const classes = CANDIDATE_CLASSES.filter((c) => all.some((r) => r.candidate.class === c));
  const fixtureNames = [...new Set(all.map((r) => r.fixture.name))];
  const of = (name: string | null, cls: CandidateClass | null) =>
    all.filter(
      (r) => (name === null || r.fixture.name === name) && (cls === null || r.candidate.class === cls),
    );
  const table = [
    `| fixture | ${classes.join(' | ')} | all |`,
    `| --- | ${classes.map(() => '---').join(' | ')} | --- |`,
    ...fixtureNames.map(
      (n) => `| ${n} | ${classes.map((c) => cell(of(n, c))).join(' | ')} | ${cell(of(n, null))} |`,
    ),
    `| **all** | ${classes.map((c) => cell(of(null, c))).join(' | ')} | ${cell(all)} |`,
  ];
  const refused = new Map(all.filter((r) => r.browser === null).map((r) => [r.candidate.origin, r]));
  const compared = all.filter((r) => r.browser !== null);
  const counts = FIELDS.map((f) => `${f} ${compared.filter((r) => r.browser![f]).length}/${compared.length}`);
  const disagreements = all.filter((r) => r.disagree.length > 0);
  const md = [
    '# CORS: Chromium vs apikit, fixture × candidate class',
    '',
    `Chromium (${'/usr/bin/chromium'}, headless, via playwright-core) loaded a page served from each candidate ` +
      'origin and made a simple fetch, a credentialed fetch, the preflighted fetch (GET + Authorization, ' +
      'Content-Type: application/json, X-API-Key, credentials) and a credentialed DELETE; each cell counts the ' +
      "candidates of that class where all four of Chromium's outcomes equal apikit's `readable` (✓), where one " +
      'differs (✗), and origins no Chromium page can have (n/a).',
    '',
    ...table,
    '',
    `Compared: ${compared.length} fixture × candidate pairs; agreeing: ${compared.length - disagreements.length}. ` +
      `Chromium allowed: ${counts.join(', ')}.`,
    '',
    '## Not a browser origin (n/a)',
    '',
    ...[...refused.values()].map((r) => `- \`${r.candidate.origin}\` (${r.candidate.class}): ${r.reason}`),
    '',
    '## Disagreements',
    '',
    ...(disagreements.length === 0
      ? ['None.']
      : disagreements.map((r) => `\`\`\`\n${describeDisagreement(r)}\n\`\`\``)),
    '',
  ].join('\n');
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, 'cors-agreement.md'), md);
  console.log(`\n${md}\n(written to test-artifacts/cors-agreement.md)`);
}
