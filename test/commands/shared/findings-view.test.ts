import { describe, expect, it } from 'vitest';
import { renderFindings } from '../../../src/commands/shared/findings-view.js';
import type { Finding } from '../../../src/lib/findings.js';
import { hasAnsi, stderrOf, stdoutOf, viewFor } from '../../helpers/view.js';

// eslint-disable-next-line no-control-regex -- strips the renderer's own colour codes
const stripSgr = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, '');

const findings: Finding[] = [
  { id: 'demo.info', severity: 'info', message: 'a fact', evidence: [] },
  {
    id: 'demo.reflected',
    severity: 'high',
    message: 'reflects \u001b]0;owned\u0007 the origin',
    evidence: [
      {
        request: 'OPTIONS https://api.example/',
        status: 200,
        header: 'access-control-allow-origin',
        value: 'https://evil\u202eexample',
      },
      { note: 'seen twice' },
    ],
    advice: 'allow a list of origins',
  },
  { id: 'demo.medium', severity: 'medium', message: 'a medium one', evidence: [{ header: 'vary' }] },
];

describe('renderFindings', () => {
  it.each([{ tty: true }, { tty: false }])('tty=$tty: worst first, evidence and advice below', ({ tty }) => {
    const rendered = renderFindings(findings, viewFor({ tty }));
    const out = stdoutOf(rendered);
    expect(hasAnsi(out)).toBe(tty);
    expect(stderrOf(rendered)).toBe('');
    expect(stripSgr(out)).toBe(
      [
        'Findings (3)',
        '  high      demo.reflected  reflects ?]0;owned? the origin',
        '            evidence: OPTIONS https://api.example/ → 200; access-control-allow-origin: "https://evil?example"',
        '            evidence: seen twice',
        '            advice: allow a list of origins',
        '  medium    demo.medium     a medium one',
        '            evidence: vary (absent)',
        '  info      demo.info       a fact',
        '',
      ].join('\n'),
    );
  });

  it('colours each severity on a terminal, and only there', () => {
    const tty = stdoutOf(renderFindings(findings, viewFor({ tty: true })));
    expect(tty).toContain('\u001b[31mhigh    \u001b[39m');
    expect(tty).toContain('\u001b[33mmedium  \u001b[39m');
    for (const c of ['\u001b', '\u0007', '\u202e']) expect(stripSgr(tty)).not.toContain(c);
  });

  it('says so when there are none, with the caller’s words', () => {
    expect(stdoutOf(renderFindings([], viewFor({ tty: false })))).toBe('Findings: no findings\n');
    expect(
      stdoutOf(renderFindings([], viewFor({ tty: false }), { title: 'CORS findings', none: 'none' })),
    ).toBe('CORS findings: none\n');
  });
});
