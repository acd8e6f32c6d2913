import { describe, expect, it } from 'vitest';
import { renderKeysRetire, type KeysRetireResult } from '../../../src/commands/keys/retire.js';
import { renderKeysRotate, type KeysRotateResult } from '../../../src/commands/keys/rotate.js';
import { hasAnsi, stderrOf, stdoutOf, viewFor, VIEW_MODES } from '../../helpers/view.js';

const ROTATED: KeysRotateResult = {
  jwks: { path: 'public/jwks.json', mode: '0644', kids: ['k1', 'k2', "it's\u001b[2J"] },
  added: { kid: "it's\u001b[2J", alg: 'ES256', kty: 'EC', thumbprint: 'tp' },
  files: [{ path: 'next.key.pem', mode: '0600', contents: 'private-key' }],
  cacheTtl: { seconds: 300, source: 'jwks-url', url: 'https://x/jwks', cacheControl: 'max-age=300' },
  maxTokenLife: { seconds: 86400, source: 'flag' },
  timeline: {
    publishAt: '2026-01-02T03:04:05Z',
    signAt: '2026-01-02T03:09:05Z',
    retireAt: '2026-01-03T03:09:05Z',
    newKid: "it's\u001b[2J",
    retireKids: ['k1', 'k2'],
  },
  warnings: ['a warning'],
};
const RETIRED: KeysRetireResult = {
  jwks: { path: 'jwks.json', mode: '0644', kids: [] },
  retired: { kid: 'k1', kty: 'EC', alg: 'ES256', thumbprint: 'tp' },
  forced: ['last'],
};

describe('renderKeysRotate', () => {
  it.each(VIEW_MODES)('tty=$tty json=$json', ({ tty, json }) => {
    const doc = renderKeysRotate(ROTATED, viewFor({ tty, json }));
    const out = stdoutOf(doc);
    const err = stderrOf(doc);
    expect(err).toContain('a warning');
    expect(out).not.toContain('\u001b[2J');
    expect(hasAnsi(out)).toBe(tty && !json);
    if (json) {
      expect(JSON.parse(out)).toEqual(ROTATED); // the result as it is (JSON-escaped)
      return;
    }
    expect(out).toContain('2. sign     from  2026-01-02T03:09:05Z  with kid "it\'s?[2J"');
    expect(out).toContain('Cache-Control "max-age=300"');
    expect(out).toContain('after the longest token lifetime: 1d, --max-token-life');
    expect(out).toContain('   apikit keys retire --jwks public/jwks.json --kid k1\n');
    expect(err).toContain('updated public/jwks.json');
  });

  it('a kid that needs quoting is quoted for the shell', () => {
    const doc = renderKeysRotate(
      { ...ROTATED, timeline: { ...ROTATED.timeline, retireKids: ["a b'c"] } },
      viewFor({ tty: false }),
    );
    expect(stdoutOf(doc)).toContain(`--kid 'a b'\\''c'`);
  });
});

describe('renderKeysRetire', () => {
  it.each(VIEW_MODES)('tty=$tty json=$json', ({ tty, json }) => {
    const doc = renderKeysRetire(RETIRED, viewFor({ tty, json }));
    expect(stderrOf(doc)).toContain('jwks.json is now empty');
    if (json) expect(JSON.parse(stdoutOf(doc))).toEqual(RETIRED);
    else expect(stdoutOf(doc)).toBe('');
    expect(hasAnsi(stderrOf(doc))).toBe(tty);
  });
});
