import type { HttpClient } from '../http/client.js';
import { generateCandidates } from '../lib/cors/candidates.js';
import { corsFindings } from '../lib/cors/findings.js';
import { allowOriginMatches, judgeReadability } from '../lib/cors/judge.js';
import { summarizePreflight } from '../lib/cors/preflight-summary.js';
import { reconstructRule } from '../lib/cors/rule.js';
import type { Candidate, CandidateResult, CorsExchange, CorsFinding, CorsReport } from '../lib/cors/types.js';
import { sortFindings } from '../lib/findings.js';
import type { Clock } from '../lib/time/clock.js';
import { createBudget, type Sleep } from './budget.js';
import { CorsSender, STATE_CHANGING_METHOD } from './cors/sender.js';

/**
 * `apikit probe cors`: for every candidate origin (src/lib/cors/candidates.ts) the requests a browser would make
 * for a page at that origin — the preflight for the method under test, the preflight for a state-changing DELETE,
 * and the actual request with `Origin` — then the pure judging over what came back: what a page at each origin
 * could read (judge.ts, the Fetch standard's CORS check), the allow-list rule that explains it (rule.ts) and the
 * findings (findings.ts). Every class runs: a first finding does not end the probe, and there is no gate request
 * that skips a server because the trusted origin got no CORS headers.
 *
 * Never a real state-changing request the user did not choose: the DELETE is only ever asked about in a preflight;
 * the actual request uses the method under test. Bounded by the budget (src/probes/budget.ts): a candidate is
 * started only when all of its requests fit, so the candidates it cannot afford are reported as not tested rather
 * than judged on half the evidence. It never throws for what the server did: a transport failure, the deadline or
 * Ctrl-C end the run and the report says so (`stopped`, `error`) with every candidate finished until then.
 */
export interface CorsProbeOptions {
  url: string;
  /** The method under test (default GET). */
  method: string;
  /** --origin values, else the URL's own origin. */
  trusted: string[];
  /** --request-header names, added to Access-Control-Request-Headers. */
  requestHeaders: string[];
  /** -H lines and the auth header, resolved by the command layer. */
  headers: Record<string, string>;
  maxRequests: number;
  durationMs: number;
  /** Per request. */
  timeoutMs: number;
  /**
   * Header names in `headers` that carry a credential and so stay off the preflights (a browser sends no
   * credentials with a preflight), besides those the redactor knows (Authorization, Cookie, X-API-Key, …): the
   * command passes a custom --api-key-header here.
   */
  credentialHeaders?: string[];
}

export interface CorsProbeDeps {
  /** Built by the command with the same maxRequests and timeout, concurrency 1, no redirects. */
  client: HttpClient;
  clock: Clock;
  /** Ctrl-C: stops at once; the partial report comes back with stopped 'interrupted'. */
  signal?: AbortSignal;
  sleep?: Sleep;
  /** One line per candidate class, for a terminal. */
  onProgress?: (line: string) => void;
}

/** What the probe will send, known before the first request (the command prints it as the budget). */
export interface CorsPlan {
  candidates: Candidate[];
  /** 3, or 2 when the method under test is itself the state-changing DELETE (one preflight serves both). */
  perCandidate: number;
  /** Every candidate's requests. */
  needed: number;
}

export function corsPlan(trusted: readonly string[], method: string): CorsPlan {
  const candidates = generateCandidates(trusted);
  const perCandidate = method === STATE_CHANGING_METHOD ? 2 : 3;
  return { candidates, perCandidate, needed: candidates.length * perCandidate };
}

export async function probeCors(options: CorsProbeOptions, deps: CorsProbeDeps): Promise<CorsReport> {
  const startMs = deps.clock.now();
  const plan = corsPlan(options.trusted, options.method);
  const budget = createBudget(
    { maxRequests: options.maxRequests, deadlineMs: startMs + options.durationMs },
    { client: deps.client, clock: deps.clock, signal: deps.signal, sleep: deps.sleep },
  );
  const sender = new CorsSender(options, budget);
  const progress = (line: string): void => {
    try {
      deps.onProgress?.(line);
    } catch {
      // Progress is decoration: a failing sink must not end the probe.
    }
  };

  const results: CandidateResult[] = [];
  const notTested: Candidate[] = [];
  let lastClass: string | undefined;
  for (const candidate of plan.candidates) {
    if (sender.stopped === undefined && budget.remaining < plan.perCandidate) budget.stop('budget');
    if (sender.stopped !== undefined) {
      notTested.push(candidate);
      continue;
    }
    if (candidate.class !== lastClass) {
      lastClass = candidate.class;
      const count = plan.candidates.filter((c) => c.class === candidate.class).length;
      progress(`${candidate.class}: ${count} origin${count === 1 ? '' : 's'}`);
    }
    const exchanges = await sender.candidate(candidate.origin);
    if (exchanges === null) {
      // Cut off half-way (a failure, the deadline, Ctrl-C): judged on half the evidence it would look refused.
      notTested.push(candidate);
      continue;
    }
    results.push(judged(candidate, exchanges));
  }
  budget.stop('done');

  const rule = reconstructRule(options.trusted, results);
  const preflight = summarizePreflight(results);
  const findings = sortFindings(
    corsFindings({
      url: options.url,
      method: options.method,
      trusted: options.trusted,
      results,
      rule,
      preflight,
    }),
  ) as CorsFinding[];
  const stopped = sender.stopped ?? 'done';
  const report: CorsReport = {
    url: options.url,
    method: options.method,
    trusted_origins: [...options.trusted],
    rule,
    findings,
    preflight,
    candidates: results,
    not_tested: notTested,
    requests_sent: budget.sent,
    duration_ms: Math.max(0, deps.clock.now() - startMs),
    budget: { max_requests: options.maxRequests, duration_ms: options.durationMs },
    stopped,
    error: sender.error,
  };
  progress(
    `${stopped === 'done' ? 'done' : `stopped (${stopped})`}: ${results.length} of ${plan.candidates.length} ` +
      `candidates tested in ${report.requests_sent} requests, ${findings.length} finding${findings.length === 1 ? '' : 's'}`,
  );
  return report;
}

function judged(
  candidate: Candidate,
  ex: { preflight: CorsExchange; stateChanging: CorsExchange | null; actual: CorsExchange },
): CandidateResult {
  const readable = judgeReadability(candidate.origin, {
    actual: ex.actual,
    preflight: ex.preflight,
    // Method under test DELETE: its one preflight is the state-changing one.
    stateChanging: ex.stateChanging ?? ex.preflight,
  });
  return {
    ...candidate,
    preflights: ex.stateChanging === null ? [ex.preflight] : [ex.preflight, ex.stateChanging],
    actual: ex.actual,
    allowed: allowOriginMatches(candidate.origin, ex.actual.headers),
    credentials: ex.actual.headers.acac === 'true',
    readable,
  };
}
