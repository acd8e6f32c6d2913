import { describe, expect, it } from 'vitest';
import { renderLogin, type LoginResult } from '../../../src/commands/login/login.js';
import { hasAnsi, stderrOf, stdoutOf, viewFor } from '../../helpers/view.js';

const now = Date.UTC(2026, 0, 1);

const full: LoginResult = {
  name: 'default',
  grant: 'authorization_code',
  issuer: 'https://as.example',
  clientId: 'apikit-cli',
  subject: 'alice',
  scope: 'openid read:reports',
  resource: ['https://api.example'],
  audience: null,
  loggedIn: true,
  expiresAt: '2026-01-01T00:05:00Z',
  expiresIn: 300,
  expired: false,
  refreshable: true,
  obtainedAt: '2026-01-01T00:00:00Z',
  tokenEndpoint: 'https://as.example/token',
};

// No ID token or JWT access token, no scope, no expires_in: each part of the line says so.
const bare: LoginResult = {
  ...full,
  name: 'work',
  grant: 'device_code',
  subject: null,
  scope: null,
  expiresAt: null,
  expiresIn: null,
  refreshable: false,
};

describe('renderLogin', () => {
  it.each([
    {
      tty: true,
      json: false,
      result: full,
      err: 'Logged in as alice (profile "default"; scopes: openid read:reports; access token expires in 5m).\n',
    },
    {
      tty: false,
      json: false,
      result: full,
      err: 'Logged in as alice (profile "default"; scopes: openid read:reports; access token expires in 5m).\n',
    },
    {
      tty: true,
      json: false,
      result: bare,
      err: 'Logged in (profile "work"; no scopes; access token expiry unknown).\n',
    },
    {
      tty: false,
      json: false,
      result: bare,
      err: 'Logged in (profile "work"; no scopes; access token expiry unknown).\n',
    },
    { tty: true, json: true, result: full, err: '' },
    { tty: false, json: true, result: full, err: '' },
    { tty: false, json: true, result: bare, err: '' },
  ])('tty=$tty json=$json $result.name', ({ tty, json, result, err }) => {
    const rendered = renderLogin(result, viewFor({ tty, json, now }));
    const out = stdoutOf(rendered);
    if (json) {
      // One JSON document on stdout: the summary exactly, never a token.
      expect(JSON.parse(out)).toEqual(result);
      expect(out).toBe(JSON.stringify(result, null, 2) + '\n');
      expect(hasAnsi(out)).toBe(false);
    } else {
      // The result is a message for people: stdout stays empty.
      expect(out).toBe('');
    }
    expect(stderrOf(rendered)).toBe(err);
  });

  it('the expiry is relative to the view\'s time ("expired" tokens read "ago")', () => {
    const later = renderLogin(full, viewFor({ tty: false, now: now + 10 * 60_000 }));
    expect(stderrOf(later)).toContain('access token expires 5m ago');
  });
});
