import { addAbortSignal } from 'node:stream';
import { availableParallelism } from 'node:os';
import type { Context } from '../../context.js';
import { InterruptedError, UsageError } from '../../errors.js';
import type { Keyring } from '../../lib/jwt/keyring.js';
import type { JwtWarning } from '../../lib/jwt/lint.js';
import { extractToken } from '../../lib/jwt/token-text.js';
import type { VerifyPolicy } from '../../lib/jwt/verify.js';
import { tooLarge } from './token-input.js';
import type { NumberedVerdict } from './verdict-line.js';
import type { BlockResult, VerifyPool } from './verify-pool.js';

/**
 * The batch of `jwt verify`: tokens on stdin, one per line, verdicts out in input order. The first tokens are
 * verified on the main thread; a batch that goes on past SMALL_BATCH starts one worker thread per core
 * (verify-pool.ts) and, once they have loaded, hands them the rest in blocks of lines.
 */

/** Tokens verified at once on the main thread: WebCrypto runs them on the thread pool, output order is kept. */
const BATCH_WINDOW = 64;
/**
 * Tokens verified on the main thread before the worker threads start. Starting them costs each core 50-100 ms
 * (every worker loads the verifier), and the main thread goes on alone meanwhile: bench/jwt-batch.js measured a
 * batch of 1500 tokens 9-22% slower when they started at 512, on 2 loaded cores.
 */
export const SMALL_BATCH = 2048;
/** Characters of stdin per block for a worker: ~100 tokens, so that a block's messages cost ~1% of its work. */
const BLOCK_CHARS = 32 * 1024;

/** Where the worker threads' output goes; the verb's sink formats the same lines itself otherwise. */
export interface BatchLines {
  /** How the lines are formatted (the setup warnings are known once the batch starts). */
  format(): { json: boolean; colorLevel: 0 | 1 | 2 | 3; setup: JwtWarning[] };
  write(text: string): Promise<void>;
  /** A verdict's warnings, before its line is written; the sink shows each kind once. */
  warnings(warnings: readonly JwtWarning[], line: number): Promise<void>;
}

export interface BatchOptions {
  ring: Keyring;
  policy: VerifyPolicy;
  maxBytes: number;
  verifyToken: typeof import('../../lib/jwt/verify.js').verifyToken;
  /** A verdict made on the main thread, in order. */
  take: (v: NumberedVerdict) => Promise<void>;
  /** Without it (a caller that wants verdict objects), the batch stays on the main thread. */
  lines?: BatchLines | undefined;
  /** Verdicts counted from a worker's block. */
  count: (valid: number, invalid: number) => void;
}

/**
 * APIKIT_VERIFY_THREADS: worker threads for a large batch (default: the cores Node may use,
 * os.availableParallelism()); 0 or 1 keeps every check on the main thread.
 */
export function verifyThreads(ctx: Context): number {
  const raw = ctx.env.APIKIT_VERIFY_THREADS;
  if (raw === undefined || raw === '') return availableParallelism();
  if (!/^\d+$/.test(raw) || Number(raw) > 256) {
    throw new UsageError(
      `APIKIT_VERIFY_THREADS "${raw}" is not a number of threads (0 to 256)`,
      'ERR_JWT_VERIFY_THREADS',
      { hint: 'unset it to use every core, or set 0 to verify on the main thread only' },
    );
  }
  return Number(raw);
}

/**
 * Reads stdin line by line (no whole-input buffering: a batch may be millions of tokens). Ctrl-C stops the
 * reading at once: the verdicts of the lines read in full are shown, the line being read is not a token and
 * gets none, and the run ends as interrupted (exit 130).
 */
