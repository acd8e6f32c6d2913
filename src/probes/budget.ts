import { isApikitError, UsageError } from '../errors.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../http/client.js';
import type { Clock } from '../lib/time/clock.js';

/**
 * The bounds every probe runs within: a request count and an absolute deadline, and the user's interrupt. A
 * probe asks the budget before each request and sends through it; the budget says no once any bound is reached
 * and remembers which one, so the result can say "stopped after 20 requests: budget" instead of guessing.
 * Counting stays with the HTTP client (its `maxRequests` is the hard cap, redirects included); the budget only
 * adds the deadline, interrupt handling and the permission a concurrent burst needs before anything is sent.
 */

export interface ProbeBudget {
  /** At most this many requests (a positive integer: an unbounded probe is a load test). */
  maxRequests: number;
  /** Absolute epoch ms on the context's clock after which nothing is sent and nothing waits. */
  deadlineMs: number;
}

/** Why a run ended: its bound, its deadline, the user, or the probe itself having learned enough. */
export type StopReason = 'budget' | 'deadline' | 'interrupted' | 'done';

/**
 * Resolves after `ms` (or sooner for absurd lengths), or early, never rejecting, once `signal` aborts; must clear
 * its timer either way.
 */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export interface BudgetDeps {
  /**
   * The client to send through; build it with the same cap (`ctx.http({ maxRequests })`) so that redirects are
   * bounded too. The smaller of the two caps applies.
   */
  client: HttpClient;
  clock: Clock;
  /** The user's interrupt (ctx.signal). */
  signal?: AbortSignal;
  /**
   * For waits, and for cutting requests in flight at the deadline (one sleep for all the requests in flight at a
   * time). Tests inject one; the default uses a timer.
   */
  sleep?: Sleep;
}

export interface Budget {
  readonly limits: Readonly<ProbeBudget>;
  /** Requests sent through the client so far (its count, redirects included). */
  readonly sent: number;
  /** Permissions still to hand out. */
  readonly remaining: number;
  /** Why the run stopped; undefined while it may go on. */
  readonly stopped: StopReason | undefined;
  /** Milliseconds until the deadline, never negative. */
  timeLeftMs(now?: number): number;
  /** Permission to send one request; false (and the reason recorded) once a bound is reached. */
  take(): boolean;
  /**
   * take(), then the request through the client, cut off at the deadline. Undefined when the budget said no or
   * the request was stopped by the deadline, the interrupt or the client's cap (see `stopped`); transport
   * failures still throw, since for a probe they may be findings.
   */
  request(req: HttpRequest): Promise<HttpResponse | undefined>;
  /**
   * Waits until `atMs` (a server's Retry-After, a rate-limit reset). False without waiting when that is at or
   * past the deadline (no time would be left to send anything) and false as soon as the interrupt or `signal`
   * aborts; true when the time has come.
   */
  waitUntil(atMs: number, signal?: AbortSignal): Promise<boolean>;
  /** Records why the run ended ('done' by default) unless a reason is already recorded; returns the reason. */
  stop(reason?: StopReason): StopReason;
}

