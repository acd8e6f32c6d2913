import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ALL_CHECKS,
  OBSERVATORY_COMMIT,
  OBSERVATORY_LICENSE,
  OBSERVATORY_SOURCE,
} from '../../../src/lib/audit/index.js';
import {
  BANDS_BEGIN,
  BANDS_END,
  bandsTable,
  between,
  CHECKS_BEGIN,
  CHECKS_END,
  checksTable,
} from './readme-tables.js';

/**
 * The README's `apikit audit` section agrees with the code: the checks table is ALL_CHECKS (every id, category,
 * severity, points, kind and title), the grade bands are GRADE_BANDS, and the Observatory attribution names the
 * source, licence and commit the ported table was read from. On a change, print the tables with
 * `PRINT_AUDIT_README=1 npx vitest run test/commands/audit/readme.test.ts` and paste them between the markers.
 */
const readme = readFileSync(join(import.meta.dirname, '..', '..', '..', 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## apikit audit\n'), readme.indexOf('## HTTP options\n'));

describe('README: apikit audit', () => {
  it('the checks table is ALL_CHECKS', () => {
    if (process.env.PRINT_AUDIT_README === '1') console.log(`${checksTable()}\n\n${bandsTable()}`);
    expect(between(section, CHECKS_BEGIN, CHECKS_END)).toBe(checksTable());
    // Every check once (ids are unique), so a row can never hide another.
    expect(new Set(ALL_CHECKS.map((c) => c.id)).size).toBe(ALL_CHECKS.length);
  });

  it('the grade bands are GRADE_BANDS', () => {
    expect(between(section, BANDS_BEGIN, BANDS_END)).toBe(bandsTable());
  });

  it('attributes the Observatory port: source, licence, commit', () => {
    expect(section).toContain(OBSERVATORY_SOURCE);
    expect(section).toContain(OBSERVATORY_LICENSE);
    expect(section).toContain(OBSERVATORY_COMMIT);
    expect(section).toContain('subresource-integrity');
  });

  it('documents every flag of apikit audit --help and every --json field', async () => {
    const { runCli } = await import('../../helpers/cli.js');
    const help = await runCli(['audit', '--help']);
    const own = [
      '--request',
      '--target',
      '--format',
      '--fail-under',
      '--headers',
      '--assume-https',
      '--ca',
      '--http-url',
    ];
    for (const flag of own) {
      expect(help.stdout).toContain(flag);
      expect(section).toContain(`\`${flag === '--request' ? '-X, --request' : flag}`);
    }
    for (const field of [
      'url',
      'method',
      'status',
      'source',
      'target',
      'kind',
      'score',
      'grade',
      'observatory',
      'findings',
      'counts',
      'headers',
      'tls',
      'redirect',
      'cors',
      'requests',
      'assumeHttps',
      'authenticated',
    ]) {
      expect(section).toContain(`\`${field}\``);
    }
  });
});
