import type { Readable } from 'node:stream';
import type { Context } from '../../context.js';
import { InputError } from '../../errors.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import type { DeviceCodePrompt, LoginUI } from '../../oauth/login-flow.js';

/** The longest line --manual accepts on stdin. */
const MAX_PASTE_BYTES = 16 * 1024;

/**
 * The login flows' UI on the terminal: what the user must act on goes to stderr as it is (not through the
 * redactor: the URL's state and nonce must survive, and are not secrets); warnings and progress go through
 * ctx.out like every other message; the pasted redirect is read from stdin.
 */
export function terminalLoginUI(ctx: Context): LoginUI {
  return {
    showUrl(url) {
      ctx.io.stderr.write(`Open this URL in a browser to sign in:\n\n  ${url}\n\n`);
    },
    showDeviceCode(code) {
      ctx.io.stderr.write(deviceCodeText(code));
    },
    askForPaste() {
      ctx.io.stderr.write(
        'After signing in, your browser is sent to a page that does not load. Copy its full address (or just the code)\n' +
          'and paste it here, then press Enter:\n',
      );
      return readLine(ctx.io.stdin, MAX_PASTE_BYTES);
    },
    warn(message) {
      ctx.out.warn(message);
    },
    waiting(message) {
      ctx.out.progress(message);
    },
    openBrowser(url) {
      return ctx.openUrl(url);
    },
  };
}

/**
 * The device flow's instructions. The user code and URLs come from the server: control characters (terminal
 * escape sequences) are replaced before they reach the terminal.
 */
export function deviceCodeText(code: DeviceCodePrompt): string {
  return (
    `To sign in, open ${terminalSafe(code.verificationUri)} and enter the code ${terminalSafe(code.userCode)}\n` +
    (code.verificationUriComplete ? `  (or open ${terminalSafe(code.verificationUriComplete)})\n` : '')
  );
}

/** One line from a stream (without the newline), or undefined at end of input. Bounded by `limit` bytes. */
function readLine(stream: Readable, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const done = (value: string | undefined, err?: unknown): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.pause();
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string): void => {
      buf += chunk.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(buf.slice(0, nl).replace(/\r$/, ''));
      else if (buf.length > limit)
        done(undefined, new InputError('the pasted line is too long', 'ERR_LOGIN_MANUAL_INPUT'));
    };
    const onEnd = (): void => done(buf.length > 0 ? buf : undefined);
    const onError = (err: unknown): void => done(undefined, err);
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.resume();
  });
}
