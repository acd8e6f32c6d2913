import { performance } from 'node:perf_hooks';
import { describeCause, InterruptedError, isApikitError, NetworkError, UsageError } from '../errors.js';
import type { HttpClient, HttpClientOptions, HttpRequest, HttpResponse } from '../http/client.js';
import type { Clock, FetchLike } from './types.js';

export interface FetchClientOptions {
  fetch: FetchLike;
  clock: Clock;
  userAgent: string;
  timeoutMs: number;
  maxBodyBytes: number;
  signal?: AbortSignal | undefined;
}

/**
 * The HttpClient the OAuth flows take (src/http/client.ts), over an injected fetch instead of undici: the library
 * opens no connection of its own. The same rules for what the flows see: every answer is data (a 4xx is not an
 * exception), bodies are capped, redirects are not followed, transport failures are NetworkErrors (exit 3).
 * Internal: not part of the public API.
 */
export function fetchHttpClient(options: FetchClientOptions): HttpClient {
  let sent = 0;
  const clientOptions = {
    userAgent: options.userAgent,
    timeoutMs: options.timeoutMs,
    maxBodyBytes: options.maxBodyBytes,
    followRedirects: false,
  } as Readonly<HttpClientOptions>;
  return {
    options: clientOptions,
    get sent() {
      return sent;
    },
    async request(req: HttpRequest): Promise<HttpResponse> {
      const url = parseUrl(req.url);
      const method = (req.method ?? 'GET').toUpperCase();
      const headers: Record<string, string> = { 'user-agent': options.userAgent };
      for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
      const timeoutMs = req.timeoutMs ?? options.timeoutMs;
      const signals = [AbortSignal.timeout(timeoutMs)];
      if (options.signal) signals.push(options.signal);
      if (req.signal) signals.push(req.signal);
      const maxBody = req.maxBodyBytes ?? options.maxBodyBytes;
      const startedAt = options.clock.now();
      const t0 = performance.now();
      sent++;
      let status: number;
      let headersMs: number;
      let body: Buffer;
      const headersOut: Record<string, string | string[]> = {};
      try {
        const res = await options.fetch(url.href, {
          method,
          headers,
          ...(req.body === undefined ? {} : { body: Buffer.from(req.body).toString('utf8') }),
          redirect: 'manual',
          signal: AbortSignal.any(signals),
        });
        headersMs = performance.now() - t0;
        status = res.status;
        res.headers.forEach((value, name) => {
          headersOut[name.toLowerCase()] = value;
        });
        // A declared length over the cap is refused before the body is read.
        if (Number(headersOut['content-length'] ?? 0) > maxBody && !req.truncateBody)
          throw tooLarge(url, maxBody);
        body = Buffer.from(await res.arrayBuffer());
      } catch (err) {
        if (isApikitError(err)) throw err;
        if (options.signal?.aborted || req.signal?.aborted) throw new InterruptedError();
        const name = (err as { name?: unknown }).name;
        const why = name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : describeCause(err);
        throw new NetworkError(`${method} ${url.host}: ${why}`, 'ERR_HTTP_TRANSPORT', { cause: err });
      }
      let truncated = false;
      if (body.length > maxBody) {
        if (!req.truncateBody) throw tooLarge(url, maxBody);
        body = body.subarray(0, maxBody);
        truncated = true;
      }
      const totalMs = performance.now() - t0;
      return response(url.href, method, status, headersOut, body, truncated, {
        startedAt,
        headersMs,
        totalMs,
      });
    },
    async close() {
      // The caller's fetch owns its connections.
    },
  };
}

function tooLarge(url: URL, maxBody: number): NetworkError {
  return new NetworkError(
    `${url.host} answered with a body over the ${maxBody}-byte limit`,
    'ERR_HTTP_BODY_TOO_LARGE',
  );
}

function parseUrl(input: string | URL): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new UsageError(`"${String(input)}" is not a URL`, 'ERR_HTTP_URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`"${url.href}" is not an http(s) URL`, 'ERR_HTTP_URL');
  }
  return url;
}

function response(
  url: string,
  method: string,
  status: number,
  headers: Record<string, string | string[]>,
  body: Buffer,
  truncated: boolean,
  timing: HttpResponse['timing'],
): HttpResponse {
  return {
    url,
    method,
    status,
    headers,
    body,
    truncated,
    timing,
    redirects: [],
    text: () => body.toString('utf8'),
    json() {
      try {
        return JSON.parse(body.toString('utf8')) as unknown;
      } catch {
        throw new NetworkError(
          `${new URL(url).host} answered ${status} with a body that is not JSON (${url})`,
          'ERR_HTTP_NOT_JSON',
        );
      }
    },
    header(name) {
      const v = headers[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    },
  };
}
