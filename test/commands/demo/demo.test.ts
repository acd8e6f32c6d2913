import { existsSync, readdirSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { DemoResult } from '../../../src/commands/demo/view.js';
import { hasStackTrace, runBin, runCli, tempDir } from '../../helpers/cli.js';

/**
 * `apikit demo` from the built binary, as a new user runs it: the whole tour passes (exit 0) and its --json is
 * checked step by step; one step alone; an unknown step; the user's config directory untouched.
 */
const user = tempDir('apikit-demo-user-');
afterAll(() => user.cleanup());

type DemoDoc = Omit<DemoResult, 'outcome'>;

describe('apikit demo', () => {
  it('the whole tour: every step behaves as expected (exit 0), step by step in --json', async () => {
    const r = await runBin(['demo', '--json'], { env: { APIKIT_CONFIG_DIR: user.dir }, timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as DemoDoc;
    expect(doc.ok).toBe(true);
    expect(doc.kept_dir).toBeNull();
    expect(doc.steps.map((s) => s.name)).toEqual([
      'jwt',
      'client-credentials',
      'request',
      'apikey',
      'ratelimit',
      'cors',
      'audit',
      'login',
    ]);
    for (const step of doc.steps) {
      expect(step.failed, step.name).toBeNull();
      for (const c of step.commands) expect(c.exit_code, c.command).toBe(c.expected_exit_code);
    }
    const codes = (name: string) => doc.steps.find((s) => s.name === name)!.commands.map((c) => c.exit_code);
    // mint → decode → verify valid (0) → tampered (1) → alg none (1)
    expect(codes('jwt')).toEqual([0, 0, 0, 0, 1, 1]);
    // 200, 401, 403 (with the service token the client-credentials step kept)
    expect(codes('request')).toEqual([0, 1, 1]);
    expect(codes('cors')).toEqual([0, 1]);
    expect(codes('audit')).toEqual([0, 1, 0]);
    const commands = doc.steps.flatMap((s) => s.commands.map((c) => c.command));
    expect(commands.some((c) => c.startsWith('apikit probe versions '))).toBe(true);
    expect(commands.some((c) => c.startsWith('apikit login --issuer http://127.0.0.1:'))).toBe(true);
    // No secret in what it printed: tokens are kept in variables and shown as "$VAR".
    expect(r.stdout).not.toMatch(/ey[\w-]{20,}\.[\w-]{20,}\./);
    expect(hasStackTrace(r.stderr)).toBe(false);
    // The user's config directory was not touched (the demo works in a temporary one of its own).
    expect(existsSync(user.dir) ? readdirSync(user.dir) : []).toEqual([]);
  }, 150_000);

  it('--step jwt, piped: the command lines, their real output and a verdict per command, no colour', async () => {
    const r = await runCli(['demo', '--step', 'jwt'], { env: { APIKIT_CONFIG_DIR: user.dir } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('\u001b[');
    expect(r.stdout).toMatch(/^\$ apikit keys generate --alg ES256 --out \S+$/m);
    expect(r.stdout).toMatch(/^\$ TOKEN=\$\(apikit jwt mint --key \S+ --sub alice/m);
    expect(r.stdout).toMatch(/^ {2}invalid: alg "none"/m);
    expect(r.stdout).toMatch(/^✓ refused: an unsigned token is never accepted/m);
    expect(r.stdout).toMatch(/every step behaved as expected/);
  }, 60_000);

  it('--step login --keep: signs in as the test user, and keeps the directory it used', async () => {
    const r = await runCli(['demo', '--step', 'login', '--keep', '--json'], {
      env: { APIKIT_CONFIG_DIR: user.dir },
    });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as DemoDoc;
    expect(doc.steps[0]!.commands.map((c) => c.exit_code)).toEqual([0, 0, 0]);
    expect(doc.kept_dir).not.toBeNull();
    expect(existsSync(doc.kept_dir!)).toBe(true);
    rmSync(doc.kept_dir!, { recursive: true, force: true });
  }, 60_000);

  it('an unknown --step is exit 2 naming the steps', async () => {
    const r = await runCli(['demo', '--step', 'nope'], { env: { APIKIT_CONFIG_DIR: user.dir } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --step "nope" is not a step of the demo/);
    expect(r.stderr).toMatch(/jwt, client-credentials, request/);
    expect(r.stdout).toBe('');
  });
});
