import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { isListenError } from '../../server/loopback-server.js';
import { UsageError } from '../../errors.js';
import {
  DEFAULT_API_PORT,
  DEFAULT_ISSUER_PORT,
  resolveSandboxOptions,
  type SandboxCommandOptions,
  type SandboxFlags,
} from './options.js';
import { renderSandbox, requestLogLine, type SandboxResult } from './view.js';

/**
 * `apikit sandbox`: a real OpenID provider and the reference API on 127.0.0.1, until Ctrl-C or SIGTERM (exit 130,
 * both ports released). What it prints once both listen is the result (stdout): the URLs, clients, where the
 * secret and key files are, the test user and commands to paste; then one line per request on stderr unless
 * --quiet. oidc-provider (and redis, with --redis) load only here.
 */
export function registerSandbox(program: Command, ctx: Context): Command {
  return program
    .command('sandbox')
    .description(
      'run a local OpenID provider (oidc-provider) and a reference API on 127.0.0.1 to try every apikit command ' +
        'against: login, token, client credentials, request, probe ratelimit/cors/versions, audit',
    )
    .usage('[--port <n>] [--issuer-port <n>] [--redis <url> | --redis-env <VAR>] [--quiet] [--json]')
    .option('--port <n>', `the reference API's port (default ${DEFAULT_API_PORT}; 0 for a free one)`)
    .option('--issuer-port <n>', `the issuer's port (default ${DEFAULT_ISSUER_PORT}; 0 for a free one)`)
    .option('--redis <url>', 'keep the rate limiter in this Redis, so several sandboxes share one limit')
    .option('--redis-env <VAR>', 'the same, the URL read from $VAR (for a Redis with a password)')
    .option('--quiet', 'no request log on stderr')
    .addHelpText(
      'after',
      `
Keeps running until Ctrl-C or SIGTERM (exit 130). Secrets and keys live in <config dir>/sandbox/ (0600) and are
kept across restarts; APIKIT_CONFIG_DIR moves them. Nothing listens beyond 127.0.0.1.

--json prints one document once everything listens: {issuer, api_url, clients: {public: {client_id},
confidential: {client_id, secret_file}, private_key_jwt: {client_id, key_file}}, user: {username, password},
resource, scopes, api_key_file, cors_origins, rate_limiter, state_dir}.

Exit codes: 130 stopped, 2 bad flags or a port in use, 3 Redis unreachable.

Examples:
  $ apikit sandbox
  $ apikit sandbox --port 0 --issuer-port 0 --json > sandbox.json &
  $ apikit sandbox --redis redis://127.0.0.1:6379 --port 7310 --issuer-port 7311
  $ REDIS_URL='redis://:secret@127.0.0.1:6379' apikit sandbox --redis-env REDIS_URL
`,
    )
    .action(async (flags: SandboxFlags) => {
      await runSandbox(resolveSandboxOptions(flags, ctx), ctx);
    });
}

/** Starts the sandbox, prints what it is, and serves until the context's signal aborts. */
export async function runSandbox(opts: SandboxCommandOptions, ctx: Context): Promise<void> {
  if (ctx.signal.aborted) return;
  const { startSandbox } = await import('../../sandbox/index.js');
  let sandbox;
  try {
    sandbox = await startSandbox({
      port: opts.port,
      issuerPort: opts.issuerPort,
      redisUrl: opts.redisUrl,
      stateDir: opts.stateDir,
      clock: ctx.clock,
      signal: ctx.signal,
      onError: (err) => ctx.out.warn(`sandbox: ${(err as Error)?.message ?? String(err)}`),
      onRequest: opts.quiet ? undefined : (entry) => ctx.out.notice(requestLogLine(entry, ctx.view())),
    });
  } catch (err) {
    if (isListenError(err)) {
      const which = err.port === opts.issuerPort ? '--issuer-port' : '--port';
      throw new UsageError(err.message, err.code, { hint: `choose another ${which} (0 picks a free one)` });
    }
    throw err;
  }
  try {
    const result: SandboxResult = { ...sandbox.info, outcome: 'ok' };
    await ctx.finish(result, renderSandbox);
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    await sandbox.close();
  }
}
