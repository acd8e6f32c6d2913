import { InterruptedError, isApikitError } from '../errors.js';
import type { HttpClient, HttpResponse } from '../http/client.js';
import { probeTls } from '../http/tls.js';
import type { AuditFacts, CorsQuickFacts, RedirectFacts, TlsFacts } from '../lib/audit/types.js';
import { BODY_SAMPLE_BYTES } from '../lib/audit/types.js';
import type { Clock } from '../lib/time/clock.js';
import { createBudget, timerSleep, type Budget, type Sleep, type StopReason } from './budget.js';
import {
  AUDIT_ORIGIN,
  auditResponse,
  credentialNames,
  preflightHeaders,
  SIDE_BODY_BYTES,
  twinUrl,
  withoutCredentials,
  withoutUserinfo,
} from './audit/requests.js';

/**
 * `apikit audit`'s facts, gathered live: the audited request (GET or -X METHOD, with the user's credential; its
 * body sampled to BODY_SAMPLE_BYTES), then — only once it was answered — one OPTIONS preflight from a foreign
 * origin without the credential, and for an https URL the http:// twin without the credential and not followed,
 * and one TLS handshake per protocol version (handshakes are not requests). At most AUDIT_MAX_REQUESTS requests,
 * within the deadline; the rules that judge the facts are pure (src/lib/audit/).
 *
 * Only the audited request can fail the run (exit 3): the preflight, the twin and the handshakes failing are facts.
 * When the audited request fails, the TLS handshakes are still made for an https URL, since they often say why
 * (an expired or untrusted certificate); that is in `partial`. Ctrl-C throws InterruptedError at once.
 */

/** The audited request, the preflight, the http twin. */
export const AUDIT_MAX_REQUESTS = 3;

export interface AuditProbeOptions {
  url: string;
  /** The audited request's method (default GET). */
  method?: string;
  /**
   * -H lines and the credential header, resolved by the command layer. The client must carry no default headers
   * of its own (the credential would then ride on the preflight and the twin too).
   */
  headers: Record<string, string>;
  /**
   * Header names in `headers` that carry a credential besides those the redactor knows (a custom
   * --api-key-header): kept off the preflight and the twin.
   */
  credentialHeaders?: string[];
  /** Whether the request is authenticated; default: whether `headers` carries a credential header. */
  authenticated?: boolean;
  /** --assume-https (a loopback http URL judged as if https; the probe then gathers no transport facts anyway). */
  assumeHttps: boolean;
  /** --http-url: the plain-http twin to ask instead of the https URL's own on port 80. */
  httpUrl?: string;
  /** Extra trusted CA certificates (PEM, --ca) for the TLS facts; the client is given the same by the command. */
  ca?: string[];
  /** Per request. */
  timeoutMs: number;
  /** Per TLS handshake (default: the smaller of timeoutMs and 10 s). */
  connectTimeoutMs?: number;
  /** Default AUDIT_MAX_REQUESTS; fewer skips the twin, then the preflight. */
  maxRequests?: number;
  /** The whole run. */
  durationMs: number;
  /** Ask neither the preflight nor the twin, nor make handshakes (a test of the audited request alone). */
  only?: 'main';
}

export interface AuditProbeDeps {
  /** Built by the command: maxRequests ≥ what the audit sends, no default headers, --ca given to it. */
  client: HttpClient;
  clock: Clock;
  /** Ctrl-C. */
  signal?: AbortSignal;
  sleep?: Sleep;
  /** One line per step, for a terminal. */
  onProgress?: (line: string) => void;
}

/** The facts other than the audited response: what is known when that request failed. */
export type PartialAuditFacts = Omit<AuditFacts, 'response'>;

