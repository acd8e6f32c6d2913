import { isApikitError } from '../../errors.js';
import type { HttpResponse } from '../../http/client.js';
import { isSecretHeader } from '../../io/redact.js';
import { parseCorsHeaders } from '../../lib/cors/headers.js';
import type { CorsExchange, CorsReport } from '../../lib/cors/types.js';
import type { Budget } from '../budget.js';

/**
 * The CORS probe's one way to send: each candidate's three requests, through the budget, each recorded as a
 * CorsExchange. The requests are the ones a browser makes (Fetch standard, "CORS-preflight request"):
 * - a preflight is `OPTIONS` with `Origin`, `Access-Control-Request-Method` and `Access-Control-Request-Headers`
 *   — the unsafe header names lower-cased, sorted and joined by "," without spaces, as browsers send them — and no
 *   credentials: the credential headers (-H Authorization, Cookie, the API key) stay off it;
 * - the actual request is the method under test with `Origin` and every -H line and credential.
 * A transport failure ends the run (stopped 'error'); nothing is sent after it.
 */

/** The state-changing method asked about in the second preflight (never sent for real unless it is under test). */
export const STATE_CHANGING_METHOD = 'DELETE';

/** What a page's credentialed, preflighted request carries besides the --request-header names. */
export const PREFLIGHT_HEADERS = ['authorization', 'content-type', 'x-api-key'] as const;

export interface SenderOptions {
  url: string;
  method: string;
  requestHeaders: readonly string[];
  headers: Record<string, string>;
  timeoutMs: number;
  credentialHeaders?: readonly string[];
}

export interface CandidateExchanges {
  preflight: CorsExchange;
  /** Null when the method under test is the state-changing one (its preflight serves both). */
  stateChanging: CorsExchange | null;
  actual: CorsExchange;
}

export class CorsSender {
  error: CorsReport['error'] = null;
  private failed = false;
  private readonly acrh: string[];
  private readonly preflightBase: Record<string, string>;

  constructor(
    private readonly options: SenderOptions,
    private readonly budget: Budget,
  ) {
    this.acrh = [
      ...new Set([...PREFLIGHT_HEADERS, ...options.requestHeaders.map((h) => h.toLowerCase())]),
    ].sort();
    const credentials = new Set((options.credentialHeaders ?? []).map((h) => h.toLowerCase()));
    this.preflightBase = Object.fromEntries(
      Object.entries(options.headers).filter(
        ([name]) => !isSecretHeader(name) && !credentials.has(name.toLowerCase()),
      ),
    );
  }

  /** Why the run ended; undefined while it may go on. */
  get stopped(): CorsReport['stopped'] | undefined {
    return this.failed ? 'error' : this.budget.stopped;
  }

  /** The candidate's exchanges, or null when the run ended before all of them were answered. */
  async candidate(origin: string): Promise<CandidateExchanges | null> {
    const preflight = await this.preflight(origin, this.options.method);
    if (preflight === null) return null;
    let stateChanging: CorsExchange | null = null;
    if (this.options.method !== STATE_CHANGING_METHOD) {
      stateChanging = await this.preflight(origin, STATE_CHANGING_METHOD);
      if (stateChanging === null) return null;
    }
    const actual = await this.send(
      { kind: 'actual', method: this.options.method, request_method: null, request_headers: [] },
      // -H lines and the credential, then Origin: a -H Origin line cannot replace the candidate.
      { ...withoutOrigin(this.options.headers), Origin: origin },
    );
    if (actual === null) return null;
    return { preflight, stateChanging, actual };
  }

  private preflight(origin: string, requestMethod: string): Promise<CorsExchange | null> {
    return this.send(
      { kind: 'preflight', method: 'OPTIONS', request_method: requestMethod, request_headers: this.acrh },
      {
        ...withoutOrigin(this.preflightBase),
        Origin: origin,
        'Access-Control-Request-Method': requestMethod,
        'Access-Control-Request-Headers': this.acrh.join(','),
      },
    );
  }

  private async send(
    request: Pick<CorsExchange, 'kind' | 'method' | 'request_method' | 'request_headers'>,
    headers: Record<string, string>,
  ): Promise<CorsExchange | null> {
    if (this.stopped !== undefined) return null;
    let res: HttpResponse | undefined;
    try {
      res = await this.budget.request({
        method: request.method,
        url: this.options.url,
        headers,
        timeoutMs: this.options.timeoutMs,
        // The body is not evidence: read at most the cap, the rest dropped.
        truncateBody: true,
      });
    } catch (err) {
      if (!isApikitError(err) || err.exitCode !== 3) throw err;
      this.failed = true;
      this.error ??= { code: err.code, message: err.message };
      return null;
    }
    if (res === undefined) return null;
    return { ...request, status: res.status, headers: parseCorsHeaders(res.headers), error: null };
  }
}

function withoutOrigin(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'origin'));
}
