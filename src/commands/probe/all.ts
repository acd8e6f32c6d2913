import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { Rendered, View } from '../../io/render.js';
import type { CorsReport } from '../../lib/cors/types.js';
import { worst, type Outcome } from '../../lib/outcome.js';
import type { RateLimitReport } from '../../lib/ratelimit/types.js';
import { renderMarkdown } from '../../lib/report/markdown.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import type { RateLimitProbeOptions } from '../../probes/ratelimit.js';
import { enforceFlagRules } from '../shared/flag-rules.js';
import { addHttpOptions } from '../shared/http-flags.js';
import {
  addCorsOptions,
  corsOutcome,
  executeProbeCors,
  parseProbeCorsFlags,
  prepareProbeCors,
  printNotices,
  type CorsFlags,
} from './cors.js';
import { corsMarkdownBlocks } from './cors-markdown.js';
import { renderCorsTable } from './cors-view.js';
import { budgetLine, executeProbeRatelimit } from './ratelimit.js';
import { ratelimitMarkdown } from './ratelimit-markdown.js';
import { renderRatelimitTable } from './ratelimit-view.js';
import {
  CREDENTIALS_USAGE,
  PROBE_HTTP_OPTIONS,
  TRANSPORT_USAGE,
  type ProbeFormat,
} from '../shared/probe-flags.js';
import { finishProbe } from '../shared/probe-run.js';

/**
 * `apikit probe <url>` with no verb: the CORS probe, then a short rate-limit probe, one report with both. The
 * rate-limit part is kept short (ALL_RATELIMIT_MAX_REQUESTS requests, ALL_RATELIMIT_DURATION_MS) so that the
 * combined run stays a quick check; for other bounds run the two verbs. CORS goes first: a limiter that counts
 * the CORS requests has spent part of its quota when the rate-limit part starts (its burst is then what was left),
 * whereas a limiter exhausted first would answer the CORS requests with 429s, whose headers say nothing of CORS.
 */
export const ALL_RATELIMIT_MAX_REQUESTS = 40;
export const ALL_RATELIMIT_DURATION_MS = 15_000;

export interface ProbeAllResult {
  cors: CorsReport;
  ratelimit: RateLimitReport;
  format: ProbeFormat;
  outcome: Outcome;
}

interface AllFlags extends CorsFlags {
  failIfUnlimited?: boolean;
}

const USAGE =
  '<url> [--origin <TRUSTED> ...] [-X <METHOD>] [--request-header <NAME> ...] ' +
  '[--format {table | json | markdown}] [--fail-on {low | medium | high}] [--fail-if-unlimited] ' +
  `${CREDENTIALS_USAGE} [-H <line> ...] ${TRANSPORT_USAGE}`;

/**
 * Makes `probe` itself take a URL: `apikit probe <url> [options]`. Registered only when the word after `probe`
 * is not one of its verbs, so a verb's own flags never meet these (index.ts). A plain word that is not a URL is
 * a mistyped verb: commander's "unknown command" with its suggestion.
 */
