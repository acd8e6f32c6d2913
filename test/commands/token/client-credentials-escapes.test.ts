import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin, runCli, tempDir, type RunResult } from '../../helpers/cli.js';
import { startHostileAs, type HostileAs } from '../../helpers/hostile-as.js';

/**
 * Text a hostile authorization server sends — an OAuth error_description, a discovery document's issuer or
 * endpoints — reaches the terminal only through the sanitiser: no ESC sequence (clear screen, colours, window
 * title), no BEL, no bidi override, on a terminal or piped, in-process and through the built binary
 * (npm run build first).
 */
const EVIL = '\u001b[2J\u001b[31mpwned\u0007 \u202eevil';
const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((c) => c()));

function env(): Record<string, string> {
  const t = tempDir('apikit-escapes-');
  cleanups.push(t.cleanup);
  return { SECRET: 'client-secret-value', APIKIT_CONFIG_DIR: t.dir };
}

/** No control character or bidi override other than the colour apikit itself puts around "error:" and "hint:". */
function expectTerminalSafe(res: RunResult): void {
  const text = (res.stdout + res.stderr)
    .replaceAll('\u001b[31merror:\u001b[39m', 'error:')
    .replaceAll('\u001b[2mhint:\u001b[22m', 'hint:');
  // eslint-disable-next-line no-control-regex
  expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
}

const ccArgs = (endpoint: string[], ...extra: string[]) => [
  'token',
  'client-credentials',
  ...endpoint,
  '--client-id',
  'ci-bot',
  '--client-secret-env',
  'SECRET',
  '--no-cache',
  ...extra,
];

describe('an OAuth error_description with escapes', () => {
  let as: HostileAs;
  beforeAll(async () => {
    as = await startHostileAs({
      token: () => ({ status: 401, body: { error: 'invalid_client', error_description: EVIL } }),
    });
  });
  afterAll(() => as.close());

  it.each([{ tty: true }, { tty: false }])(
    'tty=$tty: exit 4, the description made visible',
    async ({ tty }) => {
      const res = await runCli(ccArgs(['--issuer', as.issuer]), { tty, env: env() });
      expect(res.code, res.stderr).toBe(4);
      expect(res.stdout).toBe('');
      expectTerminalSafe(res);
      expect(res.stderr).toContain('invalid_client (?[2J?[31mpwned? ?evil)');
    },
  );

  it.each([{ tty: true }, { tty: false }])(
    'tty=$tty --verbose: the traced answer is made visible too',
    async ({ tty }) => {
      const res = await runCli(['--verbose', ...ccArgs(['--issuer', as.issuer])], { tty, env: env() });
      expect(res.code, res.stderr).toBe(4);
      expect(res.stderr).toMatch(/^< 401 /m);
      // JSON escapes the C0 controls itself; the bidi override arrives raw and is the trace's to neutralise.
      expect(res.stderr).toContain('pwned\\u0007 ?evil');
      expectTerminalSafe(res);
    },
  );

  it('through the built binary, --token-endpoint', async () => {
    const res = await runBin(ccArgs(['--token-endpoint', `${as.issuer}/token`]), { env: env() });
    expect(res.code, res.stderr).toBe(4);
    expectTerminalSafe(res);
    expect(res.stderr).toContain('?[2J?[31mpwned? ?evil');
  });

  it('an OAuth error code with escapes is made visible too', async () => {
    const other = await startHostileAs({ token: () => ({ status: 400, body: { error: `bad${EVIL}` } }) });
    try {
      const res = await runCli(ccArgs(['--issuer', other.issuer]), { tty: true, env: env() });
      expect(res.code).toBe(3);
      expectTerminalSafe(res);
    } finally {
      await other.close();
    }
  });
});

describe('a discovery document with escapes', () => {
  it.each([{ tty: true }, { tty: false }])(
    'tty=$tty: an issuer that does not match → exit 2, made visible',
    async ({ tty }) => {
      const as = await startHostileAs({ discoveryIssuer: `https://as.example/${EVIL}` });
      try {
        const res = await runCli(ccArgs(['--issuer', as.issuer]), { tty, env: env() });
        expect(res.code, res.stderr).toBe(2);
        expect(res.stderr).toMatch(/names issuer "https:\/\/as\.example\/\?\[2J\?\[31mpwned\? \?evil"/);
        expectTerminalSafe(res);
      } finally {
        await as.close();
      }
    },
  );

  describe('an endpoint that is not a URL, or not https', () => {
    let server: Server;
    let issuer: string;
    let tokenEndpoint = '';
    beforeAll(async () => {
      server = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ issuer, token_endpoint: tokenEndpoint }));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it.each([
      { endpoint: `not a url ${EVIL}`, want: /is not a URL/ },
      { endpoint: `http://as.example/${EVIL}`, want: /must use https/ },
    ])('$want → exit 2, made visible', async ({ endpoint, want }) => {
      tokenEndpoint = endpoint;
      for (const tty of [true, false]) {
        const res = await runCli(ccArgs(['--issuer', issuer]), { tty, env: env() });
        expect(res.code, res.stderr).toBe(2);
        expect(res.stderr).toMatch(want);
        expect(res.stderr).toContain('?[2J?[31mpwned? ?evil');
        expectTerminalSafe(res);
      }
    });
  });
});
