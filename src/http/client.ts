import { performance } from 'node:perf_hooks';
import { Agent, type Dispatcher } from 'undici';
import {
  ApikitError,
  describeCause,
  ExitCode,
  InterruptedError,
  isApikitError,
  NetworkError,
  UsageError,
} from '../errors.js';
import type { Redactor } from '../io/redact.js';
import { terminalSafe } from '../lib/text/terminal-safe.js';
import type { Clock } from '../lib/time/clock.js';
import { AbortFanout, Exchange, type Exchanged } from './exchange.js';
import { trustStore } from './tls.js';
import { traceBody, traceHeader, traceUrl } from './trace.js';

/**
 * The one HTTP client. Built for both API calls and probes: it returns every response as data (a 4xx/5xx is
 * not an exception), times each request precisely, never follows redirects unless asked, caps body sizes,
 * bounds concurrency and can enforce a strict request budget. Only transport failures throw (exit 3).
 */
export interface HttpClientOptions {
  userAgent: string;
  /** Time to establish the connection (TCP + TLS). */
  connectTimeoutMs: number;
  /** Whole request, including reading the body. */
  timeoutMs: number;
  /** Bodies larger than this are refused (or truncated, per request). */
  maxBodyBytes: number;
  followRedirects: boolean;
  maxRedirects: number;
  /** Headers sent with every request (the user's -H lines, auth). Per-request headers win. */
  headers: Record<string, string>;
  /** At most this many requests in flight at once. */
  concurrency: number;
  /** Refuse to send more than this many requests in the client's lifetime (probes' budgets). */
  maxRequests: number;
  /**
   * Receives --verbose trace lines, redacted before they get here by exact values (src/http/trace.ts): credential
   * headers, secret parameters and fields by name, registered secrets as whole values.
   */
  trace?: (line: string) => void;
  redactor: Redactor;
  /** Wall clock for `timing.startedAt` (durations use the monotonic performance clock). */
  clock: Clock;
  /** Tests may inject their own dispatcher; otherwise an Agent with the connect timeout is made. */
  dispatcher?: Dispatcher;
  /** The user's interrupt (Ctrl-C): aborts requests in flight, which then fail with exit 130. */
  signal?: AbortSignal;
  /**
   * Extra trusted CA certificates (PEM, from --ca), trusted besides the system's roots (./tls.ts `trustStore`:
   * Node's `ca` alone would replace them). Applies to the Agent the client makes, not to an injected dispatcher.
   */
  ca?: string[];
}

export interface HttpRequest {
  method?: string;
  url: string | URL;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  timeoutMs?: number;
  followRedirects?: boolean;
  /** Keep the first maxBodyBytes and mark the response truncated instead of failing. */
  truncateBody?: boolean;
  maxBodyBytes?: number;
  signal?: AbortSignal;
}

export interface HttpTiming {
  /** Epoch ms when the request started. */
  startedAt: number;
  /** Milliseconds until the response headers arrived. */
  headersMs: number;
  /** Milliseconds until the body was read completely. */
  totalMs: number;
}

export interface HttpResponse {
  url: string;
  method: string;
  status: number;
  /** Lower-case names; repeated headers joined the way undici presents them (arrays for set-cookie & co). */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  truncated: boolean;
  timing: HttpTiming;
  /** URLs of redirects followed before this response. */
  redirects: string[];
  text(): string;
  /** Parses the body as JSON; a NetworkError naming the URL when it is not JSON. */
  json(): unknown;
  header(name: string): string | undefined;
}

export interface HttpClient {
  readonly options: Readonly<HttpClientOptions>;
  request(req: HttpRequest): Promise<HttpResponse>;
  /** Requests sent so far (counts toward maxRequests). */
  readonly sent: number;
  close(): Promise<void>;
}

export const DEFAULT_HTTP_OPTIONS = {
  connectTimeoutMs: 10_000,
  timeoutMs: 30_000,
  maxBodyBytes: 10 * 1024 * 1024,
  followRedirects: false,
  maxRedirects: 5,
  concurrency: 16,
  maxRequests: Number.POSITIVE_INFINITY,
} as const;

export class BudgetExceededError extends ApikitError {
  constructor(limit: number) {
    super(`request budget of ${limit} exhausted`, 'ERR_HTTP_BUDGET', ExitCode.USAGE, {
      hint: 'raise the request budget (--max-requests) if the target can take it',
    });
  }
}

/**
 * Every client's requests listen to their signals through this: one listener per signal in the process, however
 * many clients and requests share it (ctx.signal is every client's).
 */