export function createBudget(limits: ProbeBudget, deps: BudgetDeps): Budget {
  if (!Number.isSafeInteger(limits.maxRequests) || limits.maxRequests < 1) {
    throw new UsageError(
      `a probe needs a request budget of at least 1, not ${limits.maxRequests}`,
      'ERR_PROBE_BUDGET',
    );
  }
  if (!Number.isFinite(limits.deadlineMs)) {
    throw new UsageError(`a probe needs a finite deadline, not ${limits.deadlineMs}`, 'ERR_PROBE_BUDGET');
  }
  const { client, clock, signal } = deps;
  const sleep = deps.sleep ?? timerSleep;
  const cap = Math.min(limits.maxRequests, client.options.maxRequests);
  let granted = 0;
  let stopped: StopReason | undefined;

  function stop(reason: StopReason = 'done'): StopReason {
    stopped ??= reason;
    return stopped;
  }
  function refuse(reason: StopReason): false {
    stop(reason);
    return false;
  }
  function timeLeftMs(now = clock.now()): number {
    return Math.max(0, limits.deadlineMs - now);
  }
  // Permissions handed out may not have been sent yet (a concurrent burst), and the client may have sent more
  // than were handed out (redirects, a request made before the probe): whichever is larger is what is used.
  function used(): number {
    return Math.max(granted, client.sent);
  }
  function take(): boolean {
    if (stopped) return false;
    if (signal?.aborted) return refuse('interrupted');
    // The budget before the deadline: a run that used every request did what it was allowed to.
    if (used() >= cap) return refuse('budget');
    if (timeLeftMs() <= 0) return refuse('deadline');
    granted++;
    return true;
  }

  const cut = deadlineCut(sleep, () => timeLeftMs());

  async function request(req: HttpRequest): Promise<HttpResponse | undefined> {
    if (!take()) return undefined;
    // The client's own timeout may reach past the deadline; this cuts the request at the deadline instead.
    const deadline = cut.depart();
    // The client listens to its own interrupt (ctx.signal, the budget's too when a command built both): only the
    // other signals are handed on, combined only when there is more than one.
    const own = client.options.signal;
    const handOn = anyOf(
      deadline,
      signal === own ? undefined : signal,
      req.signal === own ? undefined : req.signal,
    );
    try {
      // Object.assign, not a spread: a spread of the caller's object plus a property is V8's slow path, and the
      // request object it makes slows every later access to it (µs per request, npm run bench).
      return await client.request(Object.assign({}, req, { signal: handOn }));
    } catch (err) {
      const code = isApikitError(err) ? err.code : undefined;
      // These end the run, not the probe: the caller renders what it has and `stopped` says why.
      if (code === 'ERR_HTTP_BUDGET') stop('budget');
      else if (code === 'ERR_INTERRUPTED' || signal?.aborted) stop('interrupted');
      else if (deadline.aborted) stop('deadline');
      else throw err;
      return undefined;
    } finally {
      cut.arrive();
    }
  }

  async function waitUntil(atMs: number, extra?: AbortSignal): Promise<boolean> {
    if (stopped) return false;
    const aborted = (): boolean => Boolean(signal?.aborted || extra?.aborted);
    if (aborted()) return refuse('interrupted');
    if (atMs >= limits.deadlineMs) return refuse('deadline');
    const ms = atMs - clock.now();
    if (ms > 0) {
      const wake = new AbortController();
      const onAbort = (): void => wake.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      extra?.addEventListener('abort', onAbort, { once: true });
      try {
        await sleep(ms, wake.signal);
      } finally {
        signal?.removeEventListener('abort', onAbort);
        extra?.removeEventListener('abort', onAbort);
        // Ends the sleep's timer too if it returned early for any other reason.
        wake.abort();
      }
    }
    if (aborted()) return refuse('interrupted');
    return true;
  }

  return {
    limits,
    get sent() {
      return client.sent;
    },
    get remaining() {
      return stopped ? 0 : Math.max(0, cap - used());
    },
    get stopped() {
      return stopped;
    },
    timeLeftMs,
    take,
    request,
    waitUntil,
    stop,
  };
}

/**
 * Cuts requests in flight at the deadline. The deadline is absolute, so one signal serves every request: it is
 * aborted by one sleep that runs while requests are in flight, started by the first to depart and stopped a turn
 * of the event loop after the last one arrived (so back-to-back requests share it, and no timer outlives the run).
 * Per request that is a counter, where a sleep, two AbortControllers and an AbortSignal.any each cost
 * microseconds (`npm run bench`: a third of a loopback request's CPU).
 */
function deadlineCut(sleep: Sleep, timeLeftMs: () => number): { depart(): AbortSignal; arrive(): void } {
  let deadline: AbortController | undefined;
  let flying = 0;
  /** Stops the sleep that is running, if one is. */
  let watch: AbortController | undefined;
  let idleCheck = false;

  function idle(): void {
    idleCheck = false;
    if (flying > 0 || !watch) return;
    watch.abort();
    watch = undefined;
  }
  return {
    depart() {
      deadline ??= new AbortController();
      flying++;
      if (!watch) {
        const over = new AbortController();
        const cut = deadline;
        watch = over;
        void sleep(timeLeftMs(), over.signal).then(
          () => {
            // A sleep that woke early leaves the requests after it to a sleep of their own.
            if (watch === over) watch = undefined;
            // The clock decides, not the timer: a sleep may wake early (a timer's range is limited).
            if (!over.signal.aborted && timeLeftMs() <= 0) cut.abort();
          },
          () => undefined,
        );
      }
      return deadline.signal;
    },
    arrive() {
      if (--flying > 0 || idleCheck || !watch) return;
      idleCheck = true;
      setImmediate(idle);
    },
  };
}

/** One signal that aborts when any of `signals` does; none when none is given (AbortSignal.any only for two or more). */
function anyOf(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const given = signals.filter((s) => s !== undefined);
  return given.length <= 1 ? given[0] : AbortSignal.any(given);
}

/** Node fires longer timeouts at once (with a warning); a longer sleep wakes after this instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The default Sleep: one timer, cleared when the signal aborts, and the listener removed when it fires. */
export const timerSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const finish = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    };
    const timer = setTimeout(finish, Math.min(Math.max(0, ms), MAX_TIMER_MS));
    signal.addEventListener('abort', finish, { once: true });
  });