export type AuditGathered =
  | {
      facts: AuditFacts;
      error: null;
      stopped: StopReason;
      /** What was not gathered and why (`TLS: not checked (time limit)`), for a warning; empty normally. */
      skipped: string[];
    }
  | {
      facts: null;
      partial: PartialAuditFacts;
      /** The audited request's failure: exit 3 (finishProbe's shape). */
      error: { code: string; message: string };
      stopped: StopReason;
      skipped: string[];
    };

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export async function gatherAuditFacts(
  options: AuditProbeOptions,
  deps: AuditProbeDeps,
): Promise<AuditGathered> {
  const method = (options.method ?? 'GET').toUpperCase();
  const url = withoutUserinfo(options.url);
  const https = new URL(url).protocol === 'https:';
  const startMs = deps.clock.now();
  const maxRequests = options.maxRequests ?? AUDIT_MAX_REQUESTS;
  const budget = createBudget(
    { maxRequests, deadlineMs: startMs + options.durationMs },
    { client: deps.client, clock: deps.clock, signal: deps.signal, sleep: deps.sleep },
  );
  const sentBefore = budget.sent;
  const progress = (line: string): void => {
    try {
      deps.onProgress?.(line);
    } catch {
      // Progress is decoration: a failing sink must not end the audit.
    }
  };
  const interrupted = (): boolean => deps.signal?.aborted === true;
  const skipped: string[] = [];
  const extra = options.credentialHeaders ?? [];
  const base: PartialAuditFacts = {
    url,
    source: 'live',
    authenticated: options.authenticated ?? credentialNames(options.headers, extra).length > 0,
    assumeHttps: options.assumeHttps,
    requests: 0,
  };

  // 1. The audited request.
  let main: HttpResponse | undefined;
  let failure: { code: string; message: string } | undefined;
  try {
    main = await budget.request({
      method,
      url,
      headers: options.headers,
      timeoutMs: options.timeoutMs,
      truncateBody: true,
      maxBodyBytes: BODY_SAMPLE_BYTES,
    });
  } catch (err) {
    if (!isApikitError(err) || err.exitCode !== 3) throw err;
    failure = { code: err.code, message: err.message };
  }
  if (interrupted()) throw new InterruptedError();
  if (!main && !failure) failure = stoppedFailure(method, url, budget, options.durationMs);
  if (!main) {
    const tls =
      https && budget.stopped === undefined
        ? await gatherTls(url, options, deps, budget, skipped, progress)
        : undefined;
    return {
      facts: null,
      partial: { ...base, ...(tls ? { tls } : {}), requests: budget.sent - sentBefore },
      error: failure!,
      stopped: budget.stop('done'),
      skipped,
    };
  }
  progress(`${method} ${url}: ${main.status}`);
  const facts: AuditFacts = { ...base, response: auditResponse(main, true) };

  if (options.only !== 'main') {
    // 2. The preflight a page at a foreign origin would send first.
    facts.cors = await preflight(url, method, options, budget, skipped);
    if (interrupted()) throw new InterruptedError();
    if (facts.cors.preflight) progress(`preflight from ${AUDIT_ORIGIN}: ${facts.cors.preflight.status}`);

    if (https) {
      // 3. The http:// twin: does plain http send people to https?
      const redirect = await twin(url, options, budget, skipped);
      if (interrupted()) throw new InterruptedError();
      if (redirect) {
        facts.redirect = redirect;
        progress(
          `${redirect.url}: ${redirect.status ?? redirect.error ?? '?'}` +
            (redirect.location ? ` → ${redirect.location}` : ''),
        );
      }
      // 4. The TLS handshakes.
      const tls = await gatherTls(url, options, deps, budget, skipped, progress);
      if (tls) facts.tls = tls;
    }
  }
  facts.requests = budget.sent - sentBefore;
  return { facts, error: null, stopped: budget.stop('done'), skipped };
}

async function preflight(
  url: string,
  method: string,
  options: AuditProbeOptions,
  budget: Budget,
  skipped: string[],
): Promise<CorsQuickFacts> {
  const facts: CorsQuickFacts = { origin: AUDIT_ORIGIN };
  try {
    const res = await budget.request({
      method: 'OPTIONS',
      url,
      headers: preflightHeaders(options.headers, method, options.credentialHeaders),
      timeoutMs: options.timeoutMs,
      truncateBody: true,
      maxBodyBytes: SIDE_BODY_BYTES,
      followRedirects: false,
    });
    if (res) facts.preflight = auditResponse(res, false);
    else {
      facts.error = `not sent (${stopText(budget.stopped)})`;
      skipped.push(`CORS preflight: ${facts.error}`);
    }
  } catch (err) {
    if (!isApikitError(err) || err.exitCode !== 3) throw err;
    facts.error = err.message;
  }
  return facts;
}

