import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli, tempDir } from '../../helpers/cli.js';
import { startBare, type AuditServer } from '../../fixtures/audit/servers.js';

/**
 * `apikit audit` refuses bad flags and bad combinations before anything is read or sent: exit 2, one line naming
 * the flag, no stack trace, nothing on stdout, nothing at the server.
 */
let server: AuditServer;
const tmp = tempDir('apikit-audit-usage-');
const saved = join(tmp.dir, 'r.http');
const notPem = join(tmp.dir, 'not.pem');

beforeAll(async () => {
  server = await startBare();
  writeFileSync(saved, 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{}');
  writeFileSync(notPem, 'not a certificate\n');
});
afterAll(async () => {
  await server?.close();
  tmp.cleanup();
});

const URL_ = (): string => server.url;
const HTTPS = (): string => server.url.replace('http:', 'https:');

describe('audit: usage errors are exit 2, before anything is sent', () => {
  it.each([
    { argv: () => ['audit'], want: /give the URL to audit/ },
    { argv: () => ['audit', 'ftp://127.0.0.1/'], want: /cannot be probed/ },
    { argv: () => ['audit', 'http://u:p@127.0.0.1:1/'], want: /carries credentials/ },
    { argv: () => ['audit', 'nonsense'], want: /is not a URL/ },
    {
      argv: () => ['audit', URL_(), '--format', 'xml'],
      want: /--format "xml" is not one of table, json, markdown, sarif/,
    },
    {
      argv: () => ['audit', URL_(), '--json', '--format', 'sarif'],
      want: /--json conflicts with --format sarif/,
    },
    {
      argv: () => ['audit', URL_(), '--target', 'web'],
      want: /--target "web" is not one of auto, api, html/,
    },
    { argv: () => ['audit', URL_(), '--fail-under', 'Z'], want: /--fail-under "Z": expected one of A\+/ },
    { argv: () => ['audit', URL_(), '-X', 'OPTIONS'], want: /sends its own CORS preflight/ },
    { argv: () => ['audit', URL_(), '-X', 'CONNECT'], want: /CONNECT opens a tunnel/ },
    { argv: () => ['audit', HTTPS(), '--assume-https'], want: /--assume-https .* https already/ },
    { argv: () => ['audit', 'http://192.0.2.1/', '--assume-https'], want: /--assume-https .*clear text/ },
    { argv: () => ['audit', URL_(), '--ca', notPem], want: /--ca applies to an https URL/ },
    { argv: () => ['audit', URL_(), '--http-url', 'http://127.0.0.1:1/'], want: /this URL is http/ },
    { argv: () => ['audit', HTTPS(), '--http-url', 'https://127.0.0.1:1/'], want: /is not an http:\/\/ URL/ },
    { argv: () => ['audit', HTTPS(), '--ca', notPem], want: /--ca ".*not\.pem": no PEM certificate/ },
    {
      argv: () => ['audit', HTTPS(), '--ca', join(tmp.dir, 'missing.pem')],
      want: /missing\.pem.*no such file/,
    },
    { argv: () => ['audit', '--headers', saved, '--bearer-env', 'T'], want: /offline: --bearer-env/ },
    { argv: () => ['audit', '--headers', saved, '-H', 'X-A: 1'], want: /offline: -H/ },
    { argv: () => ['audit', '--headers', saved, '-X', 'POST'], want: /offline: -X/ },
    { argv: () => ['audit', '--headers', saved, '--ca', notPem], want: /offline: --ca/ },
    { argv: () => ['audit', URL_(), '--fail-under', 'B', '--fail-under', 'C'], want: /takes one value/ },
    { argv: () => ['audit', URL_(), '--bearer-env', 'APIKIT_TEST_UNSET_VAR'], want: /APIKIT_TEST_UNSET_VAR/ },
    { argv: () => ['audit', URL_(), '--bearer-env', 'T', '--basic-env', 'U'], want: /choose one of/ },
    { argv: () => ['audit', URL_(), '--no-such-flag'], want: /unknown option '--no-such-flag'/ },
  ])('$want', async ({ argv, want }) => {
    const before = (await server.seen()).length;
    const r = await runCli(argv(), { env: { T: 'x', U: 'a:b' } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(want);
    // With --json the error is a JSON document on stdout (README "Conventions"); otherwise stdout stays empty.
    if (argv().includes('--json')) expect(JSON.parse(r.stdout)).toHaveProperty('error');
    else expect(r.stdout).toBe('');
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect((await server.seen()).length, 'nothing sent').toBe(before);
  });
});

describe('audit --help', () => {
  it('shows the synopsis, every flag and examples', async () => {
    const r = await runCli(['audit', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: apikit audit <url> \[-X <METHOD>\]/m);
    for (const flag of [
      '--target',
      '--format',
      '--fail-under',
      '--headers',
      '--assume-https',
      '--ca',
      '--http-url',
      '--bearer-env',
      '--profile',
      '--timeout',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^ {2}(-[A-Za-z], )?${flag}( |$)`, 'm'));
    }
    expect(r.stdout).toContain('Examples:');
  });

  it('apikit --help lists the group', async () => {
    const r = await runCli(['--help']);
    expect(r.stdout).toMatch(/^ {2}audit\s+grade an API's security headers/m);
  });
});
