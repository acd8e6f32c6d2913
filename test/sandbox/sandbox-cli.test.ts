import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runBin, runCli, tempDir } from '../helpers/cli.js';
import { startSandboxBin, type SandboxProcess } from './harness.js';

/**
 * `apikit sandbox` as a user runs it (the built CLI, a child process): the --json document, the files it keeps,
 * restarts, SIGTERM, a port in use, bad flags, the request log.
 */
const dirs: Array<() => void> = [];
const running: SandboxProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop('SIGKILL')));
  for (const cleanup of dirs) cleanup();
});

function configDir(): string {
  const t = tempDir('apikit-sandbox-');
  dirs.push(t.cleanup);
  return t.dir;
}

async function sandbox(dir: string, extra: string[] = []): Promise<SandboxProcess> {
  const s = await startSandboxBin(dir, extra);
  running.push(s);
  return s;
}

const mode = (file: string): number => statSync(file).mode & 0o777;

async function portIsFree(port: number): Promise<boolean> {
  const server: Server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('apikit sandbox --json', () => {
  it('prints one document naming everything, keeps secrets in 0600 files (never printed), and stops on SIGTERM with 130', async () => {
    const dir = configDir();
    const s = await sandbox(dir);
    const info = s.info;
    expect(info.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.api_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.resource).toBe(info.api_url);
    expect(info.clients.public.client_id).toBe('apikit-cli');
    expect(Object.keys(info).sort()).toEqual(
      [
        'api_key_file',
        'api_url',
        'clients',
        'cors_origins',
        'issuer',
        'rate_limiter',
        'resource',
        'scopes',
        'state_dir',
        'user',
      ].sort(),
    );
    expect(info.rate_limiter).toBe('memory');
    expect(info.cors_origins.length).toBeGreaterThan(0);
    expect(info.user.username).not.toBe('');
    const secret = readFileSync(info.clients.confidential.secret_file, 'utf8').trim();
    const apiKey = readFileSync(info.api_key_file, 'utf8').trim();
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(apiKey).toMatch(/^[a-z][a-z0-9_]*_[0-9A-Za-z]{36}$/);
    for (const file of [
      info.clients.confidential.secret_file,
      info.clients.private_key_jwt.key_file,
      info.api_key_file,
    ]) {
      expect(file.startsWith(dir)).toBe(true);
      expect(mode(file)).toBe(0o600);
    }
    expect(mode(info.state_dir)).toBe(0o700);
    // Discovery answers: the issuer is up.
    const discovery = (await (await fetch(`${info.issuer}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
    };
    expect(discovery.issuer).toBe(info.issuer);

    const end = await s.stop('SIGTERM');
    expect(end.code).toBe(130);
    expect(end.stdout + end.stderr).not.toContain(secret);
    expect(end.stdout + end.stderr).not.toContain(apiKey);
    expect(hasStackTrace(end.stderr)).toBe(false);
    const ports = [info.issuer, info.api_url].map((u) => Number(new URL(u).port));
    for (const port of ports) expect(await portIsFree(port)).toBe(true);
  });

  it('a restart with the same config directory keeps the client secret, the signer key and the API key', async () => {
    const dir = configDir();
    const first = await sandbox(dir);
    const read = (s: SandboxProcess) => [
      readFileSync(s.info.clients.confidential.secret_file, 'utf8'),
      readFileSync(s.info.clients.private_key_jwt.key_file, 'utf8'),
      readFileSync(s.info.api_key_file, 'utf8'),
    ];
    const before = read(first);
    expect((await first.stop()).code).toBe(130);
    const second = await sandbox(dir);
    expect(read(second)).toEqual(before);
    expect((await second.stop()).code).toBe(130);
  });

  it('a port in use is a one-line error naming the port (exit 2)', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      for (const flag of ['--port', '--issuer-port']) {
        const r = await runBin(
          ['sandbox', flag, String(port), ...(flag === '--port' ? ['--issuer-port', '0'] : ['--port', '0'])],
          {
            env: { APIKIT_CONFIG_DIR: configDir() },
          },
        );
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(
          new RegExp(`^error: cannot listen on 127\\.0\\.0\\.1:${port}: the port is already in use`),
        );
        expect(r.stderr).toContain(flag);
        expect(hasStackTrace(r.stderr)).toBe(false);
        expect(r.stdout).toBe('');
      }
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });

  it.each([
    [['--port', 'abc'], /--port "abc" is not a port/],
    [['--port', '70000'], /--port "70000" is not a port/],
    [['--issuer-port', '-1'], /is not a port|unknown option|argument missing/],
    [['--port', '7400', '--issuer-port', '7400'], /both 7400/],
    [['--redis', 'ftp://127.0.0.1'], /expected redis:\/\/ or rediss:\/\//],
    [['--redis', 'not a url'], /is not a URL/],
  ])('bad flags %j: exit 2 with a one-line error', async (argv, message) => {
    const r = await runCli(['sandbox', ...argv], { env: { APIKIT_CONFIG_DIR: configDir() } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('--redis-env: the URL (with its password) from the environment; unreachable is exit 3, the password never shown', async () => {
    const r = await runBin(['sandbox', '--port', '0', '--issuer-port', '0', '--redis-env', 'REDIS_URL'], {
      env: { APIKIT_CONFIG_DIR: configDir(), REDIS_URL: 'redis://:hunter2-from-env@127.0.0.1:1' },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('127.0.0.1:1');
    expect(r.stderr).not.toContain('hunter2-from-env');
    for (const [argv, env, message] of [
      [['--redis-env', 'NOPE'], {}, /--redis-env: environment variable NOPE is not set/],
      [['--redis-env', 'U'], { U: 'not a url :secret' }, /^error: --redis-env \(\$U\) is not a URL/],
      [
        ['--redis-env', 'U', '--redis', 'redis://x'],
        { U: 'redis://y' },
        /choose one of --redis and --redis-env/,
      ],
    ] as const) {
      const bad = await runCli(['sandbox', ...argv], { env: { APIKIT_CONFIG_DIR: configDir(), ...env } });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(message);
      expect(bad.stderr).not.toContain('secret');
    }
  });

  it('an unreachable Redis is exit 3 naming it (password redacted), and nothing keeps listening', async () => {
    const r = await runBin(
      ['sandbox', '--port', '0', '--issuer-port', '0', '--redis', 'redis://:hunter2-very-secret@127.0.0.1:1'],
      {
        env: { APIKIT_CONFIG_DIR: configDir() },
      },
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('127.0.0.1:1');
    expect(r.stderr).not.toContain('hunter2-very-secret');
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('logs each request on stderr (method, path without the query, status) unless --quiet', async () => {
    const loud = await sandbox(configDir());
    await fetch(`${loud.info.api_url}/v1/posts?api_key=should-not-be-logged`);
    await fetch(`${loud.info.issuer}/.well-known/openid-configuration`);
    const quiet = await sandbox(configDir(), ['--quiet']);
    await fetch(`${quiet.info.api_url}/v1/posts`);
    const loudEnd = await loud.stop();
    const quietEnd = await quiet.stop();
    expect(loudEnd.stderr).toMatch(/^api +GET \/v1\/posts 4\d\d \d+ ms$/m);
    expect(loudEnd.stderr).toMatch(/^issuer GET \/\.well-known\/openid-configuration 200 \d+ ms$/m);
    expect(loudEnd.stderr).not.toContain('should-not-be-logged');
    expect(quietEnd.stderr).not.toMatch(/GET \/v1\/posts/);
  });
});
