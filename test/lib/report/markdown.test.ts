import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/lib/findings.js';
import { cell, code, inline, MAX_CELL_CHARS, renderMarkdown } from '../../../src/lib/report/markdown.js';

/** Cell separators of a table row: pipes not escaped by a backslash (an escaped backslash does not escape). */
const separators = (row: string): number => row.replace(/\\\\/g, '').match(/(?<!\\)\|/g)?.length ?? 0;

describe('inline: one line of Markdown text', () => {
  it.each([
    ['plain text', 'plain text'],
    ['a|b', 'a\\|b'],
    ['`code`', '\\`code\\`'],
    ['[click](https://evil.example)', '\\[click\\](https://evil.example)'],
    ['<img src=x onerror=alert(1)>', '\\<img src=x onerror=alert(1)\\>'],
    ['**bold** _em_ ~~gone~~', '\\*\\*bold\\*\\* \\_em\\_ \\~\\~gone\\~\\~'],
    ['&lt;', '\\&lt;'],
    ['back\\slash', 'back\\\\slash'],
    ['two\nlines\r\nhere', 'two lines here'],
    ['esc \u001b[2J bel \u0007 bidi \u202e', 'esc ?\\[2J bel ? bidi ?'],
  ])('%j → %j', (input, want) => {
    expect(inline(input)).toBe(want);
  });

  it('cuts a megabyte of text', () => {
    expect(inline('a'.repeat(1_000_000)).length).toBe(MAX_CELL_CHARS);
  });
});

describe('cell: a table cell', () => {
  it('keeps line breaks as <br> (ours, after escaping: a server <br> stays text)', () => {
    expect(cell('one\ntwo<br>')).toBe('one<br>two\\<br\\>');
  });
});

describe('code: a code span in a table cell', () => {
  it.each([
    ['abc', '`abc`'],
    ['a`b', '``a`b``'],
    ['``x', '``` ``x ```'],
    ['a|b', '`a\\|b`'],
    [' pad ', '`  pad  `'],
    ['line\nbreak', '`line break`'],
    ['\u001b[31mred', '`?[31mred`'],
    ['', ''],
  ])('%j → %j', (input, want) => {
    expect(code(input)).toBe(want);
  });
});

describe('renderMarkdown', () => {
  const hostile = 'v|al`ue\n# not a heading\n- not a list\u202e';
  const findings: Finding[] = [
    { id: 'x.low', severity: 'low', message: 'a low one', evidence: [] },
    {
      id: 'x.high',
      severity: 'high',
      message: `high: ${hostile}`,
      evidence: [
        { header: 'ratelimit', value: hostile },
        { request: 'GET https://api.example/', status: 429, note: 'n|o' },
      ],
      advice: 'fix it',
    },
  ];

  it('writes headings, paragraphs, lists, key/value tables, tables, findings and code blocks', () => {
    const md = renderMarkdown([
      { kind: 'heading', level: 2, text: 'Report for `x`' },
      { kind: 'paragraph', text: '1. not a list' },
      { kind: 'key-value', rows: [['limited', 'yes']], head: ['field', 'value'] },
      { kind: 'key-value', rows: [['value', 'a|b']], code: true },
      { kind: 'table', head: ['a', 'b'], rows: [['1', '2']] },
      { kind: 'list', items: ['- nested?', 'plain'] },
      { kind: 'findings', findings },
      { kind: 'code', text: 'pic ```\nture', lang: 'text' },
    ]);
    expect(md).toBe(
      [
        '## Report for \\`x\\`',
        '',
        '1\\. not a list',
        '',
        '| field | value |',
        '| --- | --- |',
        '| limited | yes |',
        '',
        '|  |  |',
        '| --- | --- |',
        '| value | `a\\|b` |',
        '',
        '| a | b |',
        '| --- | --- |',
        '| 1 | 2 |',
        '',
        '- \\- nested?',
        '- plain',
        '',
        '| severity | id | finding | evidence |',
        '| --- | --- | --- | --- |',
        '| **high** | `x.high` | high: v\\|al\\`ue<br>\\# not a heading<br>- not a list? (fix it) | ' +
          'ratelimit: "v\\|al\\`ue\\\\n\\# not a heading\\\\n- not a list?"<br>' +
          'GET https://api.example/ → 429; n\\|o |',
        '| **low** | `x.low` | a low one |  |',
        '',
        '````text',
        'pic ```',
        'ture',
        '````',
        '',
      ].join('\n'),
    );
  });

  it('a hostile finding keeps every table row to its columns and adds no heading', () => {
    const md = renderMarkdown([{ kind: 'findings', findings }]);
    const rows = md.trimEnd().split('\n');
    expect(rows.every((r) => r.startsWith('| '))).toBe(true);
    for (const row of rows) expect(separators(row), row).toBe(5);
    expect(md).not.toContain('\u001b');
    expect(md).not.toContain('\u202e');
  });

  it('says so when there are no findings', () => {
    expect(renderMarkdown([{ kind: 'findings', findings: [] }])).toBe('No findings.\n');
    expect(renderMarkdown([{ kind: 'findings', findings: [], none: 'Nothing to report.' }])).toBe(
      'Nothing to report.\n',
    );
  });
});
