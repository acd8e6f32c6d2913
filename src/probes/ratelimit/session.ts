import { isApikitError } from '../../errors.js';
import type { HttpClient, HttpResponse } from '../../http/client.js';
import { parseHttpDate, parseRateLimitHeaders, primaryState } from '../../lib/ratelimit/headers.js';
import { queueThresholdMs, waitHintS } from '../../lib/ratelimit/infer.js';
import type { ObservedResponse, Phase, ProbeStop, TimelineEntry } from '../../lib/ratelimit/types.js';
import type { Clock } from '../../lib/time/clock.js';
import { createBudget, type Budget, type Sleep } from '../budget.js';

/**
 * The probe's one way to send: every request goes through here, and here the safety rules hold whatever the
 * experiment asks for — the budget's count, deadline and interrupt (src/probes/budget.ts); never faster than
 * --rate; never while a limited response's Retry-After (or exhausted quota's reset) is running; nothing after a
 * transport failure. Each answer becomes a timeline entry with its parsed headers.
 */

/** What to probe and within which bounds: `probeRateLimit`'s options, resolved by the command. */
export interface RateLimitProbeOptions {
  url: string;
  /** Resolved by the command (default GET). */
  method: string;
  /** -H lines and the auth header, already resolved. */
  headers: Record<string, string>;
  body?: string;
  maxRequests: number;
  durationMs: number;
  /** Requests in flight at once (1: back-to-back). */
  concurrency: number;
  /** Never send faster than this (null: as fast as concurrency allows). */
  ratePerS: number | null;
  /** Per request. */
  timeoutMs: number;
}

export interface SessionDeps {
  /** Built by the command with the same maxRequests, concurrency and timeout. */
  client: HttpClient;
  clock: Clock;
  /** Ctrl-C: stops at once; the partial report comes back with stopped 'interrupted'. */
  signal?: AbortSignal;
  sleep?: Sleep;
}

/** 429 always; 503 too — nginx's default limit_req_status — counted as a possible limit signal. */
export const LIMIT_STATUSES = [429, 503] as const;

export function isLimitStatus(status: number): boolean {
  return (LIMIT_STATUSES as readonly number[]).includes(status);
}

export class Session {
  readonly startMs: number;
  readonly budget: Budget;
  readonly observed: ObservedResponse[] = [];
  error: { code: string; message: string } | null = null;
  /** Epoch ms before which nothing is sent: the server asked to wait. */
  blockedUntil = 0;
  private seq = 0;
  private lastSlot = Number.NEGATIVE_INFINITY;
  private failed = false;
  private fastest: number | null = null;

  constructor(
    readonly options: RateLimitProbeOptions,
    private readonly deps: SessionDeps,
  ) {
    this.startMs = deps.clock.now();
    this.budget = createBudget(
      { maxRequests: options.maxRequests, deadlineMs: this.startMs + options.durationMs },
      { client: deps.client, clock: deps.clock, signal: deps.signal, sleep: deps.sleep },
    );
  }

  now(): number {
    return this.deps.clock.now();
  }

  /** Why the run ended; undefined while it may go on. */
  get stopped(): ProbeStop | undefined {
    return this.failed ? 'error' : this.budget.stopped;
  }

  /** Requests that may still be sent. */
  get remaining(): number {
    return this.failed ? 0 : this.budget.remaining;
  }

  /** Waits until `atMs` (epoch) unless the run is over; false when it is (deadline, interrupt). */
  async waitUntil(atMs: number): Promise<boolean> {
    if (this.stopped) return false;
    for (;;) {
      if (this.now() >= atMs) return true;
      if (!(await this.budget.waitUntil(atMs))) return false;
    }
  }

  /** An accepted response held back far beyond the fastest round trip so far. */
  isHeldBack(o: ObservedResponse): boolean {
    const l = o.entry.latency_ms;
    if (o.entry.outcome !== 'accepted' || l === null || this.fastest === null) return false;
    return l >= queueThresholdMs(this.fastest);
  }

