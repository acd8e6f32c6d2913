import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import {
  PROBE_BAD_INPUT,
  PROBE_HELP_FLAGS,
  refusedBeforeAnyRequest,
  withAndWithoutJson,
  type BadInput,
} from './usage-table.js';
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

const BAD: BadInput[] = [
  // The flags every probe verb takes (usage-table.ts), then this verb's own.
  ...PROBE_BAD_INPUT,
  { argv: (u) => [u, '--request', 'G\u001b[2JET'], want: /-X "G\?\[2JET" is not an HTTP method/ },
  { argv: (u) => [u, '--max-requests', '1.5'], want: /--max-requests "1\.5" is not a positive whole number/ },
  { argv: (u) => [u, '--max-requests', '-3'], want: /--max-requests "-3" is not a positive whole number/ },
  {
    argv: (u) => [u, '--max-requests', 'lots'],
    want: /--max-requests "lots" is not a positive whole number/,
  },
  { argv: (u) => [u, '--duration', '0'], want: /--duration "0" is not a positive duration/ },
  { argv: (u) => [u, '--concurrency', '0'], want: /--concurrency "0" is not a positive whole number/ },
  { argv: (u) => [u, '--concurrency', '17'], want: /--concurrency "17" is above the ceiling of 16/ },
  {
    argv: (u) => [u, '--rate', '0'],
    want: /--rate "0" is not a positive rate \(e\.g\. 5, 5\/s, 0\.5\/s, 300\/m\)/,
  },
  { argv: (u) => [u, '--rate', 'fast'], want: /--rate "fast" is not a positive rate/ },
  { argv: (u) => [u, '--rate', '5/x'], want: /--rate "5\/x" is not a positive rate/ },
  { argv: (u) => [u, '--rate', '-1/s'], want: /--rate "-1\/s" is not a positive rate/ },
  { argv: (u) => [u, '--format', 'markdown', '--json'], want: /--json conflicts with --format markdown/ },
  {
    argv: (u) => [u, '--connect-timeout', 'never'],
    want: /--connect-timeout "never" is not a positive duration/,
  },
  {
    argv: (u) => [u, '--api-key-env', 'API_TOKEN', '--api-key-header', 'X-Key', '-H', 'x-key: other'],
    want: /-H x-key and --api-key-env both set the credential/,
  },
];

describe('probe ratelimit: bad input is exit 2 before any request', () => {
  it.each(withAndWithoutJson(BAD))(
    '$want (json=$json)',
    refusedBeforeAnyRequest('ratelimit', () => server, env),
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
      ...PROBE_HELP_FLAGS,
      '--data <BODY>',
      '--concurrency <C>',
      '--rate <R/s>',
      '--fail-if-unlimited',
    ]) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toMatch(/Usage: apikit probe ratelimit <url> \[-X <METHOD>\]/);
    expect(r.stdout.trimEnd()).toMatch(/Examples:\n(?: {2}\$ apikit probe ratelimit .+\n?)+$/);
  });

  it('`apikit --help` lists the probe group; `apikit probe --help` its verb', async () => {
    const root = await runCli(['--help']);
    expect(root.stdout).toMatch(/ {2}probe\s+measure an endpoint from outside: its rate limits/);
    const group = await runCli(['probe', '--help']);
    expect(group.code).toBe(0);
    expect(group.stdout).toMatch(/ratelimit \[options\] <url>\s+measure how an endpoint rate-limits/);
  });
});
