import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSIONS_CHECKS } from '../../../src/lib/versions/checks.js';

/** The README's findings table of `apikit probe versions` is the list the code reports from, row for row. */
const readme = readFileSync(join(import.meta.dirname, '..', '..', '..', 'README.md'), 'utf8');

describe('README "apikit probe versions"', () => {
  it('lists every finding id with its severity, in the order of VERSIONS_CHECKS', () => {
    const section = readme.slice(
      readme.indexOf('## apikit probe versions\n'),
      readme.indexOf('## apikit probe \\<url\\>'),
    );
    const rows = [...section.matchAll(/^\| `(versions\.[a-z0-9-]+)` \| ([a-z]+) \| (.+) \|$/gm)].map((m) => ({
      id: m[1],
      severity: m[2],
      title: m[3],
    }));
    expect(rows).toEqual(VERSIONS_CHECKS.map((c) => ({ id: c.id, severity: c.severity, title: c.title })));
  });
});
