import { PassThrough, Readable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createIO } from '../../src/io/io.js';
import { createOutput, fitColumns } from '../../src/io/output.js';
import { Redactor } from '../../src/io/redact.js';
import { makeView } from '../../src/io/render.js';

/** Writes one table through the real output layer to a terminal `columns` wide; returns the lines. */
async function boxed(head: string[], rows: string[][], columns: number): Promise<string[]> {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (c: Buffer) => (text += c.toString('utf8')));
  const io = createIO(
    {
      stdin: Readable.from([]),
      stdout,
      stderr: new PassThrough(),
      stdoutIsTTY: true,
      stderrIsTTY: true,
      columns,
    },
    { NO_COLOR: '1' },
  );
  const view = () =>
    makeView({
      json: false,
      stdoutIsTTY: true,
      stderrIsTTY: true,
      columns,
      color: io.color,
      now: 0,
    });
  const out = createOutput(io, new Redactor(), view);
  await out.emit(view().doc().table(head, rows).blocks);
  return stripVTControlCharacters(text).trimEnd().split('\n');
}

const LONG_URL = 'https://app.example.com/v1/search/with/a/very/long/path/that/will/not/fit/anywhere?q=1';

describe('boxed tables fit the terminal', () => {
  it('leaves a table that fits as it is', () => {
    expect(fitColumns(['a', 'b'], [['x', 'y']], 80)).toBeUndefined();
  });

  it('takes the space from the widest column first, keeping short ones whole', () => {
    const widths = fitColumns(['name', 'value'], [['limited', 'x'.repeat(200)]], 60)!;
    expect(widths[0]).toBe('limited'.length + 2);
    expect(widths.reduce((a, b) => a + b, 0) + 3).toBe(60);
  });

  it.each([40, 60, 100])('a long value wraps inside %i columns, and none of it is lost', async (columns) => {
    const lines = await boxed(
      ['probe', 'value'],
      [
        ['url', LONG_URL],
        ['rule', 'reflects any Origin it is sent, with credentials (Access-Control-Allow-Credentials: true)'],
      ],
      columns,
    );
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(columns);
    const joined = lines.join('\n');
    expect(joined).not.toContain('…');
    const cells = lines.map((l) => l.split('│')[2]?.trim() ?? '').join('');
    expect(cells.replace(/\s/g, '')).toContain(LONG_URL);
  });
});