export function registerProbeAll(probe: Command, ctx: Context): void {
  // The verbs are registered already (they inherit a command's settings when created): excess arguments are
  // checked in the action, after a mistyped verb has had its suggestion.
  probe.allowExcessArguments(true);
  probe.argument(
    '[url]',
    `with no verb: probe this URL for CORS, then for its rate limit (at most ${ALL_RATELIMIT_MAX_REQUESTS} requests over 15 s)`,
  );
  addCorsOptions(probe).option(
    '--fail-if-unlimited',
    `exit 1 when the rate-limit part found no limit (in ${ALL_RATELIMIT_MAX_REQUESTS} requests)`,
  );
  addHttpOptions(probe, PROBE_HTTP_OPTIONS).action(
    async (url: string | undefined, flags: AllFlags, cmd: Command) => {
      if (url === undefined) return probe.help({ error: true });
      if (!/[:/.]/.test(url)) unknownVerb(probe, url);
      if (cmd.args.length > 1) {
        probe.error(
          `error: too many arguments for 'probe'. Expected 1 argument but got ${cmd.args.length}.`,
          {
            code: 'commander.excessArguments',
          },
        );
      }
      const cors = parseProbeCorsFlags(url, flags, ctx);
      const result = await runProbeAll(cors, flags.failIfUnlimited === true, ctx);
      await finishProbe(ctx, result, renderProbeAll, result.cors.error ?? result.ratelimit.error);
    },
  );
  enforceFlagRules(probe);
  // Options given before a verb would be the group's, not the verb's, and silently lost to it.
  probe.hook('preSubcommand', (thisCommand, sub) => {
    const given = Object.keys(thisCommand.opts()).filter(
      (k) => thisCommand.getOptionValueSource(k) === 'cli',
    );
    if (given.length === 0) return;
    const option = thisCommand.options.find((o) => o.attributeName() === given[0]);
    thisCommand.error(
      `error: ${option?.long ?? given[0]} before '${sub.name()}': give a verb's flags after it ` +
        `(apikit probe ${sub.name()} <url> ${option?.long ?? ''} …)`,
      { code: 'commander.unknownOption' },
    );
  });
  probe.usage(`${USAGE}\n       apikit probe {cors | ratelimit | versions} <url> [options]`);
}

/** commander's own message and suggestion ("Did you mean ratelimit?") for a word that is neither verb nor URL. */
function unknownVerb(probe: Command, word: string): never {
  const own = (probe as unknown as { unknownCommand?: () => never }).unknownCommand;
  if (typeof own === 'function') own.call(probe);
  probe.error(`error: unknown command '${terminalSafe(word, 80)}'`, { code: 'commander.unknownCommand' });
}

export async function runProbeAll(
  corsOpts: ReturnType<typeof parseProbeCorsFlags>,
  failIfUnlimited: boolean,
  ctx: Context,
): Promise<ProbeAllResult> {
  const prepared = await prepareProbeCors(corsOpts, ctx);
  const rl: RateLimitProbeOptions = {
    url: corsOpts.url,
    method: corsOpts.method,
    headers: prepared.probe.headers,
    body: undefined,
    maxRequests: ALL_RATELIMIT_MAX_REQUESTS,
    durationMs: ALL_RATELIMIT_DURATION_MS,
    concurrency: 1,
    ratePerS: null,
    timeoutMs: prepared.probe.timeoutMs,
  };
  // Both budgets before the first request of either.
  printNotices(prepared, ctx);
  ctx.out.notice(`then ${budgetLine(rl)}`);

  const cors = await executeProbeCors(prepared, ctx);
  // After Ctrl-C this returns at once, an empty report stopped 'interrupted': nothing more is sent.
  const ratelimit = await executeProbeRatelimit(rl, prepared, ctx);
  return {
    cors,
    ratelimit,
    format: corsOpts.format,
    outcome: worst(
      corsOutcome(cors, corsOpts.failOn),
      failIfUnlimited && !ratelimit.limited ? 'negative' : 'ok',
    ),
  };
}

/** JSON: `{cors, ratelimit}` (the two reports exactly); table and Markdown: the CORS section, then the rate limit. */
export function renderProbeAll(result: ProbeAllResult, view: View): Rendered {
  if (view.json || result.format === 'json') {
    return view.doc().json({ cors: result.cors, ratelimit: result.ratelimit }).blocks;
  }
  if (result.format === 'markdown') {
    const cors = renderMarkdown(corsMarkdownBlocks(result.cors));
    return view.doc().result(`${cors}\n${ratelimitMarkdown(result.ratelimit)}`).blocks;
  }
  const c = view.color.out;
  const doc = view.doc();
  doc.result(c.bold('CORS'));
  doc.add(renderCorsTable(result.cors, view, 'cors'));
  doc.result(c.bold('Rate limit'));
  doc.add(renderRatelimitTable(result.ratelimit, view));
  // Each section says when it is partial; once is enough.
  const seen = new Set<string>();
  return doc.blocks.filter((b) => {
    if (b.to !== 'err') return true;
    if (seen.has(b.text)) return false;
    seen.add(b.text);
    return true;
  });
}
