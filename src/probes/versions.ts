import type { HttpClient } from '../http/client.js';
import { readLifecycle } from '../lib/lifecycle/index.js';
import type { Clock } from '../lib/time/clock.js';
import { namedIn, type Named } from '../lib/versions/named.js';
import { VersionPlanner } from '../lib/versions/planner.js';
import { versionsReport } from '../lib/versions/report.js';
import {
  assumedSelector,
  detectSchemes,
  primaryScheme,
  requestFor,
  statedVersions,
  type Detected,
} from '../lib/versions/scheme.js';
import type { SchemeChoice, VersionAnswer, VersionRequest, VersionsReport } from '../lib/versions/types.js';
import { createBudget, type Sleep } from './budget.js';
import { VersionSender } from './versions/sender.js';

/**
 * `apikit probe versions`: one GET of the URL given (with the user's credential), the scheme read from it and its
 * answer (src/lib/versions/scheme.ts), then — one request at a time, through the budget — the unversioned request,
 * the versions the API names itself, and the numbered neighbours (src/lib/versions/planner.ts), each answer read for
 * the versions it names in turn. Everything it concludes is pure (src/lib/versions/report.ts). It never throws for
 * what the server did: a transport failure, the deadline or Ctrl-C end the run, and the report says so with
 * everything learned until then. No redirect is followed: a 3xx is an answer (where a version went).
 */
export interface VersionsProbeOptions {
  url: string;
  scheme: SchemeChoice;
  /** --header-name. */
  headerName?: string;
  /** -H lines and the credential, resolved by the command. */
  headers: Record<string, string>;
  maxRequests: number;
  maxVersions: number;
  durationMs: number;
  /** Per request. */
  timeoutMs: number;
}

export interface VersionsProbeDeps {
  /** Built by the command with the same maxRequests and timeout, concurrency 1, no redirects. */
  client: HttpClient;
  clock: Clock;
  signal?: AbortSignal;
  sleep?: Sleep;
  onProgress?: (line: string) => void;
}

const METHOD = 'GET';

export async function probeVersions(
  options: VersionsProbeOptions,
  deps: VersionsProbeDeps,
): Promise<VersionsReport> {
  const startMs = deps.clock.now();
  const budget = createBudget(
    { maxRequests: options.maxRequests, deadlineMs: startMs + options.durationMs },
    { client: deps.client, clock: deps.clock, signal: deps.signal, sleep: deps.sleep },
  );
  const sender = new VersionSender(options, budget);
  const progress = (line: string): void => {
    try {
      deps.onProgress?.(line);
    } catch {
      // Progress is decoration.
    }
  };

  const given: VersionRequest = { url: options.url, headers: {}, drop: [], label: options.url };
  const initial = await sender.send(given);
  const detected = detectSchemes({
    url: options.url,
    requestHeaders: options.headers,
    answer: initial,
    headerName: options.headerName,
  });
  const assumed =
    primaryScheme(detected, options.scheme) === null
      ? assumedSelector(options.scheme, options.headerName)
      : null;
  if (assumed !== null) detected.push(assumed);
  const primary = primaryScheme(detected, options.scheme);
  progress(
    primary === null
      ? 'no versioning scheme found'
      : `scheme: ${detected.map((d) => d.selector.scheme + (d === primary ? ' (enumerated)' : '')).join(', ')}`,
  );

  let unversioned: { request: VersionRequest; answer: VersionAnswer | null | undefined } | null = null;
  let planner: VersionPlanner | null = null;
  if (primary !== null) {
    const versioned = givenIsVersioned(primary, options.headers);
    planner = new VersionPlanner(
      primary.selector,
      primary.current,
      options.maxVersions,
      versioned ? 'request' : 'stated',
    );
    const named = (answer: VersionAnswer | null, url: string): Named[] =>
      answer === null
        ? []
        : namedIn(answer, readLifecycle(answer.headers, url, deps.clock.now()), primary.selector);
    if (versioned && primary.current !== null) {
      planner.record(primary.current, initial, named(initial, options.url));
    } else {
      // A header or media-type API asked without its selector: the request given was the unversioned one.
      unversioned = { request: requestFor(primary.selector, options.url, null), answer: initial };
      planner.learn(named(initial, options.url));
      learnStated(planner, initial, options.headerName);
    }
    if (unversioned === null && initial !== null) {
      const request = requestFor(primary.selector, options.url, null);
      const answer = await sender.send(request);
      unversioned = { request, answer: answer ?? undefined };
      if (answer !== null) planner.learn(named(answer, request.url));
    }
    for (
      let next = planner.next();
      next !== undefined && sender.stopped === undefined;
      next = planner.next()
    ) {
      const request = requestFor(primary.selector, options.url, next.token);
      const answer = await sender.send(request);
      if (answer === null) {
        // Not answered (the budget, the deadline, Ctrl-C or a failure): stays not tested.
        break;
      }
      planner.record(next.token, answer, named(answer, request.url));
      progress(`${request.label} → ${answer.status}`);
    }
  }
  budget.stop('done');
  const stopped = sender.stopped ?? 'done';
  const report = versionsReport({
    url: options.url,
    method: METHOD,
    nowMs: deps.clock.now(),
    detected,
    primary,
    tried: planner?.all ?? [],
    unversioned,
    headerName: options.headerName,
    requestsSent: budget.sent,
    durationMs: Math.max(0, deps.clock.now() - startMs),
    budget: {
      max_requests: options.maxRequests,
      max_versions: options.maxVersions,
      duration_ms: options.durationMs,
    },
    stopped,
    error: sender.error,
  });
  progress(
    `${stopped === 'done' ? 'done' : `stopped (${stopped})`}: ${report.versions.length} versions in ` +
      `${report.requests_sent} requests, ${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}`,
  );
  return report;
}

/** Whether the request given selected a version itself (a path or query version, or the user's -H selector). */
function givenIsVersioned(primary: Detected, headers: Record<string, string>): boolean {
  const sel = primary.selector;
  if (sel.scheme === 'path' || sel.scheme === 'query') return true;
  const name = sel.scheme === 'header' ? sel.header.toLowerCase() : 'accept';
  return Object.keys(headers).some((h) => h.toLowerCase() === name);
}

/** The version an unversioned answer says it is: a version worth its own request. */
function learnStated(planner: VersionPlanner, answer: VersionAnswer | null, headerName?: string): void {
  if (answer === null) return;
  for (const s of statedVersions(answer.headers, headerName)) planner.add(s.token, 'stated');
}
