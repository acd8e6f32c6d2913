import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import {
  PROBE_BAD_INPUT,
  PROBE_HELP_FLAGS,
  refusedBeforeAnyRequest,
  withAndWithoutJson,
  type BadInput,
} from './usage-table.js';
import { ALLOW_LIST, startCorsServer, type CorsServer } from './cors-servers.js';

/**
 * Every input of `apikit probe cors` is checked before anything is sent: a bad value is exit 2 and one line
 * naming the flag and the value (a hint line at most), no budget line, nothing on stdout (with --json, the one
 * error document), and not a single request at the server.
 */
let server: CorsServer;
beforeAll(async () => (server = await startCorsServer({ cors: ALLOW_LIST })));
afterAll(() => server.close());

const env = { API_TOKEN: 'tok-0123456789abcdef', NO_COLON: 'userpass' };

const BAD: BadInput[] = [
  // The flags every probe verb takes (usage-table.ts), then this verb's own.
  ...PROBE_BAD_INPUT,
  // --origin must be a serialized origin, compared byte for byte: no near misses.
  {
    argv: (u) => [u, '--origin', 'https://app.example.com/'],
    want: /--origin "https:\/\/app\.example\.com\/" is not a serialized origin/,
  },
  {
    argv: (u) => [u, '--origin', 'https://app.example.com/v1'],
    want: /--origin "https:\/\/app\.example\.com\/v1" is not a serialized origin/,
  },
  {
    argv: (u) => [u, '--origin', 'https://App.Example.com'],
    want: /--origin "https:\/\/App\.Example\.com" is not a serialized origin/,
  },
  {
    argv: (u) => [u, '--origin', 'https://app.example.com:443'],
    want: /--origin "https:\/\/app\.example\.com:443" is not a serialized origin/,
  },
  { argv: (u) => [u, '--origin', 'app.example.com'], want: /--origin "app\.example\.com" is not an origin/ },
  {
    argv: (u) => [u, '--origin', 'ftp://files.example.com'],
    want: /--origin "ftp:\/\/files\.example\.com" is not an http or https origin/,
  },
  { argv: (u) => [u, '--origin', 'null'], want: /--origin "null" cannot be trusted/ },
  {
    argv: (u) => [u, '--origin', 'https://u:p@app.example.com'],
    want: /--origin: an origin carries no user:password@/,
  },
  {
    argv: (u) => [u, '--origin', 'https://a\u001b[2J.example'],
    want: /--origin "https:\/\/a\?\[2J\.example"/,
  },
  {
    argv: (u) => [u, ...Array.from({ length: 11 }, (_, i) => ['--origin', `https://a${i}.example`]).flat()],
    want: /--origin given 11 times: at most 10 trusted origins/,
  },
  { argv: (u) => [u, '--request-header', 'X Bad'], want: /--request-header "X Bad" is not a header name/ },
  {
    argv: (u) => [u, '-X', 'options'],
    want: /-X OPTIONS: the probe sends the preflights \(OPTIONS\) itself/,
  },
  { argv: (u) => [u, '-X', 'TRACE'], want: /-X TRACE: a page cannot send TRACE/ },
  {
    argv: (u) => [u, '--fail-on', 'info'],
    want: /--fail-on "info": expected one of low, medium, high, critical/,
  },
  {
    argv: (u) => [u, '--fail-on', 'bad'],
    want: /--fail-on "bad": expected one of low, medium, high, critical/,
  },
  {
    argv: (u) => [u, '-H', 'Origin: https://x.example'],
    want: /-H Origin: the probe sets it for every candidate/,
  },
  {
    argv: (u) => [u, '-H', 'Access-Control-Request-Method: PUT'],
    want: /-H Access-Control-Request-Method: the probe sets it/,
  },
];

describe('probe cors: bad input is exit 2 before any request', () => {
  it.each(withAndWithoutJson(BAD))(
    '$want (json=$json)',
    refusedBeforeAnyRequest(
      'cors',
      () => server,
      env,
      (stderr) => expect(stderr).not.toContain('\u001b[2J'),
    ),
  );

  it('a near-miss origin gets its serialization suggested', async () => {
    const r = await runCli(['probe', 'cors', server.url, '--origin', 'https://App.Example.com:443/']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('hint: did you mean --origin https://app.example.com?');
  });

  it('--help lists every flag of the synopsis and ends with examples', async () => {
    const r = await runCli(['probe', 'cors', '--help']);
    expect(r.code).toBe(0);
    for (const flag of [
      ...PROBE_HELP_FLAGS,
      '--origin <TRUSTED>',
      '--request-header <NAME>',
      '--fail-on <severity>',
    ]) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toMatch(/Usage: apikit probe cors <url> \[--origin <TRUSTED> \.\.\.\] \[-X <METHOD>\]/);
    expect(r.stdout).toContain('[--fail-on {low | medium | high}]');
    expect(r.stdout.trimEnd()).toMatch(/Examples:\n(?: {2}\$ apikit probe cors .+\n?)+$/);
  });
});
