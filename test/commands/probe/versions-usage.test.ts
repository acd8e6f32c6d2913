import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathApi, type VersionsApi } from '../../fixtures/versions/servers.js';
import { runCli } from '../../helpers/cli.js';
import {
  PROBE_BAD_INPUT,
  PROBE_HELP_FLAGS,
  refusedBeforeAnyRequest,
  withAndWithoutJson,
  type BadInput,
} from './usage-table.js';

/**
 * Every input of `apikit probe versions` is checked before anything is sent: exit 2, one line naming the flag and
 * the value, no budget line, nothing on stdout (with --json, the one error document), not one request at the
 * server. The rows every probe verb shares, but -X (the probe sends GETs only) and the ceiling of 1000 (this
 * verb's is 100), then its own.
 */
let server: VersionsApi;
beforeAll(async () => (server = await pathApi()));
afterAll(() => server.close());

const env = { API_TOKEN: 'tok-0123456789abcdef', NO_COLON: 'userpass' };

const SHARED = PROBE_BAD_INPUT.filter((row) => !/-X|ceiling of 1000/.test(row.want.source));

const BAD: BadInput[] = [
  ...SHARED,
  { argv: (u) => [u, '-X', 'POST'], want: /unknown option '-X'/ },
  { argv: (u) => [u, '--max-requests', '101'], want: /--max-requests "101" is above the ceiling of 100/ },
  { argv: (u) => [u, '--max-versions', '0'], want: /--max-versions "0" is not a positive whole number/ },
  { argv: (u) => [u, '--max-versions', '51'], want: /--max-versions "51" is above the ceiling of 50/ },
  {
    argv: (u) => [u, '--scheme', 'cookie'],
    want: /--scheme "cookie" is not one of auto, path, header, media-type, query/,
  },
  {
    argv: (u) => [u.replace('/v1/', '/'), '--scheme', 'path'],
    want: /--scheme path: the URL has no version segment/,
  },
  { argv: (u) => [u, '--scheme', 'query'], want: /--scheme query: the URL has no version parameter/ },
  { argv: (u) => [u, '--header-name', 'Bad Name'], want: /--header-name "Bad Name" is not a header name/ },
  {
    argv: (u) => [u, '--scheme', 'path', '--header-name', 'X-V'],
    want: /--header-name applies to --scheme header \(or auto\), not --scheme path/,
  },
  {
    argv: (u) => [u, '--fail-on', 'info'],
    want: /--fail-on "info": expected one of low, medium, high, critical/,
  },
];

describe('probe versions: bad input is refused before any request', () => {
  it.each(withAndWithoutJson(BAD))(
    '$argv → $want (json $json)',
    refusedBeforeAnyRequest('versions', () => server, env),
  );
});

describe('probe versions --help', () => {
  it('lists its flags, the shared ones but -X, and ends with examples', async () => {
    const r = await runCli(['probe', 'versions', '--help']);
    expect(r.code).toBe(0);
    for (const flag of PROBE_HELP_FLAGS.filter((f) => !f.startsWith('-X'))) expect(r.stdout).toContain(flag);
    for (const flag of [
      '--scheme <scheme>',
      '--header-name <NAME>',
      '--max-versions <N>',
      '--fail-on <severity>',
    ])
      expect(r.stdout).toContain(flag);
    expect(r.stdout).not.toContain('--request <METHOD>');
    expect(r.stdout).toMatch(/Examples:\n( {2}\$ apikit probe versions .+\n)+/);
  });

  it('apikit probe --help names the verb', async () => {
    const r = await runCli(['probe', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}versions /m);
  });
});