async function twin(
  url: string,
  options: AuditProbeOptions,
  budget: Budget,
  skipped: string[],
): Promise<RedirectFacts | undefined> {
  const twinHref = twinUrl(url, options.httpUrl);
  try {
    const res = await budget.request({
      method: 'GET',
      url: twinHref,
      headers: withoutCredentials(options.headers, options.credentialHeaders),
      timeoutMs: options.timeoutMs,
      truncateBody: true,
      maxBodyBytes: SIDE_BODY_BYTES,
      followRedirects: false,
    });
    if (!res) {
      skipped.push(`http redirect: not checked (${stopText(budget.stopped)})`);
      return undefined;
    }
    const location = res.header('location');
    const facts: RedirectFacts = { url: twinHref, status: res.status };
    if (location !== undefined) {
      try {
        facts.location = new URL(location, twinHref).href;
      } catch {
        // Kept as sent: a Location that is not a URL reference is itself what the rule reports.
        facts.location = location;
      }
    }
    return facts;
  } catch (err) {
    if (!isApikitError(err) || err.exitCode !== 3) throw err;
    return { url: twinHref, error: err.message };
  }
}

/** The handshakes, cut at the deadline (then no TLS facts at all: half of them would read as refusals). */
async function gatherTls(
  url: string,
  options: AuditProbeOptions,
  deps: AuditProbeDeps,
  budget: Budget,
  skipped: string[],
  progress: (line: string) => void,
): Promise<TlsFacts | undefined> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = target.port === '' ? 443 : Number(target.port);
  const timeLeft = budget.timeLeftMs();
  if (timeLeft <= 0) {
    skipped.push('TLS: not checked (time limit)');
    return undefined;
  }
  const cut = new AbortController();
  const watch = new AbortController();
  void (deps.sleep ?? timerSleep)(timeLeft, watch.signal).then(() => {
    if (!watch.signal.aborted) cut.abort();
  });
  const signal = deps.signal ? AbortSignal.any([deps.signal, cut.signal]) : cut.signal;
  try {
    const tls = await probeTls({
      host,
      port,
      ...(options.ca ? { ca: options.ca } : {}),
      connectTimeoutMs: Math.min(
        options.connectTimeoutMs ?? Math.min(options.timeoutMs, DEFAULT_CONNECT_TIMEOUT_MS),
        timeLeft,
      ),
      signal,
    });
    const summary = tls.protocols
      .map((p) => `${p.version} ${p.accepted ? 'accepted' : 'refused'}`)
      .join(', ');
    progress(`TLS ${host}:${port}: ${summary}`);
    return tls;
  } catch (err) {
    if (deps.signal?.aborted) throw new InterruptedError();
    if (cut.signal.aborted) {
      budget.stop('deadline');
      skipped.push('TLS: not checked (time limit)');
      return undefined;
    }
    throw err;
  } finally {
    watch.abort();
  }
}

function stopText(reason: StopReason | undefined): string {
  switch (reason) {
    case 'deadline':
      return 'time limit';
    case 'budget':
      return 'request budget';
    case 'interrupted':
      return 'interrupted';
    default:
      return 'stopped';
  }
}

/** The audited request was not answered because the run stopped (the deadline or a budget below one request). */
function stoppedFailure(
  method: string,
  url: string,
  budget: Budget,
  durationMs: number,
): { code: string; message: string } {
  const host = new URL(url).host;
  if (budget.stopped === 'budget') {
    return { code: 'ERR_AUDIT_BUDGET', message: `${method} ${host}: not sent (the request budget is spent)` };
  }
  return {
    code: 'ERR_AUDIT_DEADLINE',
    message: `${method} ${host}: no answer within the audit's time limit of ${durationMs} ms`,
  };
}