const aborts = new AbortFanout();

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const ca = trustStore(options.ca);
  const ownDispatcher = options.dispatcher
    ? undefined
    : new Agent({
        connect: { timeout: options.connectTimeoutMs, ...(ca ? { ca } : {}) },
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
  const dispatcher = options.dispatcher ?? ownDispatcher!;
  let sent = 0;
  let active = 0;
  const waiting: (() => void)[] = [];
  // Response headers and bodies are the server's text on their way to stderr: through the one sanitiser (control
  // characters, escape sequences and bidi overrides become "?"), after redaction, uncut.
  const sink = options.trace;
  const trace = sink ? (line: string) => sink(terminalSafe(line, Infinity)) : undefined;
  const redactor = options.redactor;
  /** Credential header values already registered with the redactor (which never forgets one). */
  const registered = new Set<string>();

  /** The last URL text parsed, and what it parsed to: a probe sends to one URL again and again. */
  let lastUrl: { text: string; url: URL } | undefined;
  /** The request's URL, checked; the one parsed last time when the text is the same (URLs are never changed here). */
  function parseUrl(input: string | URL): URL {
    if (typeof input === 'string' && input === lastUrl?.text) return lastUrl.url;
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      throw new UsageError(`"${String(input)}" is not a URL`, 'ERR_HTTP_URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UsageError(`"${url.href}" is not an http(s) URL`, 'ERR_HTTP_URL');
    }
    if (typeof input === 'string') lastUrl = { text: input, url };
    return url;
  }

  /** A free slot is taken at once; otherwise the promise resolves when release() hands one over (FIFO). */
  function acquire(): Promise<void> | undefined {
    if (active < options.concurrency) {
      active++;
      return undefined;
    }
    return new Promise<void>((resolve) => waiting.push(resolve));
  }
  function release(): void {
    const next = waiting.shift();
    if (next) next();
    else active--;
  }

  async function once(
    method: string,
    url: URL,
    req: HttpRequest,
    redirects: string[],
    crossedOrigin: boolean,
  ): Promise<HttpResponse> {
    if (sent >= options.maxRequests) throw new BudgetExceededError(options.maxRequests);
    sent++;
    // Object.keys, not Object.entries: no pair arrays per header per request (a probe's hot loop).
    const headers: Record<string, string> = { 'user-agent': options.userAgent };
    for (const k of Object.keys(options.headers)) {
      // The client's own credentials (a user's -H Authorization, an API key) stay behind a cross-origin redirect too.
      if (crossedOrigin && redactor.isSecretHeader(k)) continue;
      headers[k.toLowerCase()] = options.headers[k]!;
    }
    const own = req.headers;
    if (own) for (const k of Object.keys(own)) headers[k.toLowerCase()] = own[k]!;
    const timeoutMs = req.timeoutMs ?? options.timeoutMs;
    // Its timer runs from here, through the trace and the whole exchange.
    const exchange = new Exchange({
      url,
      method,
      headers,
      body: req.body,
      timeoutMs,
      maxBodyBytes: req.maxBodyBytes ?? options.maxBodyBytes,
      truncateBody: req.truncateBody === true,
    });

    // A credential sent in a header is a secret wherever it comes back (an echoing server, a body, a message).
    // Registered once per value: a probe sends the same one every time, and each registration costs the
    // redactor its sorted list.
    for (const k of Object.keys(headers)) {
      const v = headers[k]!;
      if (redactor.isSecretHeader(k) && !registered.has(v)) {
        registered.add(v);
        registerHeader(redactor, v);
      }
    }
    if (trace) {
      trace(`> ${method} ${traceUrl(redactor, url.href)}`);
      for (const [k, v] of Object.entries(headers)) trace(`> ${traceHeader(redactor, k, v)}`);
      if (req.body !== undefined) {
        for (const line of traceBody(redactor, 'apikit', headers['content-type'], Buffer.from(req.body)))
          trace(line);
      }
    }
    const startedAt = options.clock.now();
    const t0 = performance.now();
    if (req.signal) aborts.watch(req.signal, exchange);
    if (options.signal) aborts.watch(options.signal, exchange);
    let res: Exchanged;
    try {
      exchange.send(dispatcher);
      res = await exchange.done;
    } catch (err) {
      // Only the body cap fails with an error of ours, once the headers are in.
      if (exchange.gotHeaders && isApikitError(err)) throw err;
      if (options.signal?.aborted) throw new InterruptedError();
      throw networkError(method, url, err, timeoutMs);
    } finally {
      if (req.signal) aborts.unwatch(req.signal, exchange);
      if (options.signal) aborts.unwatch(options.signal, exchange);
    }
    const headersMs = res.headersAt - t0;
    const totalMs = performance.now() - t0;
    const { body, headers: headersOut } = res;
    if (trace) {
      trace(`< ${res.status} (${headersMs.toFixed(1)} ms to headers, ${totalMs.toFixed(1)} ms total)`);
      for (const [k, v] of Object.entries(headersOut)) {
        for (const one of Array.isArray(v) ? v : [v]) trace(`< ${traceHeader(redactor, k, one ?? '')}`);
      }
      for (const line of traceBody(redactor, 'server', firstHeader(headersOut['content-type']), body))
        trace(line);
    }
    return makeResponse({
      url: url.href,
      method,
      status: res.status,
      headers: headersOut,
      body,
      truncated: res.truncated,
      timing: { startedAt, headersMs, totalMs },
      redirects,
    });
  }

  return {
    options,
    get sent() {
      return sent;
    },
    async request(req) {
      let url = parseUrl(req.url);
      let method = (req.method ?? 'GET').toUpperCase();
      const follow = req.followRedirects ?? options.followRedirects;
      const redirects: string[] = [];
      let crossedOrigin = false;
      // No await for a free slot: a probe's loop pays for no extra turn of the event loop's microtask queue.
      const slot = acquire();
      if (slot) await slot;
      try {
        let current: HttpRequest = req;
        for (;;) {
          const res = await once(method, url, current, redirects, crossedOrigin);
          if (!follow) return res;
          const location = res.header('location');
          if (!location || ![301, 302, 303, 307, 308].includes(res.status)) return res;
          if (redirects.length >= options.maxRedirects) {
            throw new NetworkError(
              `too many redirects from ${url.host} (more than ${options.maxRedirects})`,
              'ERR_HTTP_REDIRECTS',
            );
          }
          redirects.push(url.href);
          const next = new URL(location, url);
          // Credentials never follow a redirect to another origin (what curl and browsers do for Authorization and
          // Cookie; an API key header is a credential too).
          const headers = { ...(current.headers ?? {}) };
          if (next.origin !== url.origin) {
            crossedOrigin = true;
            for (const k of Object.keys(headers)) if (options.redactor.isSecretHeader(k)) delete headers[k];
          }
          if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
            method = 'GET';
            const { body: _drop, ...rest } = current;
            current = { ...rest, headers };
          } else {
            current = { ...current, headers };
          }
          url = next;
        }
      } finally {
        release();
      }
    },
    async close() {
      if (ownDispatcher) await ownDispatcher.close();
    },
  };
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function makeResponse(fields: Omit<HttpResponse, 'text' | 'json' | 'header'>): HttpResponse {
  // Field by field, not `...fields`: a spread followed by more properties takes V8's slow path (µs per response).
  return {
    url: fields.url,
    method: fields.method,
    status: fields.status,
    headers: fields.headers,
    body: fields.body,
    truncated: fields.truncated,
    timing: fields.timing,
    redirects: fields.redirects,
    text() {
      return fields.body.toString('utf8');
    },
    json() {
      try {
        return JSON.parse(fields.body.toString('utf8')) as unknown;
      } catch {
        const host = new URL(fields.url).host;
        throw new NetworkError(
          `${host} answered ${fields.status} with a body that is not JSON (${fields.url})`,
          'ERR_HTTP_NOT_JSON',
        );
      }
    },
    header(name) {
      return firstHeader(fields.headers[name.toLowerCase()]);
    },
  };
}

/** A credential header's value, and the credential after its auth scheme, as secrets. */
function registerHeader(redactor: Redactor, value: string): void {
  redactor.add(value);
  const scheme = /^(Bearer|Basic|DPoP|Token)\s+(\S+)$/i.exec(value);
  if (scheme) redactor.add(scheme[2]);
}

function networkError(method: string, url: URL, err: unknown, timeoutMs: number): NetworkError {
  const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
  const name = (err as { name?: string }).name;
  let why: string;
  if (name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    why = `timed out after ${timeoutMs} ms`;
  } else if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    why = 'connection timed out';
  } else if (code === 'ECONNREFUSED') {
    why = 'connection refused';
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    why = 'host not found';
  } else if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') {
    why = 'connection reset';
  } else if (name === 'AbortError') {
    why = 'aborted';
  } else {
    why = describeCause(err);
  }
  return new NetworkError(`${method} ${url.host}: ${why}`, 'ERR_HTTP_TRANSPORT', { cause: err });
}
