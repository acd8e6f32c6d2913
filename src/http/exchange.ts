import { performance } from 'node:perf_hooks';
import { errors, type Dispatcher } from 'undici';
import { NetworkError } from '../errors.js';

/**
 * One request and its response over undici's `dispatch()`, the body collected here under the size cap. This is
 * what `undici.request()` plus reading its body stream did, less what a probe's hot loop paid for and never used:
 * a Readable and an async iterator per response, an AbortSignal.timeout and an AbortSignal.any per request (a
 * timer, weak references and an exception object each time). Here a request costs one timer and at most one
 * exception, made only when a timeout or an abort really happens. Semantics follow undici.request(): 1xx
 * responses are skipped, an abort before the request is on a socket waits for it to get there, the error is the
 * abort's reason (a signal's reason, the TimeoutError of `AbortSignal.timeout()`).
 */

/** The final response: status, headers (as undici.request() parses them), body whole or cut at the cap. */
export interface Exchanged {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  truncated: boolean;
  /** performance.now() when the headers arrived. */
  headersAt: number;
}

export interface ExchangeRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  /** The whole exchange, body included. */
  timeoutMs: number;
  maxBodyBytes: number;
  /** Keep the first maxBodyBytes and mark the response truncated instead of failing. */
  truncateBody: boolean;
}

/** The reason AbortSignal.timeout() aborts with: a timed-out request fails with exactly what it used to. */
function timeoutReason(): DOMException {
  return new DOMException('The operation was aborted due to timeout', 'TimeoutError');
}

function onTimeout(exchange: Exchange): void {
  exchange.abort(timeoutReason());
}

export class Exchange implements Dispatcher.DispatchHandler {
  /** Settles once: the response, or the error that ended the exchange. */
  readonly done: Promise<Exchanged>;
  /** Whether the final response's headers arrived (a failure after them happened while reading the body). */
  gotHeaders = false;
  #resolve!: (value: Exchanged) => void;
  #reject!: (err: Error) => void;
  #settled = false;
  #controller: Dispatcher.DispatchController | undefined;
  /** An abort that came before the request reached a socket; applied when it does (as undici.request() does). */
  #pending: Error | undefined;
  readonly #timer: NodeJS.Timeout;
  readonly #req: ExchangeRequest;
  #status = 0;
  #headers: Exchanged['headers'] = {};
  #headersAt = 0;
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(req: ExchangeRequest) {
    this.#req = req;
    this.done = new Promise<Exchanged>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // AbortSignal.timeout() threw a RangeError for a delay that is not a 32-bit unsigned integer, before anything
    // was sent: it still does, so such a timeout fails exactly as before.
    if (!(Number.isInteger(req.timeoutMs) && req.timeoutMs >= 0 && req.timeoutMs <= 0xffff_ffff)) {
      AbortSignal.timeout(req.timeoutMs);
    }
    // Unreferenced, like AbortSignal.timeout()'s: the request's socket is what keeps the process alive.
    this.#timer = setTimeout(onTimeout, req.timeoutMs, this).unref();
  }

  /** Sends the request on `dispatcher`; `done` says how it went. */
  send(dispatcher: Dispatcher): void {
    const { url, method, headers, body } = this.#req;
    // undici.request() refuses CONNECT before dispatching, with this error; dispatch() would ask for an upgrade.
    if (method === 'CONNECT') {
      this.#fail(new errors.InvalidArgumentError('invalid method'));
      return;
    }
    try {
      dispatcher.dispatch(
        {
          origin: url.origin,
          path: url.pathname + url.search,
          method: method as Dispatcher.HttpMethod,
          headers,
          body: body ?? null,
        },
        this,
      );
    } catch (err) {
      // undici's dispatchers report through onResponseError; another dispatcher may throw.
      this.#fail(err as Error);
    }
  }

