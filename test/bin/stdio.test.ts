// The built binary writes a piped or redirected stdout/stderr straight to the descriptor (src/io/system.ts), and
// sets up Node's stdio streams only for a terminal or when it must. These run bin/apikit.js the way a shell or a
// script does — a file, a pipe the reader closes, a non-blocking pipe that fills up, /dev/null — and check what
// arrives, the exit code, and which of Node's own modules a command loads (the start-up cost, counted in modules,
// not timed: npm run bench times it).
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, hasStackTrace, requireBinary, runBin, startBin, tempDir } from '../helpers/cli.js';

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const TOKEN = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: 'stdio', iat: 1_700_000_000 })}.c2ln`;
/** A token whose decoded output (~300 KB) is several times a pipe's 64 KB buffer. */
const BIG = `${b64url({ alg: 'HS256' })}.${b64url({ sub: 'big', data: 'x'.repeat(300_000) })}.c2ln`;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function scratch(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return dir;
}

/** What `jwt decode --json` prints for a token, through an ordinary pipe. */
async function decodedJson(token: string): Promise<string> {
  const r = await runBin(['jwt', 'decode', '-', '--json', '--max-size', '1000000'], { stdin: token });
  expect(r.code).toBe(0);
  return r.stdout;
}

describe('stdout and stderr off a terminal', () => {
  it('a redirect to a file gets the whole output, once', async () => {
    const dir = scratch();
    const out = join(dir, 'out.json');
    const fd = openSync(out, 'w');
    try {
      const r = spawnSync(process.execPath, [BIN, 'jwt', 'decode', TOKEN, '--json'], {
        stdio: ['ignore', fd, 'pipe'],
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(r.status).toBe(0);
      expect(hasStackTrace(r.stderr)).toBe(false);
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(out, 'utf8')).toBe(await decodedJson(TOKEN));
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ payload: { sub: 'stdio' } });
  });

  it('stderr redirected to a file keeps the notes, stdout the result', () => {
    const dir = scratch();
    const err = join(dir, 'err.txt');
    const fd = openSync(err, 'w');
    let stdout: string;
    try {
      const r = spawnSync(process.execPath, [BIN, 'jwt', 'decode', TOKEN], {
        stdio: ['ignore', 'pipe', fd],
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(r.status).toBe(0);
      stdout = r.stdout;
    } finally {
      closeSync(fd);
    }
    expect(stdout).toContain('"sub": "stdio"');
    expect(readFileSync(err, 'utf8')).toMatch(/^note: signature not verified/m);
  });

  it('a reader that goes away early (EPIPE) ends the command quietly, exit 0', async () => {
    const { child, done } = startBin(['jwt', 'decode', '-', '--max-size', '1000000']);
    // Close our end of stdout before apikit writes: every write of its ~300 KB then fails with EPIPE.
    child.stdout.destroy();
    child.stdin.end(BIG);
    const { code, stderr } = await done;
    expect(code).toBe(0);
    expect(hasStackTrace(stderr)).toBe(false);
    expect(stderr).not.toMatch(/EPIPE|Error/);
  });

  const python = requireBinary('python3', () => spawnSync('python3', ['--version']).status === 0);
  it.skipIf(python.skip)(
    `a non-blocking pipe that fills up (EAGAIN) still gets every byte, in order ${python.reason}`,
    async () => {
      // The parent shares a non-blocking pipe (as some supervisors and Node parents do) and reads only after a
      // pause, so apikit's direct write stops at the pipe's 64 KB and the stream takes over for the rest.
      const dir = scratch();
      const tokenFile = join(dir, 'big.jwt');
      writeFileSync(tokenFile, BIG);
      const script = [
        'import os, subprocess, sys, time',
        'r, w = os.pipe()',
        'os.set_blocking(w, False)',
        'p = subprocess.Popen(sys.argv[1:], stdin=open(os.environ["TOKEN_FILE"], "rb"), stdout=w)',
        'os.close(w)',
        'time.sleep(1.0)',
        'chunks = []',
        'while True:',
        '    b = os.read(r, 65536)',
        '    if not b: break',
        '    chunks.append(b)',
        'sys.stderr.write("exit=%d\\n" % p.wait())',
        'sys.stdout.buffer.write(b"".join(chunks))',
      ].join('\n');
      const r = spawnSync(
        'python3',
        ['-c', script, process.execPath, BIN, 'jwt', 'decode', '-', '--json', '--max-size', '1000000'],
        {
          encoding: 'utf8',
          env: { ...process.env, TOKEN_FILE: tokenFile },
          timeout: 30_000,
          maxBuffer: 10e6,
        },
      );
      expect(r.stderr).toContain('exit=0');
      expect(r.stdout.length).toBeGreaterThan(300_000);
      expect(r.stdout).toBe(await decodedJson(BIG));
    },
  );
});

/**
 * Node's built-in modules a command loaded (process.moduleLoadList at exit, written by a preloaded script): the
 * cost of node:net, node:stream and node:tty is paid at start-up only where a command needs them.
 */
function builtinsLoaded(argv: string[], stdio: 'pipe' | 'ignore'): Set<string> {
  const dir = scratch();
  const list = join(dir, 'modules.txt');
  const preload = join(dir, 'list-modules.cjs');
  writeFileSync(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));\n`,
  );
  const r = spawnSync(process.execPath, ['--require', preload, BIN, ...argv], {
    stdio: [stdio, stdio, stdio],
    timeout: 20_000,
  });
  expect(r.status).toBe(0);
  return new Set(
    readFileSync(list, 'utf8')
      .split('\n')
      .filter((m) => m.startsWith('NativeModule '))
      .map((m) => m.slice('NativeModule '.length)),
  );
}

describe('what a command loads of Node itself', () => {
  it.each(['pipe', 'ignore'] as const)(
    'jwt decode with stdio %s: no node:stream, node:net or node:tty',
    (stdio) => {
      const loaded = builtinsLoaded(['jwt', 'decode', TOKEN], stdio);
      expect(loaded.has('fs')).toBe(true); // the list is real
      for (const m of ['stream', 'net', 'tty', 'internal/fs/promises', 'os'])
        expect(loaded.has(m), m).toBe(false);
    },
  );

  it('jwt verify --key reads the key file without node:fs/promises or a stdin stream', async () => {
    const dir = scratch();
    const made = await runBin(['keys', 'generate', '--alg', 'ES256', '--out', join(dir, 'k'), '--json']);
    expect(made.code).toBe(0);
    const minted = await runBin(['jwt', 'mint', '--key', join(dir, 'k.key.pem'), '--sub', 'x']);
    expect(minted.code).toBe(0);
    const loaded = builtinsLoaded(
      ['jwt', 'verify', minted.stdout.trim(), '--key', join(dir, 'k.pub.pem')],
      'pipe',
    );
    expect(loaded.has('crypto')).toBe(true);
    for (const m of ['internal/fs/promises', 'internal/fs/streams', 'net', 'tty', 'os']) {
      expect(loaded.has(m), m).toBe(false);
    }
  });
});
