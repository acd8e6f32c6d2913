import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  renderLogout,
  type LogoutProfileResult,
  type LogoutResult,
} from '../../../src/commands/logout/logout.js';
import { hasAnsi, stderrOf, stdoutOf, viewFor } from '../../helpers/view.js';

const revoked: LogoutProfileResult = {
  name: 'default',
  wasLoggedIn: true,
  revoked: { refreshToken: true, accessToken: true },
  forgotten: true,
  warnings: [],
};
const offline: LogoutProfileResult = {
  name: 'work',
  wasLoggedIn: true,
  revoked: { refreshToken: false, accessToken: false },
  forgotten: true,
  warnings: [
    'could not revoke the refresh token (connection refused)',
    'could not revoke the access token (connection refused)',
  ],
};
const loggedOut: LogoutProfileResult = {
  name: 'old',
  wasLoggedIn: false,
  revoked: { refreshToken: null, accessToken: null },
  forgotten: false,
  warnings: [],
};
const noEndpoint: LogoutProfileResult = {
  name: 'cc',
  wasLoggedIn: true,
  revoked: { refreshToken: null, accessToken: null },
  forgotten: true,
  warnings: ['the issuer has no revocation endpoint: the tokens stay valid until they expire'],
};

const all: LogoutResult = { profiles: [revoked, offline, loggedOut, noEndpoint] };
const none: LogoutResult = { profiles: [] };

const warnings = [
  'profile "work": could not revoke the refresh token (connection refused)\n',
  'profile "work": could not revoke the access token (connection refused)\n',
  'profile "cc": the issuer has no revocation endpoint: the tokens stay valid until they expire\n',
];
const notices = [
  'Logged out of profile "default" (tokens revoked at the issuer).\n',
  'Logged out of profile "work" (tokens deleted locally only).\n',
  'Profile "old" was not logged in.\n',
  'Logged out of profile "cc" (tokens deleted locally only).\n',
];

describe('renderLogout', () => {
  it.each([
    { tty: true, json: false, result: all, err: [...warnings.map((w) => `warning: ${w}`), ...notices] },
    { tty: false, json: false, result: all, err: [...warnings.map((w) => `warning: ${w}`), ...notices] },
    { tty: true, json: true, result: all, err: warnings.map((w) => `warning: ${w}`) },
    { tty: false, json: true, result: all, err: warnings.map((w) => `warning: ${w}`) },
    { tty: true, json: false, result: none, err: ['No profiles to log out of.\n'] },
    { tty: false, json: false, result: none, err: ['No profiles to log out of.\n'] },
    { tty: false, json: true, result: none, err: [] },
  ])('tty=$tty json=$json, $result.profiles.length profiles', ({ tty, json, result, err }) => {
    const rendered = renderLogout(result, viewFor({ tty, json }));
    const out = stdoutOf(rendered);
    const stderr = stderrOf(rendered);
    if (json) {
      // The whole result, warnings included, as one document; the warnings are also said on stderr.
      expect(out).toBe(JSON.stringify(result, null, 2) + '\n');
    } else {
      expect(out).toBe('');
    }
    expect(stripVTControlCharacters(stderr)).toBe(err.join(''));
    // Only "warning:" is coloured, and only on a terminal.
    expect(hasAnsi(stderr)).toBe(tty && result.profiles.some((p) => p.warnings.length > 0));
  });
});
