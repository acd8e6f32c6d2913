import { describe, expect, it } from 'vitest';
import { renderProfilesList, type ProfilesListResult } from '../../../src/commands/profiles/list.js';
import { renderProfilesRemove } from '../../../src/commands/profiles/remove.js';
import { renderProfilesShow, type ProfilesShowResult } from '../../../src/commands/profiles/show.js';
import type { Block } from '../../../src/io/render.js';
import type { ProfileSummary } from '../../../src/profiles/summary.js';
import { hasAnsi, stderrOf, stdoutOf, viewFor } from '../../helpers/view.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const MODES = [
  { tty: true, json: false },
  { tty: false, json: false },
  { tty: true, json: true },
  { tty: false, json: true },
];

const DEFAULT: ProfileSummary = {
  name: 'default',
  grant: 'authorization_code',
  issuer: 'https://issuer.example',
  clientId: 'apikit-cli',
  subject: 'alice',
  scope: 'openid profile',
  resource: [],
  audience: null,
  loggedIn: true,
  expiresAt: '2026-01-01T12:04:00Z',
  expiresIn: 240,
  expired: false,
  refreshable: true,
  obtainedAt: '2026-01-01T11:04:00Z',
  tokenEndpoint: 'https://issuer.example/token',
};
const MACHINE: ProfileSummary = {
  ...DEFAULT,
  name: 'ci',
  grant: 'client_credentials',
  issuer: null,
  clientId: 'ci-bot',
  subject: null,
  expiresAt: '2026-01-01T10:00:00Z',
  expiresIn: -7200,
  expired: true,
  refreshable: true,
};
const GONE: ProfileSummary = {
  ...DEFAULT,
  name: 'old',
  subject: 'bob\u001b[2J',
  loggedIn: false,
  expiresAt: null,
  expiresIn: null,
  refreshable: false,
  obtainedAt: null,
};

const HEAD = ['PROFILE', 'ISSUER', 'CLIENT', 'SUBJECT', 'STATUS'];
// Status is relative to view.now; issuer falls back to the token endpoint; a subject's ESC becomes "?".
const LIST_ROWS = [
  ['default', 'https://issuer.example', 'apikit-cli', 'alice', 'valid, expires in 4m, refreshable'],
  ['ci', 'https://issuer.example/token', 'ci-bot', '-', 'expired 2h ago, refreshable'],
  ['old', 'https://issuer.example', 'apikit-cli', 'bob?[2J', 'logged out'],
];

describe('renderProfilesList', () => {
  const full: ProfilesListResult = { profiles: [DEFAULT, MACHINE, GONE] };
  const empty: ProfilesListResult = { profiles: [] };
  const NONE = 'No profiles yet. Create one with: apikit login --issuer <url> --client-id <id>\n';
  it.each(
    MODES.flatMap((m) => [
      {
        label: 'three profiles',
        ...m,
        result: full,
        want: m.json
          ? [{ to: 'out', text: JSON.stringify(full, null, 2) + '\n' }]
          : m.tty
            ? [{ to: 'out', table: { head: HEAD, rows: LIST_ROWS } }]
            : [{ to: 'out', text: [HEAD, ...LIST_ROWS].map((r) => r.join('\t')).join('\n') + '\n' }],
      },
      {
        label: 'none',
        ...m,
        result: empty,
        want: m.json ? [{ to: 'out', text: '{\n  "profiles": []\n}\n' }] : [{ to: 'err', text: NONE }],
      },
    ]),
  )('$label tty=$tty json=$json', ({ result, tty, json, want }) => {
    const rendered = renderProfilesList(result, viewFor({ tty, json, now: NOW }));
    expect(rendered).toEqual(want as Block[]);
    expect(hasAnsi(stdoutOf(rendered) + stderrOf(rendered))).toBe(false);
  });

  it('reads the time from the view, never the clock', () => {
    const later = renderProfilesList({ profiles: [DEFAULT] }, viewFor({ tty: false, now: NOW + 5 * 60_000 }));
    // The summary was made before expiry (expired: false); the phrase follows view.now.
    expect(stdoutOf(later)).toContain('\tvalid, expires 1m ago, refreshable\n');
  });
});

describe('renderProfilesShow', () => {
  const result: ProfilesShowResult = {
    ...DEFAULT,
    resource: ['https://api.example', 'https://files.example'],
    audience: 'api',
    storage: {
      path: '/home/u/.config/apikit/config.json',
      fileMode: '0600',
      directory: '/home/u/.config/apikit',
      directoryMode: null,
    },
  };
  const human = [
    'profile         default',
    'grant           authorization_code',
    'issuer          https://issuer.example',
    'token endpoint  https://issuer.example/token',
    'client id       apikit-cli',
    'subject         alice',
    'scope           openid profile',
    'resource        https://api.example https://files.example',
    'audience        api',
    'status          valid, expires in 4m, refreshable',
    'expires at      2026-01-01T12:04:00Z',
    'obtained at     2026-01-01T11:04:00Z',
    'stored in       /home/u/.config/apikit/config.json (mode 0600)',
  ].join('\n');
  const gone: ProfilesShowResult = {
    ...GONE,
    issuer: null,
    scope: null,
    storage: { path: '/c/config.json', fileMode: null, directory: '/c', directoryMode: null },
  };
  const goneHuman = [
    'profile         old',
    'grant           authorization_code',
    'issuer          -',
    'token endpoint  https://issuer.example/token',
    'client id       apikit-cli',
    'subject         bob?[2J',
    'scope           -',
    'resource        -',
    'audience        -',
    'status          logged out',
    'expires at      -',
    'obtained at     -',
    'stored in       /c/config.json (mode unknown)',
  ].join('\n');
  it.each(
    MODES.flatMap((m) => [
      { label: 'logged in', ...m, result, want: m.json ? JSON.stringify(result, null, 2) : human },
      { label: 'logged out', ...m, result: gone, want: m.json ? JSON.stringify(gone, null, 2) : goneHuman },
    ]),
  )('$label tty=$tty json=$json', ({ result, tty, json, want }) => {
    const rendered = renderProfilesShow(result, viewFor({ tty, json, now: NOW }));
    expect(rendered).toEqual([{ to: 'out', text: want + '\n' }]);
  });
});

describe('renderProfilesRemove', () => {
  it.each(
    MODES.map((m) => ({
      ...m,
      // Human: a confirmation for people on stderr, nothing on stdout; --json: the result on stdout.
      want: m.json
        ? [{ to: 'out', text: '{\n  "name": "scratch",\n  "removed": true\n}\n' }]
        : [{ to: 'err', text: 'Removed profile "scratch".\n' }],
    })),
  )('tty=$tty json=$json', ({ tty, json, want }) => {
    const rendered = renderProfilesRemove({ name: 'scratch', removed: true }, viewFor({ tty, json }));
    expect(rendered).toEqual(want);
  });
});
