import { describe, expect, it } from 'vitest';
import { parseLinks } from '../../../src/lib/lifecycle/index.js';

/** Link (RFC 8288 §3) through http-link-header: the RFC's own examples, RFC 5829's relations, malformed lines. */

const BASE = 'https://api.example.test/v1/orders?page=2';

describe('parseLinks', () => {
  it('reads RFC 8288 §3.5’s first example', () => {
    expect(
      parseLinks(['<http://example.com/TheBook/chapter2>; rel="previous"; title="previous chapter"'], BASE),
    ).toEqual({
      links: [{ href: 'http://example.com/TheBook/chapter2', rel: ['previous'], title: 'previous chapter' }],
      problems: [],
    });
  });

  it('resolves relative targets against the response URL (RFC 8288 §3.5: `</>`)', () => {
    expect(parseLinks(['</>; rel="http://example.net/foo"'], BASE).links).toEqual([
      { href: 'https://api.example.test/', rel: ['http://example.net/foo'] },
    ]);
  });

  it('reads an anchor and resolves it (RFC 8288 §3.5: `</terms>; rel="copyright"; anchor="#foo"`)', () => {
    expect(parseLinks(['</terms>; rel="copyright"; anchor="#foo"'], BASE).links).toEqual([
      {
        href: 'https://api.example.test/terms',
        rel: ['copyright'],
        anchor: 'https://api.example.test/v1/orders?page=2#foo',
      },
    ]);
  });

  it('reads two links on one line with RFC 8187 titles (RFC 8288 §3.5), title* decoded', () => {
    const line =
      '</TheBook/chapter2>; rel="previous"; title*=UTF-8\'de\'letztes%20Kapitel, </TheBook/chapter4>; rel="next"; title*=UTF-8\'de\'n%c3%a4chstes%20Kapitel';
    expect(parseLinks([line], 'http://example.com/TheBook/chapter3').links).toEqual([
      { href: 'http://example.com/TheBook/chapter2', rel: ['previous'], title: 'letztes Kapitel' },
      { href: 'http://example.com/TheBook/chapter4', rel: ['next'], title: 'nächstes Kapitel' },
    ]);
  });

  it('keeps several relation types of one link together (`rel="a b"`, RFC 8288 §3.5), lower-cased', () => {
    expect(
      parseLinks(['<http://example.org/>; rel="start http://example.net/relation/other"'], BASE).links,
    ).toEqual([{ href: 'http://example.org/', rel: ['start', 'http://example.net/relation/other'] }]);
    expect(parseLinks(['</v3>; rel="Successor-Version  LATEST-version"'], BASE).links).toEqual([
      { href: 'https://api.example.test/v3', rel: ['successor-version', 'latest-version'] },
    ]);
  });

  it('reads comma-separated links and several Link lines (RFC 8288 §3.5’s last example)', () => {
    const parsed = parseLinks(
      [
        '<https://example.org/>; rel="start", <https://example.org/index>; rel="index"',
        '</v2>; rel=successor-version',
      ],
      BASE,
    );
    expect(parsed.links.map((l) => [l.href, l.rel])).toEqual([
      ['https://example.org/', ['start']],
      ['https://example.org/index', ['index']],
      ['https://api.example.test/v2', ['successor-version']],
    ]);
    expect(parsed.problems).toEqual([]);
  });

  it('is not split by commas inside the target or a quoted string', () => {
    expect(
      parseLinks(['<https://example.com/a,b>; rel="successor-version"; title="v2, the new one"'], BASE),
    ).toEqual({
      links: [{ href: 'https://example.com/a,b', rel: ['successor-version'], title: 'v2, the new one' }],
      problems: [],
    });
  });

  it('reads RFC 5829’s version relations and RFC 9745/8594’s deprecation and sunset links with their type', () => {
    const parsed = parseLinks(
      [
        '</v2/orders>; rel="successor-version", </v0/orders>; rel="predecessor-version", </v3/orders>; rel="latest-version"',
        '<https://developer.example.com/deprecation>; rel="deprecation"; type="text/html"',
        '<http://example.net/sunset>;rel="sunset";type="text/html"',
      ],
      BASE,
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.links).toEqual([
      { href: 'https://api.example.test/v2/orders', rel: ['successor-version'] },
      { href: 'https://api.example.test/v0/orders', rel: ['predecessor-version'] },
      { href: 'https://api.example.test/v3/orders', rel: ['latest-version'] },
      { href: 'https://developer.example.com/deprecation', rel: ['deprecation'], type: 'text/html' },
      { href: 'http://example.net/sunset', rel: ['sunset'], type: 'text/html' },
    ]);
  });

  it('takes the first rel when it is given twice (RFC 8288 §3.3)', () => {
    expect(parseLinks(['</v2>; rel="successor-version"; rel="predecessor-version"'], BASE).links).toEqual([
      { href: 'https://api.example.test/v2', rel: ['successor-version'] },
    ]);
  });

  it.each([
    ['no link at all', 'garbage'],
    ['an unclosed target', '<https://example.com/v2; rel=successor-version'],
    ['a parameter with no link', ';rel=successor-version'],
    ['garbage after a good link', '</v2>; rel=successor-version, nonsense'],
  ])('reports a line that does not parse, and reads none of its links: %s', (_what, line) => {
    const parsed = parseLinks([line, '</v9>; rel=next'], BASE);
    expect(parsed.links).toEqual([{ href: 'https://api.example.test/v9', rel: ['next'] }]);
    expect(parsed.problems).toEqual([
      { field: 'link', raw: line, reason: expect.stringContaining('not an RFC 8288 Link value') },
    ]);
  });

  it('drops and reports a link whose rel holds something that is no relation type (RFC 8288 §3.3)', () => {
    const parsed = parseLinks(['</v2>; rel=successor-version x </v3>; rel=latest-version'], BASE);
    expect(parsed.links).toEqual([]);
    expect(parsed.problems).toEqual([
      {
        field: 'link',
        raw: '</v2>; rel=successor-version x </v3>; rel=latest-version',
        reason: expect.stringContaining('no relation type: </v3>'),
      },
    ]);
  });

  it('reports a link without rel (RFC 8288 §3.3) and keeps it with no relation', () => {
    const parsed = parseLinks(['<https://example.com/v2>, </v3>; rel=""'], BASE);
    expect(parsed.links).toEqual([
      { href: 'https://example.com/v2', rel: [] },
      { href: 'https://api.example.test/v3', rel: [] },
    ]);
    expect(parsed.problems.map((p) => p.reason)).toEqual([
      expect.stringContaining('no rel'),
      expect.stringContaining('no rel'),
    ]);
  });

  it('drops and reports a target that is no URI reference, keeping the other links of the line', () => {
    const parsed = parseLinks(['<http://[::1>; rel=successor-version, </v3>; rel=latest-version'], BASE);
    expect(parsed.links).toEqual([{ href: 'https://api.example.test/v3', rel: ['latest-version'] }]);
    expect(parsed.problems).toEqual([
      {
        field: 'link',
        raw: expect.any(String),
        reason: 'the link target <http://[::1> is not a URI reference',
      },
    ]);
  });

  it('still reads absolute targets when the base is no URL', () => {
    expect(
      parseLinks(['<https://example.com/v2>; rel=successor-version', '</v3>; rel=next'], 'not a url'),
    ).toEqual({
      links: [{ href: 'https://example.com/v2', rel: ['successor-version'] }],
      problems: [
        { field: 'link', raw: '</v3>; rel=next', reason: 'the link target </v3> is not a URI reference' },
      ],
    });
  });

  it('an empty line is no link and no problem', () => {
    expect(parseLinks([''], BASE)).toEqual({ links: [], problems: [] });
  });
});
