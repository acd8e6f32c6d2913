import { connect, createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../helpers/browser.js';
import { startOidcProvider, type OidcFixture } from '../../helpers/oidc-provider.js';
import { assertNothingStored, configDirs, loginArgs, readConfig, startCli } from './harness.js';

/**
 * Where `apikit login`'s callback server listens (RFC 8252 §7.3, §8.3): on 127.0.0.1 only — asserted by
 * connecting, not by reading a message — and, when --listen names a non-loopback address, with a warning.
 */
let as: OidcFixture;
const configDir = configDirs('apikit-listener-');

beforeAll(async () => {
  as = await startOidcProvider();
});
afterAll(async () => {
  await as.close();
});

/** Opens (and at once closes) a TCP connection; resolves 'open' or the connect error's code. */
function probe(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 3000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve('open');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

function listenOn(host: string, port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, host, () => resolve(s));
  });
}

describe('the login callback listener', () => {
  // Only loopback addresses are probed (tests never send traffic anywhere else): a server bound to 0.0.0.0 or
  // :: (dual stack) would answer on 127.0.0.2 and ::1 as well, so refusals there show the bind is 127.0.0.1.
  it('accepts connections on 127.0.0.1 only: another loopback address and ::1 are refused', async () => {
    const dir = configDir();
    const run = startCli(loginArgs(as, '--no-browser'), { env: { APIKIT_CONFIG_DIR: dir } });
    const url = await run.authorizationUrl();
    const port = Number(new URL(new URL(url).searchParams.get('redirect_uri')!).port);
    expect(port).toBeGreaterThan(0);

    expect(await probe('127.0.0.1', port)).toBe('open');
    // Each of these would be answered by a server bound to 0.0.0.0 or :: (dual stack), or to another address.
    expect(await probe('127.0.0.2', port)).toBe('ECONNREFUSED');
    // Refused, or unreachable on a machine without IPv6: never answered.
    expect(await probe('::1', port)).not.toBe('open');

    // The probes did not disturb the login.
    const browser = new Browser();
    expect((await browser.request(await browser.authorize(url))).status).toBe(200);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/exposed beyond this machine/);
    expect(readConfig(dir).profiles!.default!.tokens).toBeDefined();
  });

  it.each([
    { listen: '0.0.0.0', blockOn: '127.0.0.1', warns: true },
    { listen: '127.0.0.2', blockOn: '127.0.0.2', warns: false },
  ])(
    '--listen $listen:PORT warns=$warns that the callback is exposed beyond this machine',
    async ({ listen, blockOn, warns }) => {
      // The port is taken on a loopback address, so apikit's bind fails right after the warning (exit 2): the
      // test never opens a socket on a non-loopback address itself.
      const blocker = await listenOn(blockOn);
      const port = (blocker.address() as { port: number }).port;
      try {
        const dir = configDir();
        const result = await startCli(loginArgs(as, '--no-browser', '--listen', `${listen}:${port}`), {
          env: { APIKIT_CONFIG_DIR: dir },
        }).done;
        const warning = `warning: --listen ${listen}: the callback server is exposed beyond this machine (anyone who can reach port ${port} can send it requests); PKCE and state still protect the login`;
        if (warns) expect(result.stderr).toContain(warning);
        else expect(result.stderr).not.toMatch(/exposed beyond this machine/);
        expect(result.code).toBe(2);
        expect(result.stderr).toContain(`error: port ${port} on ${listen} is already in use`);
        assertNothingStored(dir);
      } finally {
        await new Promise<void>((r) => blocker.close(() => r()));
      }
    },
  );
});
