import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { judgeDoctor } from '../../lib/oauth/doctor.js';
import { gatherDoctorFacts } from '../../oauth/doctor.js';
import { addHttpOptions, httpUsage, withHttpFlags, type HttpOptionSet } from '../shared/http-flags.js';
import { resolveDoctorOptions, withoutCredentials, type DoctorFlags, type DoctorOptions } from './options.js';
import type { DoctorResult } from './result.js';
import { renderDoctor } from './view.js';

/**
 * `apikit doctor`: is an authorization server ready for `apikit login`? Gathers the facts over the network
 * (src/oauth/doctor.ts), judges the checklist (src/lib/oauth/doctor.ts, pure) and renders it (./view.ts).
 * Exit 0 when no item fails, 1 when one does, 3 when the issuer does not answer at all.
 */
export type { DoctorOptions, DoctorResult };

/**
 * Discovery, the JWKS and the authorization endpoint: transport flags only. No --follow-redirects: the doctor
 * reads answers as they are (a redirected document is a finding, and the authorization request's redirect is
 * the answer). Credential headers (-H Authorization, Cookie, API keys) go only to the issuer's own origin.
 */
const HTTP_OPTIONS: HttpOptionSet = {
  transport: true,
  help: { timeout: 'default 10s each', maxBody: 'lowers the ceilings: 524288 for discovery and the JWKS' },
};

export function registerDoctor(program: Command, ctx: Context): Command {
  const cmd = program
    .command('doctor')
    .description(
      'check that an authorization server is ready for apikit login: discovery, PKCE S256, RFC 9207 iss, a loopback ' +
        'redirect on any port (RFC 8252), client authentication, the JWKS, refresh, revocation, device flow, clock skew',
    )
    .usage(`--issuer <url> [--client-id <id>] [--port <n>] ${httpUsage(HTTP_OPTIONS)} [--json]`)
    .requiredOption('--issuer <url>', 'the authorization server (discovery: RFC 8414, then OpenID Connect)')
    .option(
      '--client-id <id>',
      'the public client apikit login would use: checks that it may redirect to a loopback port',
    )
    .option('--port <n>', 'the loopback port the redirect check asks for (default: a random one)');
  return addHttpOptions(cmd, HTTP_OPTIONS)
    .addHelpText(
      'after',
      `
Exit codes: 0 nothing failed (warnings allowed), 1 an item failed, 2 bad flags, 3 the issuer did not answer.

Examples:
  $ apikit doctor --issuer https://auth.example.com
  $ apikit doctor --issuer https://auth.example.com --client-id apikit-cli
  $ apikit doctor --issuer https://auth.example.com --client-id apikit-cli --port 8400 --json | jq '.checks[] | select(.status != "pass")'
  $ apikit doctor --issuer https://auth.example.com -H 'X-Tenant: acme' --timeout 5s
`,
    )
    .action(async (flags: DoctorFlags) => {
      await ctx.finish(await runDoctor(resolveDoctorOptions(flags, ctx), ctx), renderDoctor);
    });
}

export async function runDoctor(opts: DoctorOptions, context: Context): Promise<DoctorResult> {
  const ctx = withHttpFlags(context, opts.http);
  const elsewhere = withHttpFlags(context, withoutCredentials(context, opts.http));
  const facts = await gatherDoctorFacts(
    ctx,
    { issuer: opts.issuer, clientId: opts.clientId, port: opts.port },
    elsewhere,
  );
  const { checks, summary, outcome } = judgeDoctor(facts);
  return {
    issuer: opts.issuer,
    clientId: opts.clientId ?? null,
    checkedAt: new Date(context.clock.now()).toISOString(),
    verdict: summary.fail > 0 ? 'fail' : summary.warn > 0 ? 'warn' : 'pass',
    summary,
    checks,
    outcome,
  };
}
