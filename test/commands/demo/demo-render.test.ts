import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { renderCommand, renderDemo, SHOWN_LINES, type DemoResult } from '../../../src/commands/demo/view.js';
import type { CommandOutcome } from '../../../src/commands/demo/tour.js';
import { stdoutOf, viewFor } from '../../helpers/view.js';

const outcome = (over: Partial<CommandOutcome> = {}): CommandOutcome => ({
  display: 'apikit request GET http://127.0.0.1:1/v1/posts',
  argv: ['request', 'GET', 'http://127.0.0.1:1/v1/posts'],
  code: 0,
  stdout: '{"posts":[]}',
  stderr: 'HTTP 200 OK\ncontent-type: application/json\n',
  expected: 0,
  ok: true,
  problem: null,
  shows: '200',
  kept: null,
  ...over,
});

describe('demo render', () => {
  it.each([true, false])('tty=%s: the command, stderr then stdout indented, the verdict', (tty) => {
    const out = stdoutOf(renderCommand(outcome(), viewFor({ tty })));
    expect(out.includes('\u001b[')).toBe(tty);
    expect(stripVTControlCharacters(out)).toBe(
      '$ apikit request GET http://127.0.0.1:1/v1/posts\n  HTTP 200 OK\n  content-type: application/json\n  {"posts":[]}\n✓ 200\n',
    );
  });

  it('a kept value is described, never shown; long output is cut with a count', () => {
    const kept = stdoutOf(
      renderCommand(
        outcome({ stdout: 'ey.secret.token', kept: '(kept in $T: 15 characters)' }),
        viewFor({ tty: false }),
      ),
    );
    expect(kept).not.toContain('ey.secret.token');
    expect(kept).toContain('(kept in $T: 15 characters)');
    const long = Array.from({ length: SHOWN_LINES + 5 }, (_, i) => `line ${i}`).join('\n');
    const cut = stdoutOf(renderCommand(outcome({ stdout: long, stderr: '' }), viewFor({ tty: false })));
    expect(cut).toContain('… 5 more lines');
    expect(cut).not.toContain(`line ${SHOWN_LINES}\n`);
  });

  it('a failed command says what was expected', () => {
    const out = stdoutOf(
      renderCommand(outcome({ ok: false, problem: 'exit 2, expected 1', code: 2 }), viewFor({ tty: false })),
    );
    expect(out).toMatch(/^✗ 200 — exit 2, expected 1$/m);
  });

  const result = (ok: boolean): DemoResult => ({
    ok,
    seconds: 12.3,
    kept_dir: null,
    outcome: ok ? 'ok' : 'negative',
    steps: [
      { name: 'jwt', title: 'JWTs', ok: true, failed: null, commands: [], seconds: 0.1 },
      {
        name: 'ratelimit',
        title: 'rate limits',
        ok,
        failed: ok ? null : { command: 'apikit probe ratelimit x', problem: 'exit 3, expected 0' },
        commands: [],
        seconds: 2,
      },
    ],
  });

  it('the summary names a step that did not behave as expected; --json is the document without the verdict', () => {
    const bad = stdoutOf(renderDemo(result(false), viewFor({ tty: false })));
    expect(bad).toMatch(/✗ ratelimit .* — apikit probe ratelimit x: exit 3, expected 0/);
    expect(bad).toMatch(/1 step did not: ratelimit/);
    expect(stdoutOf(renderDemo(result(true), viewFor({ tty: false })))).toMatch(
      /every step behaved as expected \(12\.3 s\)/,
    );
    const { outcome: _o, ...doc } = result(true);
    expect(JSON.parse(stdoutOf(renderDemo(result(true), viewFor({ tty: false, json: true }))))).toEqual(doc);
  });
});
