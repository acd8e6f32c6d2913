import { describe, expect, it } from 'vitest';
import { renderJwtDecode, type JwtDecodeResult } from '../../../src/commands/jwt/decode.js';
import { hasAnsi, stderrOf, stdoutOf, viewFor } from '../../helpers/view.js';

const result: JwtDecodeResult = {
  verified: false,
  header: { alg: 'ES256', typ: 'JWT' },
  payload: { sub: 'alice', exp: 1767225600 },
  signature: 'c2ln',
  times: [{ claim: 'exp', value: 1767225600, iso: '2026-01-01T00:00:00Z', relative: 'in 0s' }],
  warnings: [{ id: 'no-aud', message: 'no "aud" claim' }],
};

describe('renderJwtDecode', () => {
  it.each([
    { tty: true, json: false },
    { tty: false, json: false },
    { tty: true, json: true },
    { tty: false, json: true },
  ])('tty=$tty json=$json', ({ tty, json }) => {
    const rendered = renderJwtDecode(result, viewFor({ tty, json }));
    const out = stdoutOf(rendered);
    const err = stderrOf(rendered);
    if (json) {
      expect(JSON.parse(out)).toEqual(result);
      expect(hasAnsi(out)).toBe(false);
    } else {
      // eslint-disable-next-line no-control-regex -- strips ANSI colour codes
      expect(out.replace(/\u001b\[[0-9;]*m/g, '')).toMatch(/^Header\n[\s\S]*"alice"[\s\S]*Times\n {2}exp/);
      expect(hasAnsi(out)).toBe(tty);
    }
    // The unverified notice and the lint warnings go to stderr every time, coloured only on a terminal.
    expect(err).toContain('signature not verified');
    expect(err).toContain('no "aud" claim [no-aud]');
    expect(hasAnsi(err)).toBe(tty);
  });
});
