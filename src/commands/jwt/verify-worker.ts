import { parentPort, workerData } from 'node:worker_threads';
import { Chalk } from 'chalk';
import { extractToken } from '../../lib/jwt/token-text.js';
import { verifyToken } from '../../lib/jwt/verify.js';
import type { Verdict } from '../../lib/jwt/verdict.js';
import { formatVerdictLine, type LineView } from './verdict-line.js';
import type { BlockJob, BlockMark, BlockResult, PoolSetup, ReadyMessage } from './verify-pool.js';

/**
 * A worker thread of a large `jwt verify` batch (see verify-pool.ts): blocks of whole stdin lines in, their
 * verdict lines out, with the same verifyToken, the same line rules and the same formatting as the main thread.
 * Blocks are done one after another, so the verdict warnings this worker leaves out as "sent before" were sent in
 * an earlier line: the main thread, writing in input order, has seen them by then.
 */
const setup = workerData as PoolSetup;
const port = parentPort!;
const view: LineView = { json: setup.json, color: { out: new Chalk({ level: setup.colorLevel }) } };
const sent = new Set<string>();
/** Tokens of a block verified at once: WebCrypto runs them on the thread pool. */
const WINDOW = 64;

async function runBlock(job: BlockJob): Promise<BlockResult> {
  const lines = job.text.split('\n');
  if (job.text.endsWith('\n')) lines.pop();
  const result: BlockResult = { id: job.id, out: '', marks: [], valid: 0, invalid: 0 };
  const tokens: { text: string; line: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const line = job.firstLine + i;
    if (text.trim() === '') continue;
    // UTF-8 takes at most 3 bytes per UTF-16 unit: only a long line needs counting.
    if (text.length * 3 > setup.maxBytes) {
      const size = Buffer.byteLength(extractToken(text), 'utf8');
      if (size > setup.maxBytes) {
        result.tooLarge = { line, size };
        break;
      }
    }
    tokens.push({ text, line });
  }
  let out = '';
  for (let i = 0; i < tokens.length; i += WINDOW) {
    const batch = tokens.slice(i, i + WINDOW);
    const verdicts: Verdict[] = await Promise.all(
      batch.map((t) => verifyToken(t.text, setup.ring, setup.policy, setup.nowMs)),
    );
    for (let j = 0; j < batch.length; j++) {
      const v = { ...verdicts[j]!, line: batch[j]!.line };
      if (v.valid) result.valid++;
      else result.invalid++;
      const fresh = v.warnings.filter((w) => !sent.has(w.id));
      if (fresh.length > 0) {
        for (const w of fresh) sent.add(w.id);
        const mark: BlockMark = { offset: out.length, line: v.line, warnings: fresh };
        result.marks.push(mark);
      }
      out += formatVerdictLine(v, view, setup.setup);
    }
  }
  result.out = out;
  return result;
}

let queue = Promise.resolve();
port.on('message', (job: BlockJob) => {
  queue = queue.then(
    () =>
      runBlock(job).then(
        (r) => port.postMessage(r),
        (err: unknown) => {
          const failure: BlockResult = { id: job.id, out: '', marks: [], valid: 0, invalid: 0 };
          failure.error = err instanceof Error ? err.message : String(err);
          port.postMessage(failure);
        },
      ),
    () => undefined,
  );
});
const ready: ReadyMessage = { ready: true };
port.postMessage(ready);
