import { describe, expect, it } from 'vitest';
import { headerLines } from '../../../src/lib/headers.js';
import { readLifecycle } from '../../../src/lib/lifecycle/index.js';
import { bodyVersions, namedIn } from '../../../src/lib/versions/named.js';
import type { Selector } from '../../../src/lib/versions/scheme.js';
import { tokenKey } from '../../../src/lib/versions/token.js';

const PATH: Selector = { scheme: 'path', segment: 0, style: { format: 'major', prefix: 'v' } };
const keys = (tokens: { token?: unknown }[] | unknown[]) =>
  tokens.map((t) => tokenKey(((t as { token?: never }).token ?? t) as never));

describe('versions the API names itself', () => {
  it('RFC 5829 links whose target selects a version, and the version-list headers', () => {
    const headers = headerLines({
      link: [
        '</v3/items>; rel="successor-version", </v1/items>; rel="predecessor-version"',
        '<https://docs.example/deprecation>; rel="deprecation"',
      ],
      'api-supported-versions': '2, 3',
      'api-deprecated-versions': '1.0-beta, 1',
    });
    const answer = { status: 200, headers, location: null, bodyHash: '', body: '' };
    const named = namedIn(answer, readLifecycle(headers, 'https://a.example/v2/items'), PATH);
    expect(named.map((n) => `${n.by} ${tokenKey(n.token)}`)).toEqual([
      'link:successor-version 3',
      'link:predecessor-version 1',
      'header:api-supported-versions 2',
      'header:api-supported-versions 3',
      'header:api-deprecated-versions 1',
    ]);
  });

  it('error bodies only (a 200’s body is data, not a list of versions)', () => {
    const body = JSON.stringify({ supported_versions: ['v1', 'v2'] });
    const ok = { status: 200, headers: {}, location: null, bodyHash: '', body };
    const lifecycle = readLifecycle({}, 'https://a.example/v9/items');
    expect(namedIn(ok, lifecycle, PATH)).toEqual([]);
    expect(keys(namedIn({ ...ok, status: 400 }, lifecycle, PATH))).toEqual(['1', '2']);
  });

  it.each([
    [{ supported_versions: ['v1', 'v2'] }, ['1', '2']],
    [{ error: { supportedVersions: '2023-01-01, 2024-06-01' } }, ['2023-01-01', '2024-06-01']],
    [{ versions: [1, 2] }, ['1', '2']],
    [{ message: 'Supported versions: v1, v3' }, ['1', '3']],
    [{ requested_version: 'v9', error: 'unknown version' }, []],
    [{ message: 'version v9 does not exist' }, []],
    [{ items: ['v1'] }, []],
  ])('JSON body %j → %j', (json, want) => {
    expect(keys(bodyVersions(JSON.stringify(json)))).toEqual(want);
  });

  it('text bodies, and garbage', () => {
    expect(keys(bodyVersions('unsupported; available versions: v1, v2'))).toEqual(['1', '2']);
    expect(bodyVersions('<html>v1</html>')).toEqual([]);
    expect(bodyVersions('{"versions": [' + '"v1",'.repeat(10_000) + '"v2"]}').length).toBeLessThanOrEqual(
      101,
    );
    expect(bodyVersions('{"a":'.repeat(50) + '1' + '}'.repeat(50))).toEqual([]);
  });
});
