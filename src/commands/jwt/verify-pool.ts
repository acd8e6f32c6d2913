import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { JwtWarning } from '../../lib/jwt/lint.js';
import type { Keyring } from '../../lib/jwt/keyring.js';
import type { VerifyPolicy } from '../../lib/jwt/verify.js';

/**
 * The worker threads of a large `jwt verify` batch. Signature checks are CPU-bound, so past a few hundred tokens
 * they are spread over one thread per core. The main thread only cuts stdin into blocks of whole lines and writes
 * the blocks' output in input order; each worker verifies with the same verifyToken and formats the same lines as
 * the main thread would. Memory stays bounded: at most IN_FLIGHT_PER_WORKER blocks per worker are out at once, and
 * the main thread reads no more stdin until the oldest block's output is written (stdout back-pressure included).
 */

/** Everything a worker needs, sent once (KeyObjects clone into worker threads). */
export interface PoolSetup {
  ring: Keyring;
  policy: VerifyPolicy;
  nowMs: number;
  maxBytes: number;
  json: boolean;
  colorLevel: 0 | 1 | 2 | 3;
  /** The run's setup warnings, which every JSON line carries. */
  setup: JwtWarning[];
}

/** Whole lines of stdin; `firstLine` is the number of its first line. */
export interface BlockJob {
  id: number;
  text: string;
  firstLine: number;
}

/** A verdict's warnings, at the offset of its line in `out` (the worker leaves out kinds it sent before). */
export interface BlockMark {
  offset: number;
  line: number;
  warnings: JwtWarning[];
}

export interface BlockResult {
  id: number;
  /** The verdict lines of the block, in order. */
  out: string;
  marks: BlockMark[];
  valid: number;
  invalid: number;
  /** A line over --max-size: the block's output stops before it, and so does the batch. */
  tooLarge?: { line: number; size: number };
  /** An unexpected failure in the worker (a bug): the batch fails with it. */
  error?: string;
}

/** The worker's first message, once it has loaded the verifier. */
export interface ReadyMessage {
  ready: true;
}

/** Blocks each worker may have out at once: one being verified, the next ones waiting in its queue. */
const IN_FLIGHT_PER_WORKER = 3;

export interface VerifyPool {
  /** True once every worker has loaded; until then the caller keeps verifying on its own thread. */
  readonly ready: boolean;
  /** False when a worker could not start: the caller stays on its own thread. */
  readonly usable: boolean;
  /** Hands a block to the least busy worker; when the most allowed are out, first writes the oldest's output. */
  submit(text: string, firstLine: number): Promise<void>;
  /** Waits for every block handed out and writes their output, in order. */
  drain(): Promise<void>;
  /** Stops the workers (whatever they were doing). */
  close(): Promise<void>;
}

interface Slot {
  worker: Worker;
  pending: number;
  ready: boolean;
}

/**
 * The worker script beside the bundle: dist/bundle/jwt-verify-worker.js, an entry point of scripts/bundle.js.
 * This module sits in a chunk (dist/bundle/chunks/) or in the entry's folder; when neither has it (running from
 * src/ under a test runner), undefined: the batch stays on the main thread.
 */
export function workerScript(): string | undefined {
  for (const rel of ['../jwt-verify-worker.js', './jwt-verify-worker.js']) {
    const url = new URL(rel, import.meta.url);
    if (url.protocol !== 'file:') continue;
    const path = fileURLToPath(url);
    if (existsSync(path)) return path;
  }
  return undefined;
}

export function startVerifyPool(
  script: string,
  threads: number,
  setup: PoolSetup,
  onResult: (result: BlockResult) => Promise<void>,
): VerifyPool {
  const slots: Slot[] = [];
  const waiting = new Map<
    number,
    { resolve: (r: BlockResult) => void; reject: (e: Error) => void; slot: Slot }
  >();
  const inFlight: Promise<BlockResult>[] = [];
  let nextId = 0;
  let failure: Error | undefined;
  let closed = false;

  const fail = (slot: Slot, err: Error): void => {
    failure ??= err;
    for (const [id, w] of waiting) {
      if (w.slot !== slot) continue;
      waiting.delete(id);
      w.reject(err);
    }
  };
  for (let i = 0; i < threads; i++) {
    const worker = new Worker(script, { workerData: setup });
    const slot: Slot = { worker, pending: 0, ready: false };
    worker.on('message', (msg: BlockResult | ReadyMessage) => {
      if ('ready' in msg) {
        slot.ready = true;
        return;
      }
      const w = waiting.get(msg.id);
      if (!w) return;
      waiting.delete(msg.id);
      slot.pending--;
      w.resolve(msg);
    });
    worker.on('error', (err) => fail(slot, err));
    worker.on('exit', (code) => {
      if (!closed) fail(slot, new Error(`a jwt verify worker thread stopped (exit ${code})`));
    });
    slots.push(slot);
  }

  const writeOldest = async (): Promise<void> => {
    const result = await inFlight.shift()!;
    if (result.error !== undefined) throw new Error(result.error);
    await onResult(result);
  };

  return {
    get ready() {
      return failure === undefined && slots.every((s) => s.ready);
    },
    get usable() {
      return failure === undefined;
    },
    async submit(text, firstLine) {
      // A worker that died takes no more blocks (a message to it would never be answered).
      if (failure !== undefined) throw failure;
      const slot = slots.reduce((a, b) => (b.pending < a.pending ? b : a));
      const id = nextId++;
      const result = new Promise<BlockResult>((resolve, reject) =>
        waiting.set(id, { resolve, reject, slot }),
      );
      // Awaited in order by writeOldest; a failure before then must not count as unhandled.
      result.catch(() => undefined);
      inFlight.push(result);
      slot.pending++;
      const job: BlockJob = { id, text, firstLine };
      slot.worker.postMessage(job);
      while (inFlight.length >= slots.length * IN_FLIGHT_PER_WORKER) await writeOldest();
    },
    async drain() {
      while (inFlight.length > 0) await writeOldest();
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
