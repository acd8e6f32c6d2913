import { expect } from 'vitest';
import type { Env } from '../../../src/context.js';
import { hasStackTrace, runCli, type RunResult } from '../../helpers/cli.js';

/**
 * The usage tests of a probe verb (ratelimit-usage, cors-usage). The bad-input table: every input is checked
 * before anything is sent; a row is the argv after `probe <verb>` (given the server's URL) and the first stderr
 * line wanted, and each row runs without and with --json. And the flags every probe verb's --help lists.
 */
export interface BadInput {
  argv: (url: string) => string[];
  want: RegExp;
}

/**
 * The rows of the flags every probe verb takes (commands/shared/probe-flags.ts, the shared HTTP flags): each verb's table starts
 * with these and adds its own.
 */
export const PROBE_BAD_INPUT: readonly BadInput[] = [
  { argv: () => ['not a url'], want: /"not a url" is not a URL/ },
  { argv: () => ['ftp://127.0.0.1/'], want: /"ftp:" URLs cannot be probed/ },
  { argv: (u) => [u.replace('//', '//user:pw@')], want: /the URL carries credentials .*--basic-env/ },
  { argv: (u) => [u, '-X', 'GE T'], want: /-X "GE T" is not an HTTP method/ },
  { argv: (u) => [u, '-X', 'connect'], want: /-X CONNECT opens a tunnel/ },
  { argv: (u) => [u, '--max-requests', '0'], want: /--max-requests "0" is not a positive whole number/ },
  { argv: (u) => [u, '--max-requests', '5000'], want: /--max-requests "5000" is above the ceiling of 1000/ },
  { argv: (u) => [u, '--duration', 'soon'], want: /--duration "soon" is not a positive duration/ },
  { argv: (u) => [u, '--duration', '11m'], want: /--duration "11m" is above the ceiling of 10m/ },
  { argv: (u) => [u, '--format', 'yaml'], want: /--format "yaml" is not one of table, json, markdown/ },
  { argv: (u) => [u, '--json', '--format', 'table'], want: /--json conflicts with --format table/ },
  { argv: (u) => [u, '-H', 'no colon here'], want: /invalid header "no colon here"/ },
  { argv: (u) => [u, '--timeout', '0'], want: /--timeout "0" is not a positive duration/ },
  { argv: (u) => [u, '--max-body', '0'], want: /--max-body "0" is not a positive number of bytes/ },
  {
    argv: (u) => [u, '--bearer-env', 'UNSET_VAR'],
    want: /--bearer-env: environment variable UNSET_VAR is not set/,
  },
  { argv: (u) => [u, '--basic-env', 'NO_COLON'], want: /\$NO_COLON must hold user:password/ },
  {
    argv: (u) => [u, '--bearer-env', 'API_TOKEN', '--api-key-env', 'API_TOKEN'],
    want: /choose one of --bearer-env, --api-key-env, --basic-env and --profile/,
  },
  {
    argv: (u) => [u, '--bearer-env', 'API_TOKEN', '-H', 'authorization: Bearer other'],
    want: /-H authorization and --bearer-env both set the credential: give it one way/,
  },
  {
    argv: (u) => [u, '--max-requests', '5', '--max-requests', '6'],
    want: /--max-requests takes one value; give it once/,
  },
  { argv: (u) => [u, '--follow-redirects'], want: /unknown option '--follow-redirects'/ },
  { argv: () => [], want: /missing required argument 'url'/ },
];

/** Every row twice: without and with --json. */
export function withAndWithoutJson(rows: readonly BadInput[]): (BadInput & { json: boolean })[] {
  return rows.flatMap((c) => [false, true].map((json) => ({ ...c, json })));
}

/**
 * The test of a row: exit 2 and one line naming the problem (at most a hint, or commander's pointer to --help,
 * after it), no budget line, no stack trace, nothing on stdout (with --json, the one error document), and not a
 * single request at the server. `alsoStderr` adds a verb's own checks of stderr.
 */
export function refusedBeforeAnyRequest(
  verb: string,
  server: () => { url: string; seen: readonly unknown[] },
  env: Env,
  alsoStderr: (stderr: string) => void = () => {},
): (row: BadInput & { json: boolean }) => Promise<void> {
  return async ({ argv, want, json }) => {
    const before = server().seen.length;
    const args = ['probe', verb, ...argv(server().url), ...(json ? ['--json'] : [])];
    const r: RunResult = await runCli(args, { env });
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(want);
    expect(
      lines.slice(1).every((l) => /^(hint: |\(run with --help for usage\))/.test(l)),
      r.stderr,
    ).toBe(true);
    expect(r.stderr).not.toContain('probing');
    alsoStderr(r.stderr);
    expect(hasStackTrace(r.stderr)).toBe(false);
    if (args.includes('--json')) {
      const doc = JSON.parse(r.stdout) as { error: { code: string; exit_code: number } };
      expect(doc.error.exit_code).toBe(2);
      expect(doc.error.code).toMatch(/^ERR_/);
    } else {
      expect(r.stdout).toBe('');
    }
    expect(server().seen.length).toBe(before);
  };
}

/** The flags every probe verb takes, as its --help lists them (the verb adds its own). */
export const PROBE_HELP_FLAGS: readonly string[] = [
  '-X, --request <METHOD>',
  '--max-requests <N>',
  '--duration <duration>',
  '--format <format>',
  '-H, --header <line>',
  '--timeout <duration>',
  '--connect-timeout <duration>',
  '--max-body <bytes>',
  '--bearer-env <VAR>',
  '--api-key-env <VAR>',
  '--api-key-header <name>',
  '--basic-env <VAR>',
  '--profile <name>',
];