export async function verifyLines(ctx: Context, o: BatchOptions): Promise<void> {
  const threads = o.lines ? verifyThreads(ctx) : 0;
  let rest = '';
  let lineNo = 0;
  let tokens = 0;
  let window: Promise<NumberedVerdict>[] = [];
  let pool: VerifyPool | undefined;
  let starting: Promise<VerifyPool | undefined> | undefined;
  const now = ctx.clock.now();
  const drain = async (): Promise<void> => {
    const done = await Promise.all(window);
    window = [];
    for (const v of done) await o.take(v);
  };
  const drainAll = async (): Promise<void> => {
    await drain();
    await pool?.drain();
  };
  const submit = async (line: string): Promise<void> => {
    lineNo++;
    if (line.trim() === '') return;
    const size = Buffer.byteLength(extractToken(line), 'utf8');
    if (size > o.maxBytes) {
      await drain();
      throw tooLarge(`the token on stdin line ${lineNo}`, size, o.maxBytes);
    }
    const n = lineNo;
    tokens++;
    window.push(o.verifyToken(line, o.ring, o.policy, now).then((v) => ({ ...v, line: n })));
  };
  const writeBlock = async (r: BlockResult): Promise<void> => {
    let from = 0;
    for (const m of r.marks) {
      if (m.offset > from) await o.lines!.write(r.out.slice(from, m.offset));
      from = m.offset;
      await o.lines!.warnings(m.warnings, m.line);
    }
    if (from < r.out.length) await o.lines!.write(from === 0 ? r.out : r.out.slice(from));
    o.count(r.valid, r.invalid);
    if (r.tooLarge) {
      throw tooLarge(`the token on stdin line ${r.tooLarge.line}`, r.tooLarge.size, o.maxBytes);
    }
  };
  /** Past SMALL_BATCH tokens, the workers start (in the background: the main thread goes on meanwhile). */
  const maybeStart = (): void => {
    if (starting || threads < 2 || tokens < SMALL_BATCH) return;
    const lines = o.lines!;
    starting = import('./verify-pool.js').then(({ startVerifyPool, workerScript }) => {
      const script = workerScript();
      if (script === undefined) return undefined;
      const f = lines.format();
      pool = startVerifyPool(
        script,
        threads,
        {
          ring: o.ring,
          policy: o.policy,
          nowMs: now,
          maxBytes: o.maxBytes,
          json: f.json,
          colorLevel: f.colorLevel,
          setup: f.setup,
        },
        writeBlock,
      );
      return pool;
    });
    // Workers that cannot start leave the batch on the main thread.
    starting = starting.catch(() => undefined);
  };
  let parallel = false;
  let announced = false;
  /** Once a block went to the workers, every later line goes there too (the output stays in order). */
  const poolReady = (): boolean => (parallel ||= pool !== undefined && pool.usable && pool.ready);
  /** Whole lines of `text` to the workers in blocks; returns what is left (a line not yet ended). */
  const toPool = async (text: string): Promise<string> => {
    if (!announced && ctx.flags.debug)
      ctx.out.notice(`debug: verifying on ${threads} worker threads from line ${lineNo + 1}`);
    announced = true;
    while (text.length > 0) {
      let cut = text.lastIndexOf('\n', BLOCK_CHARS);
      if (cut === -1) cut = text.indexOf('\n');
      if (cut === -1) return text;
      const block = text.slice(0, cut + 1);
      text = text.slice(cut + 1);
      const first = lineNo + 1;
      for (let i = block.indexOf('\n'); i !== -1; i = block.indexOf('\n', i + 1)) lineNo++;
      await pool!.submit(block, first);
    }
    return text;
  };
  const interrupted = async (): Promise<never> => {
    await drainAll();
    throw new InterruptedError();
  };
  const stdin = ctx.io.stdin;
  // Ctrl-C destroys the stream, so a pending read ends now rather than at the next chunk.
  addAbortSignal(ctx.signal, stdin);
  try {
    try {
      for await (const chunk of stdin) {
        rest += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
        if (!poolReady()) {
          let nl: number;
          while ((nl = rest.indexOf('\n')) !== -1) {
            await submit(rest.slice(0, nl));
            rest = rest.slice(nl + 1);
            if (window.length >= BATCH_WINDOW) {
              await drain();
              maybeStart();
              if (poolReady()) break;
            }
          }
        }
        if (poolReady()) {
          await drain();
          rest = await toPool(rest);
        }
        // A line far over the limit is not a token: say so without reading (or keeping) the rest of it.
        if (rest.length > o.maxBytes + 4096) {
          await drainAll();
          throw tooLarge(`the token on stdin line ${lineNo + 1}`, undefined, o.maxBytes);
        }
      }
    } catch (err) {
      if (ctx.signal.aborted) return await interrupted();
      throw err;
    }
    if (rest !== '') {
      // An interrupt and the end of input arrive together when Ctrl-C also stopped the program writing to us:
      // let the signal be seen before the last, unterminated line counts as a token.
      await new Promise((resolve) => setImmediate(resolve));
      if (ctx.signal.aborted) return await interrupted();
      if (poolReady()) {
        lineNo++;
        await pool!.submit(rest, lineNo);
      } else await submit(rest);
    }
    await drainAll();
    if (ctx.signal.aborted) throw new InterruptedError();
  } finally {
    // Workers still starting are stopped too: nothing may keep the process alive after the batch.
    const started = pool ?? (await starting?.catch(() => undefined));
    await started?.close();
  }
}
