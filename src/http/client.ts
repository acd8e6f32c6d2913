import { performance } from 'node:perf_hooks';
import { Agent, request, type Dispatcher } from 'undici';
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

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const ownDispatcher = options.dispatcher
    ? undefined
    : new Agent({
        connect: { timeout: options.connectTimeoutMs },
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

  async function acquire(): Promise<void> {
    if (active < options.concurrency) {
      active++;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
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
    const headers: Record<string, string> = { 'user-agent': options.userAgent };
    for (const [k, v] of Object.entries(options.headers)) {
      // The client's own credentials (a user's -H Authorization, an API key) stay behind a cross-origin redirect too.
      if (crossedOrigin && redactor.isSecretHeader(k)) continue;
      headers[k.toLowerCase()] = v;
    }
    for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
    const timeoutMs = req.timeoutMs ?? options.timeoutMs;
    const maxBody = req.maxBodyBytes ?? options.maxBodyBytes;
    const signals = [AbortSignal.timeout(timeoutMs), req.signal, options.signal].filter(
      (s) => s !== undefined,
    );
    const signal = signals.length === 1 ? signals[0]! : AbortSignal.any(signals);

    // A credential sent in a header is a secret wherever it comes back (an echoing server, a body, a message).
    for (const [k, v] of Object.entries(headers)) if (redactor.isSecretHeader(k)) registerHeader(redactor, v);
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
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: method as Dispatcher.HttpMethod,
        headers,
        body: req.body === undefined ? null : req.body,
        dispatcher,
        signal,
      });
    } catch (err) {
      if (options.signal?.aborted) throw new InterruptedError();
      throw networkError(method, url, err, timeoutMs);
    }
    const headersMs = performance.now() - t0;
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    try {
      for await (const chunk of res.body) {
        const buf = chunk as Buffer;
        if (size + buf.length > maxBody) {
          if (!req.truncateBody) {
            res.body.destroy();
            throw new NetworkError(
              `response from ${url.host} is larger than ${maxBody} bytes`,
              'ERR_HTTP_BODY_TOO_LARGE',
            );
          }
          chunks.push(buf.subarray(0, maxBody - size));
          size = maxBody;
          truncated = true;
          res.body.destroy();
          break;
        }
        chunks.push(buf);
        size += buf.length;
      }
    } catch (err) {
      if (isApikitError(err)) throw err;
      if (options.signal?.aborted) throw new InterruptedError();
      throw networkError(method, url, err, timeoutMs);
    }
    const totalMs = performance.now() - t0;
    const body = Buffer.concat(chunks);
    const headersOut = res.headers as Record<string, string | string[] | undefined>;
    if (trace) {
      trace(`< ${res.statusCode} (${headersMs.toFixed(1)} ms to headers, ${totalMs.toFixed(1)} ms total)`);
      for (const [k, v] of Object.entries(headersOut)) {
        for (const one of Array.isArray(v) ? v : [v]) trace(`< ${traceHeader(redactor, k, one ?? '')}`);
      }
      for (const line of traceBody(redactor, 'server', firstHeader(headersOut['content-type']), body))
        trace(line);
    }
    return makeResponse({
      url: url.href,
      method,
      status: res.statusCode,
      headers: headersOut,
      body,
      truncated,
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
      let url: URL;
      try {
        url = new URL(req.url);
      } catch {
        throw new UsageError(`"${String(req.url)}" is not a URL`, 'ERR_HTTP_URL');
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new UsageError(`"${url.href}" is not an http(s) URL`, 'ERR_HTTP_URL');
      }
      let method = (req.method ?? 'GET').toUpperCase();
      const follow = req.followRedirects ?? options.followRedirects;
      const redirects: string[] = [];
      let crossedOrigin = false;
      await acquire();
      try {
        let current: HttpRequest = req;
        for (;;) {
          const res = await once(method, url, current, redirects, crossedOrigin);
          const location = res.header('location');
          if (!follow || !location || ![301, 302, 303, 307, 308].includes(res.status)) return res;
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
  return {
    ...fields,
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
