import { describe, expect, it } from 'vitest';
import {
  firstOfKind,
  formatVerdictLine,
  renderJwtVerify,
  renderVerifyWarnings,
  type JwtVerifyResult,
  type NumberedVerdict,
} from '../../../src/commands/jwt/verify.js';
import { hasAnsi, stderrOf, stdoutOf, viewFor } from '../../helpers/view.js';

// eslint-disable-next-line no-control-regex -- strips ANSI colour codes
const plain = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '');

const valid: NumberedVerdict = {
  valid: true,
  code: 'valid',
  reason: 'ES256 signature by k.pub.pem (P-256); sub "alice"; expires in 1m',
  header: { alg: 'ES256' },
  payload: { sub: 'alice', aud: 'api', exp: 1767225660 },
  key: 'k.pub.pem (P-256)',
  warnings: [{ id: 'aud_not_checked', message: 'audience not checked' }],
};
const expired: NumberedVerdict = {
  valid: false,
  code: 'expired',
  reason: 'expired 4m12s ago',
  header: { alg: 'ES256' },
  payload: { exp: 1767225348 },
  key: null,
  warnings: [
    { id: 'expired', message: 'expired 4m12s ago' },
    { id: 'expired', message: 'the same kind again' },
  ],
};
const setup = [{ id: 'key_skipped', message: 'key not used: jwks keys[1]' }];

function single(v: NumberedVerdict): JwtVerifyResult {
  return {
    batch: false,
    verdicts: [v],
    valid: v.valid ? 1 : 0,
    invalid: v.valid ? 0 : 1,
    warnings: setup,
    streamed: false,
    outcome: v.valid ? 'ok' : 'negative',
  };
}

/** The JSON verdict: its `warnings` start with the setup warnings of the run (issue 9, item 7). */
const verdictJson = (v: NumberedVerdict, setupWarnings: typeof setup = []) => ({
  valid: v.valid,
  code: v.code,
  reason: v.reason,
  header: v.header,
  payload: v.payload,
  key: v.key,
  warnings: [...setupWarnings, ...v.warnings],
  ...(v.line !== undefined ? { line: v.line } : {}),
});