  /**
   * Sends one request of `phase`, not before `notBefore` (epoch ms), the --rate pacing or the server's wait.
   * Resolves null without sending when the run is over or `cancelled()` says so after a wait; null too when the
   * request was cut off (deadline, interrupt) or failed in transport (then `stopped` is 'error').
   */
  async send(
    phase: Phase,
    opts: { notBefore?: number; cancelled?: () => boolean } = {},
  ): Promise<ObservedResponse | null> {
    const interval = this.options.ratePerS === null ? 0 : 1000 / this.options.ratePerS;
    for (;;) {
      if (this.stopped || opts.cancelled?.()) return null;
      const until = Math.max(this.blockedUntil, opts.notBefore ?? 0, this.lastSlot + interval);
      if (this.now() >= until) break;
      if (!(await this.waitUntil(until))) return null;
    }
    // The slot is taken before anything can interleave: concurrent senders keep the pacing between them.
    this.lastSlot = this.now();
    const seq = this.seq++;
    const sentAt = this.now();
    let res: HttpResponse | undefined;
    try {
      res = await this.budget.request({
        method: this.options.method,
        url: this.options.url,
        headers: this.options.headers,
        body: this.options.body,
        timeoutMs: this.options.timeoutMs,
        // A limit response's body is not evidence; large bodies are not read twice.
        truncateBody: true,
      });
    } catch (err) {
      if (!isApikitError(err) || err.exitCode !== 3) throw err;
      this.fail(seq, phase, sentAt, err.code, err.message);
      return null;
    }
    if (res === undefined) return null;
    return this.record(seq, phase, res);
  }

  /**
   * Back-to-back requests of `phase`, up to `cap`, with up to `concurrency` in flight, until a limited response
   * arrives or `stopWhen` says so; requests already in flight are awaited, nothing new goes out after. The first
   * request waits for `notBefore`.
   */
  async burst(
    phase: Phase,
    cap: number,
    opts: {
      notBefore?: number;
      stopWhen?: (o: ObservedResponse, all: readonly ObservedResponse[]) => boolean;
    } = {},
  ): Promise<ObservedResponse[]> {
    const all: ObservedResponse[] = [];
    let launched = 0;
    let done = false;
    const worker = async (): Promise<void> => {
      while (!done && launched < cap && !this.stopped) {
        launched++;
        const o = await this.send(phase, { notBefore: opts.notBefore, cancelled: () => done });
        if (o === null) {
          launched--;
          done = done || this.stopped !== undefined;
          if (this.stopped) return;
          continue;
        }
        all.push(o);
        if (o.entry.outcome === 'limited' || opts.stopWhen?.(o, all)) done = true;
      }
    };
    const workers = Math.max(1, Math.min(this.options.concurrency, cap));
    if (cap > 0) await Promise.all(Array.from({ length: workers }, worker));
    return all.sort((a, b) => a.entry.seq - b.entry.seq);
  }

  private record(seq: number, phase: Phase, res: HttpResponse): ObservedResponse {
    const receivedAt = res.timing.startedAt + res.timing.headersMs;
    const parsed = parseRateLimitHeaders(res.headers, { receivedAtMs: receivedAt });
    const state = primaryState(parsed);
    const limited = isLimitStatus(res.status);
    const latency = Math.round(res.timing.headersMs * 10) / 10;
    const entry: TimelineEntry = {
      seq,
      phase,
      sent_ms: res.timing.startedAt - this.startMs,
      latency_ms: latency,
      status: res.status,
      outcome: limited ? 'limited' : 'accepted',
      remaining: state?.remaining ?? null,
      reset_s: state?.reset_s ?? null,
      retry_after_s: parsed.retry_after_s,
    };
    const dateHeader = res.header('date');
    const o: ObservedResponse = {
      entry,
      parsed,
      received_at_ms: receivedAt,
      date_ms: dateHeader === undefined ? null : parseHttpDate(dateHeader),
    };
    this.observed.push(o);
    if (this.fastest === null || latency < this.fastest) this.fastest = latency;
    if (limited) {
      const hint = waitHintS(parsed);
      if (hint !== null && hint > 0)
        this.blockedUntil = Math.max(this.blockedUntil, receivedAt + hint * 1000);
    }
    return o;
  }

  private fail(seq: number, phase: Phase, sentAt: number, code: string, message: string): void {
    this.failed = true;
    this.error ??= { code, message };
    this.observed.push({
      entry: {
        seq,
        phase,
        sent_ms: sentAt - this.startMs,
        latency_ms: null,
        status: null,
        outcome: 'failed',
        remaining: null,
        reset_s: null,
        retry_after_s: null,
      },
      parsed: null,
      received_at_ms: this.now(),
      date_ms: null,
    });
  }
}
