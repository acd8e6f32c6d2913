import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runBin, tempDir } from '../../helpers/cli.js';

/** A few runs through the built binary (npm run build first): real process, real pipes, real exit codes. */
let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());

describe('apikit keys (built binary)', () => {
  it('generate → inspect from a pipe → jwks', async () => {
    const out = join(tmp.dir, 'sig');
    const g = await runBin(['keys', 'generate', '--alg', 'ES384', '--out', out, '--json']);
    expect(g.code).toBe(0);
    const kid = (JSON.parse(g.stdout) as { kid: string }).kid;
    expect(statSync(`${out}.key.pem`).mode & 0o777).toBe(0o600);

    const i = await runBin(['keys', 'inspect', '-'], { stdin: readFileSync(`${out}.key.pem`) });
    expect(i.code).toBe(0);
    expect(i.stdout).toContain('source: stdin');
    expect(i.stdout).toContain(`thumbprint: ${kid}`);
    expect(i.stdout).not.toContain('PRIVATE KEY');

    const j = await runBin(['keys', 'jwks', `${out}.key.pem`, `${out}.pub.pem`]);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toEqual(JSON.parse(readFileSync(`${out}.jwks.json`, 'utf8')));
    expect(j.stderr).toMatch(/skipped .*the same key/);
  });

  it('a bad file: exit 2, one line, no stack trace', async () => {
    const r = await runBin(['keys', 'inspect', join(tmp.dir, 'nope.pem')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('nope.pem": no such file');
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it.each(['generate', 'inspect', 'convert', 'jwks'])('keys %s --help ends with examples', async (verb) => {
    const r = await runBin(['keys', verb, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Examples:\\n(  \\$ .*apikit keys ${verb} .+\\n)+$`));
  });
});