describe('renderJwtVerify: one token', () => {
  it.each([
    { tty: false, json: false, v: valid, out: `valid: ${valid.reason}\n` },
    { tty: true, json: false, v: valid, out: `valid: ${valid.reason}\n` },
    { tty: false, json: false, v: expired, out: 'invalid: expired 4m12s ago\n' },
    { tty: true, json: false, v: expired, out: 'invalid: expired 4m12s ago\n' },
    { tty: false, json: true, v: expired, out: JSON.stringify(verdictJson(expired, setup), null, 2) + '\n' },
    { tty: true, json: true, v: expired, out: JSON.stringify(verdictJson(expired, setup), null, 2) + '\n' },
  ])('tty=$tty json=$json $v.code', ({ tty, json, v, out }) => {
    const rendered = renderJwtVerify(single(v), viewFor({ tty, json }));
    const stdout = stdoutOf(rendered);
    expect(plain(stdout)).toBe(out);
    expect(hasAnsi(stdout)).toBe(tty && !json);
    // The setup warnings, then the verdict's; with --json every one of them, for people each kind once.
    const kinds = json
      ? v.warnings
      : v.warnings.filter((w, i) => v.warnings.findIndex((x) => x.id === w.id) === i);
    const err = stderrOf(rendered);
    expect(plain(err)).toBe([...setup, ...kinds].map((w) => `warning: ${w.message} [${w.id}]\n`).join(''));
    expect(hasAnsi(err)).toBe(tty);
  });

  it('the colour names the verdict on a terminal', () => {
    const view = viewFor({ tty: true });
    expect(stdoutOf(renderJwtVerify(single(valid), view))).toMatch(/^\u001b\[32mvalid\u001b\[39m: /); // eslint-disable-line no-control-regex
    expect(stdoutOf(renderJwtVerify(single(expired), view))).toMatch(/^\u001b\[31minvalid\u001b\[39m: /); // eslint-disable-line no-control-regex
  });
});

describe('renderJwtVerify: a batch (the verdicts streamed)', () => {
  const streamed = (valid: number, invalid: number): JwtVerifyResult => ({
    batch: true,
    verdicts: [],
    valid,
    invalid,
    warnings: setup,
    streamed: true,
    outcome: invalid > 0 ? 'negative' : 'ok',
  });
  it.each([
    { tty: false, json: false },
    { tty: true, json: false },
    { tty: false, json: true },
    { tty: true, json: true },
  ])('tty=$tty json=$json: only the count, on stderr', ({ tty, json }) => {
    const rendered = renderJwtVerify(streamed(2, 2), viewFor({ tty, json }));
    expect(stdoutOf(rendered)).toBe('');
    expect(stderrOf(rendered)).toBe('4 tokens: 2 valid, 2 invalid\n');
  });

  it('one token on stdin: no count', () => {
    expect(renderJwtVerify(streamed(1, 0), viewFor({ tty: false }))).toEqual([]);
  });

  it('a batch not streamed: lines with line numbers, each kind of warning once, then the count', () => {
    const result: JwtVerifyResult = {
      ...streamed(1, 1),
      streamed: false,
      verdicts: [
        { ...expired, line: 1 },
        { ...expired, line: 3 },
      ],
    };
    const rendered = renderJwtVerify(result, viewFor({ tty: false, json: true }));
    expect(stdoutOf(rendered)).toBe(
      [1, 3].map((line) => JSON.stringify(verdictJson({ ...expired, line }, setup)) + '\n').join(''),
    );
    expect(stderrOf(rendered)).toBe(
      'warning: key not used: jwks keys[1] [key_skipped]\n' +
        'warning: line 1: expired 4m12s ago [expired]\n' +
        '2 tokens: 1 valid, 1 invalid\n',
    );
  });
});

describe('formatVerdictLine (the batch line)', () => {
  it.each([
    { tty: false, json: false, v: { ...valid, line: 7 }, want: `valid: ${valid.reason}\n` },
    { tty: true, json: false, v: { ...valid, line: 7 }, want: `valid: ${valid.reason}\n` },
    { tty: false, json: false, v: { ...expired, line: 8 }, want: 'invalid: expired 4m12s ago\n' },
    { tty: true, json: false, v: { ...expired, line: 8 }, want: 'invalid: expired 4m12s ago\n' },
    {
      tty: false,
      json: true,
      v: { ...expired, line: 8 },
      want: JSON.stringify(verdictJson({ ...expired, line: 8 })) + '\n',
    },
    {
      tty: true,
      json: true,
      v: { ...expired, line: 8 },
      want: JSON.stringify(verdictJson({ ...expired, line: 8 })) + '\n',
    },
  ])('tty=$tty json=$json $v.code', ({ tty, json, v, want }) => {
    const line = formatVerdictLine(v, viewFor({ tty, json }));
    expect(plain(line)).toBe(want);
    expect(hasAnsi(line)).toBe(tty && !json);
  });

  it('a JSON line ends in "line" and is one line', () => {
    const line = formatVerdictLine({ ...valid, line: 2 }, viewFor({ tty: false, json: true }));
    expect(Object.keys(JSON.parse(line))).toEqual([
      'valid',
      'code',
      'reason',
      'header',
      'payload',
      'key',
      'warnings',
      'line',
    ]);
    expect(line.indexOf('\n')).toBe(line.length - 1);
  });

  it('a reason quoting C1 or bidi controls from the token is sanitised for people, exact in JSON', () => {
    const v = { ...expired, reason: 'sub is "a\u009b2J\u202eb", expected "x"' };
    expect(formatVerdictLine(v, viewFor({ tty: false }))).toBe('invalid: sub is "a?2J?b", expected "x"\n');
    expect(JSON.parse(formatVerdictLine(v, viewFor({ tty: false, json: true }))).reason).toBe(v.reason);
  });
});

describe('renderVerifyWarnings / firstOfKind (the batch warnings)', () => {
  it.each([
    { tty: false, line: undefined, want: 'warning: audience not checked [aud_not_checked]\n' },
    { tty: true, line: undefined, want: 'warning: audience not checked [aud_not_checked]\n' },
    { tty: false, line: 12, want: 'warning: line 12: audience not checked [aud_not_checked]\n' },
    { tty: true, line: 12, want: 'warning: line 12: audience not checked [aud_not_checked]\n' },
  ])('tty=$tty line=$line', ({ tty, line, want }) => {
    const rendered = renderVerifyWarnings(valid.warnings, line, viewFor({ tty }));
    expect(stdoutOf(rendered)).toBe('');
    expect(plain(stderrOf(rendered))).toBe(want);
    expect(hasAnsi(stderrOf(rendered))).toBe(tty);
  });

  it('each kind once across the verdicts of a batch', () => {
    const seen = new Set<string>();
    expect(firstOfKind(expired.warnings, seen)).toEqual([expired.warnings[0]]);
    expect(firstOfKind(expired.warnings, seen)).toEqual([]);
    expect(firstOfKind(valid.warnings, seen)).toEqual(valid.warnings);
    expect([...seen]).toEqual(['expired', 'aud_not_checked']);
  });
});
