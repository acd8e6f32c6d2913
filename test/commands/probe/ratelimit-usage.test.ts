import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../../helpers/cli.js';
import { startTinyLimiter, type TinyLimiter } from './tiny-limiter.js';

/**
 * Every input is checked before anything is sent: a bad value is exit 2 and one line naming the flag and the value
 * (a hint line at most), no budget line, nothing on stdout (with --json, the one error document), and not a single
 * request at the server.
 */
let server: TinyLimiter;
beforeAll(async () => (server = await startTinyLimiter()));
afterAll(() => server.close());

const env = { API_TOKEN: 'tok-0123456789abcdef', NO_COLON: 'userpass' };

const BAD: { argv: (url: string) => string[]; want: RegExp }[] = [
  { argv: () => ['not a url'], want: /"not a url" is not a URL/ },
  { argv: () => ['ftp://127.0.0.1/'], want: /"ftp:" URLs cannot be probed/ },
  { argv: (u) => [u.replace('//', '//user:pw@')], want: /the URL carries credentials .*--basic-env/ },
  { argv: (u) => [u, '-X', 'GE T'], want: /-X "GE T" is not an HTTP method/ },
  { argv: (u) => [u, '-X', 'connect'], want: /-X CONNECT opens a tunnel/ },
  { argv: (u) => [u, '--request', 'G\u001b[2JET'], want: /-X "G\?\[2JET" is not an HTTP method/ },
  { argv: (u) => [u, '--max-requests', '0'], want: /--max-requests "0" is not a positive whole number/ },
  { argv: (u) => [u, '--max-requests', '1.5'], want: /--max-requests "1\.5" is not a positive whole number/ },
  { argv: (u) => [u, '--max-requests', '-3'], want: /--max-requests "-3" is not a positive whole number/ },
  {
    argv: (u) => [u, '--max-requests', 'lots'],
    want: /--max-requests "lots" is not a positive whole number/,
  },
  { argv: (u) => [u, '--max-requests', '5000'], want: /--max-requests "5000" is above the ceiling of 1000/ },
  { argv: (u) => [u, '--duration', '0'], want: /--duration "0" is not a positive duration/ },
  { argv: (u) => [u, '--duration', 'soon'], want: /--duration "soon" is not a positive duration/ },
  { argv: (u) => [u, '--duration', '11m'], want: /--duration "11m" is above the ceiling of 10m/ },
  { argv: (u) => [u, '--concurrency', '0'], want: /--concurrency "0" is not a positive whole number/ },
  { argv: (u) => [u, '--concurrency', '17'], want: /--concurrency "17" is above the ceiling of 16/ },
  {
    argv: (u) => [u, '--rate', '0'],
    want: /--rate "0" is not a positive rate \(e\.g\. 5, 5\/s, 0\.5\/s, 300\/m\)/,
  },
  { argv: (u) => [u, '--rate', 'fast'], want: /--rate "fast" is not a positive rate/ },
  { argv: (u) => [u, '--rate', '5/x'], want: /--rate "5\/x" is not a positive rate/ },
  { argv: (u) => [u, '--rate', '-1/s'], want: /--rate "-1\/s" is not a positive rate/ },
  { argv: (u) => [u, '--format', 'yaml'], want: /--format "yaml" is not one of table, json, markdown/ },
  { argv: (u) => [u, '--json', '--format', 'table'], want: /--json conflicts with --format table/ },
  { argv: (u) => [u, '--format', 'markdown', '--json'], want: /--json conflicts with --format markdown/ },
  { argv: (u) => [u, '-H', 'no colon here'], want: /invalid header "no colon here"/ },
  { argv: (u) => [u, '--timeout', '0'], want: /--timeout "0" is not a positive duration/ },
  {
    argv: (u) => [u, '--connect-timeout', 'never'],
    want: /--connect-timeout "never" is not a positive duration/,
  },
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
    argv: (u) => [u, '--api-key-env', 'API_TOKEN', '--api-key-header', 'X-Key', '-H', 'x-key: other'],
    want: /-H x-key and --api-key-env both set the credential/,
  },
  {
    argv: (u) => [u, '--max-requests', '5', '--max-requests', '6'],
    want: /--max-requests takes one value; give it once/,
  },
  { argv: (u) => [u, '--follow-redirects'], want: /unknown option '--follow-redirects'/ },
  { argv: () => [], want: /missing required argument 'url'/ },
];

describe('probe ratelimit: bad input is exit 2 before any request', () => {
  it.each(BAD.flatMap((c) => [false, true].map((json) => ({ ...c, json }))))(
    '$want (json=$json)',
    async ({ argv, want, json }) => {
      const before = server.seen.length;
      const args = ['probe', 'ratelimit', ...argv(server.url), ...(json ? ['--json'] : [])];
      const r = await runCli(args, { env });
      expect(r.code, r.stderr).toBe(2);
      const lines = r.stderr.trimEnd().split('\n');
      // One line naming the problem; at most a hint (or commander's pointer to --help) after it.
      expect(lines[0]).toMatch(want);
      expect(
        lines.slice(1).every((l) => /^(hint: |\(run with --help for usage\))/.test(l)),
        r.stderr,
      ).toBe(true);
      expect(r.stderr).not.toContain('probing');
      expect(hasStackTrace(r.stderr)).toBe(false);
      if (args.includes('--json')) {
        const doc = JSON.parse(r.stdout) as { error: { code: string; exit_code: number } };
        expect(doc.error.exit_code).toBe(2);
        expect(doc.error.code).toMatch(/^ERR_/);
      } else {
        expect(r.stdout).toBe('');
      }
      expect(server.seen.length).toBe(before);
    },
  );

  it('a secret given as the env var name itself is not echoed', async () => {
    const r = await runCli(['probe', 'ratelimit', server.url, '--bearer-env', 'tok-0123456789abcdef'], {
      env,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('tok-0123456789abcdef');
  });

  it('--help lists every flag of the synopsis and ends with examples', async () => {
    const r = await runCli(['probe', 'ratelimit', '--help']);
    expect(r.code).toBe(0);
    for (const flag of [
      '-X, --request <METHOD>',
      '-H, --header <line>',
      '--data <BODY>',
      '--max-requests <N>',
      '--duration <duration>',
      '--concurrency <C>',
      '--rate <R/s>',
      '--format <format>',
      '--fail-if-unlimited',
      '--timeout <duration>',
      '--connect-timeout <duration>',
      '--max-body <bytes>',
      '--bearer-env <VAR>',
      '--api-key-env <VAR>',
      '--api-key-header <name>',
      '--basic-env <VAR>',
      '--profile <name>',
    ]) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toMatch(/Usage: apikit probe ratelimit <url> \[-X <METHOD>\]/);
    expect(r.stdout.trimEnd()).toMatch(/Examples:\n(?: {2}\$ apikit probe ratelimit .+\n?)+$/);
  });

  it('`apikit --help` lists the probe group; `apikit probe --help` its verb', async () => {
    const root = await runCli(['--help']);
    expect(root.stdout).toMatch(/ {2}probe\s+measure how an endpoint rate-limits/);
    const group = await runCli(['probe', '--help']);
    expect(group.code).toBe(0);
    expect(group.stdout).toMatch(/ratelimit \[options\] <url>\s+measure how an endpoint rate-limits/);
  });
});
