import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  renderSandbox,
  requestLogLine,
  tryCommands,
  type SandboxResult,
} from '../../../src/commands/sandbox/view.js';
import { stdoutOf, viewFor } from '../../helpers/view.js';

const result: SandboxResult = {
  issuer: 'http://127.0.0.1:7301',
  api_url: 'http://127.0.0.1:7300',
  clients: {
    public: { client_id: 'apikit-cli' },
    confidential: {
      client_id: 'sandbox-service',
      secret_file: '/home/u/.config/apikit/sandbox/client-secret',
    },
    private_key_jwt: {
      client_id: 'sandbox-signer',
      key_file: '/home/u/.config/apikit/sandbox/signer.key.pem',
    },
  },
  user: { username: 'alice', password: 'wonderland' },
  resource: 'http://127.0.0.1:7300',
  scopes: ['read:posts', 'write:posts', 'delete:posts'],
  api_key_file: "/home/u/it's here/api-key",
  cors_origins: ['http://localhost:3000'],
  rate_limiter: 'memory',
  state_dir: '/home/u/.config/apikit/sandbox',
  outcome: 'ok',
};

describe('renderSandbox', () => {
  it.each([true, false])('tty=%s: the facts, then commands to paste; colour only on a terminal', (tty) => {
    const out = stdoutOf(renderSandbox(result, viewFor({ tty })));
    expect(out.includes('\u001b[')).toBe(tty);
    const plain = stripVTControlCharacters(out);
    expect(plain).toContain('http://127.0.0.1:7301');
    expect(plain).toMatch(/test user +alice \/ wonderland/);
    expect(plain).toContain('secret in /home/u/.config/apikit/sandbox/client-secret');
    for (const [, command] of tryCommands(result)) expect(plain).toContain(command);
  });

  it('--json: exactly the documented document, without the verdict', () => {
    const out = stdoutOf(renderSandbox(result, viewFor({ tty: false, json: true })));
    const { outcome: _o, ...info } = result;
    expect(JSON.parse(out)).toEqual(info);
  });

  it('the commands quote paths for a POSIX shell and use this sandbox’s URLs and files', () => {
    const commands = tryCommands(result).map(([, c]) => c);
    expect(commands.join('\n')).toContain(`$(cat '/home/u/it'\\''s here/api-key')`);
    expect(
      commands.some((c) =>
        c.startsWith('apikit login --issuer http://127.0.0.1:7301 --client-id apikit-cli'),
      ),
    ).toBe(true);
    expect(
      commands.some((c) => c.includes('--client-secret-file /home/u/.config/apikit/sandbox/client-secret')),
    ).toBe(true);
    expect(
      commands.some((c) => c.includes('--private-key /home/u/.config/apikit/sandbox/signer.key.pem')),
    ).toBe(true);
  });

  it('the request log line: server, method, path, status, time; control characters from the path neutralised', () => {
    const line = requestLogLine(
      { server: 'api', method: 'GET', path: '/v1/\u001b[2Jposts', status: 404, ms: 3 },
      viewFor({ tty: false }),
    );
    expect(line).not.toContain('\u001b');
    expect(line).toMatch(/^api {4}GET \/v1\/.*posts 404 3 ms$/);
  });
});
