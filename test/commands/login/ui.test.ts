import { PassThrough } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { deviceCodeText, terminalLoginUI } from '../../../src/commands/login/ui.js';
import { createContext } from '../../../src/context.js';
import { createIO } from '../../../src/io/io.js';

/** The login flows' terminal UI: what reaches stderr, byte for byte, and what is read from stdin. */
function terminal(tty: boolean) {
  const stdin = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const io = createIO(
    {
      stdin,
      stdout: new PassThrough(),
      stderr,
      stdinIsTTY: tty,
      stdoutIsTTY: tty,
      stderrIsTTY: tty,
      columns: 100,
    },
    {},
  );
  const opened: string[] = [];
  const ctx = createContext(io, {}, { openUrl: async (url) => void opened.push(url) });
  return { ui: terminalLoginUI(ctx), ctx, stdin, stderr: () => err, opened };
}

describe('terminalLoginUI', () => {
  it('shows the authorization URL unredacted (state and nonce survive), even when they look like secrets', () => {
    const t = terminal(false);
    t.ctx.redactor.add('state-value-0123456789');
    const url = 'https://as.example/auth?state=state-value-0123456789&nonce=n-0123456789';
    t.ui.showUrl(url);
    expect(t.stderr()).toBe(`Open this URL in a browser to sign in:\n\n  ${url}\n\n`);
  });

  it.each([
    {
      name: 'with a complete URI',
      code: {
        verificationUri: 'https://as.example/device',
        userCode: 'WXYZ-1234',
        verificationUriComplete: 'https://as.example/device?user_code=WXYZ-1234',
      },
      want:
        'To sign in, open https://as.example/device and enter the code WXYZ-1234\n' +
        '  (or open https://as.example/device?user_code=WXYZ-1234)\n',
    },
    {
      name: 'without one',
      code: { verificationUri: 'https://as.example/device', userCode: 'WXYZ-1234' },
      want: 'To sign in, open https://as.example/device and enter the code WXYZ-1234\n',
    },
    {
      name: 'with terminal escapes from a hostile server',
      code: {
        verificationUri: 'https://as.example/activate\u001b[2J',
        userCode: 'AB\u001b]0;pwned\u0007CD',
        verificationUriComplete: 'file:///etc/passwd\u202e',
      },
      want:
        'To sign in, open https://as.example/activate?[2J and enter the code AB?]0;pwned?CD\n' +
        '  (or open file:///etc/passwd?)\n',
    },
  ])('device code instructions $name', ({ code, want }) => {
    expect(deviceCodeText(code)).toBe(want);
    const t = terminal(true);
    t.ui.showDeviceCode(code);
    expect(t.stderr()).toBe(want);
  });

  it.each([
    { tty: true, progress: true },
    { tty: false, progress: false },
  ])('warnings always, progress only on a terminal (tty=$tty)', ({ tty, progress }) => {
    const t = terminal(tty);
    t.ui.warn('could not open a browser; open the URL above yourself');
    t.ui.waiting('Waiting for the sign-in to complete in the browser…');
    const err = stripVTControlCharacters(t.stderr());
    expect(err).toContain('warning: could not open a browser; open the URL above yourself\n');
    expect(err.includes('Waiting for the sign-in')).toBe(progress);
  });

  it('askForPaste prompts, then resolves with the pasted line (CRLF or LF), undefined at end of input', async () => {
    const t = terminal(false);
    const line = t.ui.askForPaste();
    expect(t.stderr()).toMatch(/paste it here, then press Enter:\n$/);
    t.stdin.write('http://127.0.0.1/callback?code=abc\r\n');
    expect(await line).toBe('http://127.0.0.1/callback?code=abc');
    const ended = terminal(false);
    const nothing = ended.ui.askForPaste();
    ended.stdin.end();
    expect(await nothing).toBeUndefined();
  });

  it('askForPaste refuses a line longer than 16 KiB', async () => {
    const t = terminal(false);
    const line = t.ui.askForPaste();
    t.stdin.write('x'.repeat(17 * 1024));
    await expect(line).rejects.toMatchObject({ code: 'ERR_LOGIN_MANUAL_INPUT' });
  });

  it('openBrowser hands the URL to ctx.openUrl', async () => {
    const t = terminal(true);
    await t.ui.openBrowser('https://as.example/auth');
    expect(t.opened).toEqual(['https://as.example/auth']);
  });
});
