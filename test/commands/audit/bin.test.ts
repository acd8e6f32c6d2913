import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../../src/lib/audit/types.js';
import { hasStackTrace, runBin, tempDir } from '../../helpers/cli.js';
import { rawResponse, startBare, startHelmet, type AuditServer } from '../../fixtures/audit/servers.js';
import { sarifErrors } from './sarif-schema.js';

/**
 * The built CLI (`node bin/apikit.js`, run `npm run build` first) as a user runs it: a bare `apikit audit <url>`,
 * its exit codes 0 / 1 / 2 / 3 from the process itself, SARIF from a real run validated against the schema, and
 * Markdown on a pipe.
 */
let helmet: AuditServer;
let bare: AuditServer;
const tmp = tempDir('apikit-audit-bin-');

beforeAll(async () => {
  [helmet, bare] = await Promise.all([startHelmet(), startBare()]);
});
afterAll(async () => {
  await Promise.all([helmet?.close(), bare?.close()]);
  tmp.cleanup();
});

describe('apikit audit (built CLI)', () => {
  it('apikit audit <url>: the table on a pipe, the budget line on stderr, exit 0', async () => {
    const r = await runBin(['audit', helmet.url, '--assume-https']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^grade\tA \(95\/100\)$/m);
    expect(r.stdout).toMatch(/^observatory\tA\+ \(130\/100\)/m);
    expect(r.stdout).not.toContain('\u001b[');
    expect(r.stderr).toMatch(/^auditing GET http:\/\/127\.0\.0\.1:\d+\/v1\/me: at most 2 requests/);
  });

  it('--fail-under B on the bare server: exit 1, the JSON report printed', async () => {
    const r = await runBin(['audit', bare.url, '--assume-https', '--fail-under', 'B', '--json']);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as AuditReport).grade).toBe('D');
  });

  it('a malformed --headers file: exit 2, one line, no stack trace', async () => {
    const file = join(tmp.dir, 'bad.http');
    writeFileSync(file, 'HTTP/1.1 200 OK\r\nthis is not a header\r\n\r\n');
    const r = await runBin(['audit', '--headers', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
    expect(r.stderr).toContain('bad.http');
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('a refused connection: exit 3', async () => {
    const s = await startBare();
    const url = s.url;
    await s.close();
    const r = await runBin(['audit', url, '--assume-https']);
    expect(r.code).toBe(3);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('--format sarif from a live run validates against SARIF 2.1.0', async () => {
    const r = await runBin(['audit', bare.url, '--assume-https', '--format', 'sarif']);
    expect(r.code, r.stderr).toBe(0);
    const log = JSON.parse(r.stdout) as { runs: { results: { ruleId: string }[] }[] };
    expect(sarifErrors(log)).toEqual([]);
    expect(log.runs[0]!.results.map((x) => x.ruleId)).toContain('audit.leaks.x-powered-by');
  });

  it('--headers - reads stdin, --format markdown', async () => {
    const r = await runBin(['audit', '--headers', '-', bare.url, '--format', 'markdown'], {
      stdin: await rawResponse(bare.url),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^## Audit: GET http:\/\/127\.0\.0\.1:\d+\/v1\/me — grade /m);
    expect(r.stdout).toContain('| low | -5 | audit.leaks.x-powered-by |');
  });
});
