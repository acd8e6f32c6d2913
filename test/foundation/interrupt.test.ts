import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BIN, hasStackTrace, tempDir } from '../helpers/cli.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

/** Starts the built CLI, waits until stderr matches `ready`, sends SIGINT, and collects the outcome. */
function interruptWhen(argv: string[], ready: RegExp): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], {
      env: { PATH: process.env.PATH, HOME: dir, APIKIT_CONFIG_DIR: `${dir}/cfg` },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 20_000,
    });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (!sent && ready.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

it('Ctrl-C during a login waiting for its callback: exit 130, nothing stored, no stack trace', async () => {
  const r = await interruptWhen(
    [
      'login',
      '--authorization-endpoint',
      'http://127.0.0.1:9/authorize',
      '--token-endpoint',
      'http://127.0.0.1:9/token',
      '--client-id',
      'apikit-cli',
      '--scope',
      'read',
      '--no-browser',
    ],
    /http:\/\/127\.0\.0\.1:9\/authorize\?/,
  );
  expect(r.code).toBe(130);
  expect(r.stderr).toMatch(/interrupted/);
  expect(hasStackTrace(r.stderr)).toBe(false);
  let stored: string[] = [];
  try {
    stored = readdirSync(`${dir}/cfg`).filter((f) => f === 'config.json');
  } catch {
    // no config directory at all: nothing stored
  }
  expect(stored).toEqual([]);
});

it('Ctrl-C during an HTTP request that hangs: exit 130 at once, not a timeout', async () => {
  const server = createServer(() => undefined); // never answers
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    const r = await interruptWhen(
      ['jwt', 'verify', 'e30.e30.sig', '--jwks', `http://127.0.0.1:${port}/jwks`, '--verbose'],
      /> GET http:\/\/127\.0\.0\.1/,
    );
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted/);
    expect(r.stderr).not.toMatch(/timed out/);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