  /** Ends the exchange with `reason` (a timeout, the user's interrupt, a caller's signal); the first one wins. */
  abort(reason: Error): void {
    if (this.#settled) return;
    if (this.#controller) this.#controller.abort(reason);
    else this.#pending ??= reason;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#pending) controller.abort(this.#pending);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    status: number,
    headers: Exchanged['headers'],
  ): void {
    // 100 Continue, 103 Early Hints: the response is still to come.
    if (status < 200) return;
    this.#status = status;
    this.#headers = headers;
    this.#headersAt = performance.now();
    this.gotHeaders = true;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#settled) return;
    const { maxBodyBytes, truncateBody, url } = this.#req;
    if (this.#size + chunk.length <= maxBodyBytes) {
      this.#chunks.push(chunk);
      this.#size += chunk.length;
      return;
    }
    if (truncateBody) {
      this.#chunks.push(chunk.subarray(0, maxBodyBytes - this.#size));
      this.#size = maxBodyBytes;
      this.#succeed(true);
    } else {
      this.#fail(
        new NetworkError(
          `response from ${url.host} is larger than ${maxBodyBytes} bytes`,
          'ERR_HTTP_BODY_TOO_LARGE',
        ),
      );
    }
    // The rest of the body is not read: the connection goes (as when a body stream is destroyed). Paused first,
    // so that the parser stops at this chunk.
    controller.pause();
    controller.abort(new errors.RequestAbortedError());
  }

  onResponseEnd(): void {
    this.#succeed(false);
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.#fail(err);
  }

  #succeed(truncated: boolean): void {
    if (this.#settle()) {
      this.#resolve({
        status: this.#status,
        headers: this.#headers,
        body: Buffer.concat(this.#chunks, this.#size),
        truncated,
        headersAt: this.#headersAt,
      });
    }
  }

  #fail(err: Error): void {
    if (this.#settle()) this.#reject(err);
  }

  #settle(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    clearTimeout(this.#timer);
    return true;
  }
}

/**
 * Aborts the exchanges in flight that depend on a signal, with one listener per signal however many requests
 * share it: an AbortSignal warns (MaxListenersExceededWarning) past ten listeners, and the client's interrupt
 * signal is shared by every request.
 */
export class AbortFanout {
  readonly #watchers = new Map<AbortSignal, Set<Exchange>>();
  #sweeping = false;
  /** Drops the listeners of signals nothing has watched for a turn of the event loop. */
  readonly #sweep = (): void => {
    this.#sweeping = false;
    for (const [signal, watching] of this.#watchers) if (watching.size === 0) this.#forget(signal);
  };
  readonly #onAbort = (event: Event): void => {
    const signal = event.target as AbortSignal;
    const watching = this.#watchers.get(signal);
    if (!watching) return;
    this.#forget(signal);
    const reason = reasonOf(signal);
    for (const exchange of watching) exchange.abort(reason);
  };

  /** Aborts `exchange` when `signal` aborts (at once if it has). */
  watch(signal: AbortSignal, exchange: Exchange): void {
    if (signal.aborted) {
      exchange.abort(reasonOf(signal));
      return;
    }
    const watching = this.#watchers.get(signal);
    if (watching) {
      watching.add(exchange);
      return;
    }
    this.#watchers.set(signal, new Set([exchange]));
    signal.addEventListener('abort', this.#onAbort);
  }

  unwatch(signal: AbortSignal, exchange: Exchange): void {
    const watching = this.#watchers.get(signal);
    if (!watching?.delete(exchange) || watching.size > 0 || this.#sweeping) return;
    // The listener stays until a turn of the event loop passes with nothing watching: back-to-back requests on
    // the same signal keep it instead of removing and adding it each time, and none outlives the requests.
    this.#sweeping = true;
    setImmediate(this.#sweep);
  }

  #forget(signal: AbortSignal): void {
    this.#watchers.delete(signal);
    signal.removeEventListener('abort', this.#onAbort);
  }
}

/** What undici.request() aborts with when its signal does. */
function reasonOf(signal: AbortSignal): Error {
  return (signal.reason as Error | undefined) ?? new errors.RequestAbortedError();
}
