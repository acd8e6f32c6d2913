import { describe, expect, it } from 'vitest';
import { renderDoctor } from '../../../src/commands/doctor/view.js';
import type { DoctorResult } from '../../../src/commands/doctor/result.js';
import { hasAnsi, stderrOf, stdoutOf, viewFor } from '../../helpers/view.js';

const result: DoctorResult = {
  issuer: 'https://as.example.test',
  clientId: 'apikit-cli',
  checkedAt: '2026-01-01T00:00:00.000Z',
  verdict: 'fail',
  summary: { pass: 1, warn: 1, fail: 1, skip: 1 },
  checks: [
    { id: 'discovery', title: 'discovery document', status: 'pass', evidence: ['HTTP 200'], advice: null },
    { id: 'pkce', title: 'PKCE with S256', status: 'fail', evidence: ['"plain"'], advice: 'enable S256' },
    {
      id: 'iss-parameter',
      title: 'RFC 9207 iss',
      status: 'warn',
      evidence: ['absent \u001b[31m'],
      advice: 'send iss',
    },
    { id: 'loopback-redirect', title: 'loopback', status: 'skip', evidence: ['not checked'], advice: null },
  ],
  outcome: 'negative',
};

describe('renderDoctor', () => {
  it.each([
    { tty: true, ansi: true },
    { tty: false, ansi: false },
  ])('the checklist on stdout (tty: $tty), colour only on a terminal', ({ tty, ansi }) => {
    const out = renderDoctor(result, viewFor({ tty }));
    const text = stdoutOf(out);
    expect(hasAnsi(text)).toBe(ansi);
    expect(stderrOf(out)).toBe('');
    // eslint-disable-next-line no-control-regex
    const plain = text.replace(/\u001b\[[0-9;]*m/g, '');
    expect(plain.split('\n')).toEqual([
      'apikit doctor: https://as.example.test (client apikit-cli)',
      '  pass  discovery          discovery document',
      '                           HTTP 200',
      '  fail  pkce               PKCE with S256',
      '                           "plain"',
      '                           advice: enable S256',
      '  warn  iss-parameter      RFC 9207 iss',
      '                           absent ?[31m',
      '                           advice: send iss',
      '  skip  loopback-redirect  loopback',
      '                           not checked',
      '',
      'FAIL: 1 failed, 1 warning, 1 passed, 1 skipped',
      '',
    ]);
  });

  it.each([{ tty: true }, { tty: false }])(
    '--json (tty: $tty): the result without its outcome',
    ({ tty }) => {
      const out = stdoutOf(renderDoctor(result, viewFor({ tty, json: true })));
      const { outcome: _drop, ...want } = result;
      expect(JSON.parse(out)).toEqual(want);
      expect(hasAnsi(out)).toBe(false);
    },
  );
});
