import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin } from '../../helpers/cli.js';
import {
  NATIVE_CLIENT_ID,
  startDoctorProvider,
  type DoctorProvider,
} from '../../fixtures/doctor/provider.js';

/** The built CLI (npm run build first), as a user runs it: exit codes 0, 1 and 3, JSON on stdout. */
let good: DoctorProvider;
let plain: DoctorProvider;
beforeAll(async () => {
  [good, plain] = await Promise.all([startDoctorProvider(), startDoctorProvider({ pkcePlainOnly: true })]);
});
afterAll(async () => {
  await Promise.all([good.close(), plain.close()]);
});

describe('bin/apikit.js doctor', () => {
  it('exit 0 for a server configured well', async () => {
    const r = await runBin(['doctor', '--issuer', good.issuer, '--client-id', NATIVE_CLIENT_ID, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'pass' });
  });

  it('exit 1 for PKCE plain only', async () => {
    const r = await runBin(['doctor', '--issuer', plain.issuer]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ {2}fail {2}pkce/m);
  });

  it('exit 3 when the issuer is unreachable', async () => {
    const r = await runBin(['doctor', '--issuer', 'http://127.0.0.1:1']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/is unreachable/);
  });

  it('--help lists the flags and examples', async () => {
    const r = await runBin(['doctor', '--help']);
    expect(r.code).toBe(0);
    for (const flag of [
      '--issuer',
      '--client-id',
      '--port',
      '--header',
      '--timeout',
      '--connect-timeout',
      '--max-body',
    ])
      expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('Examples:');
  });
});
