import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/cli.js';

/**
 * A config dir holding hand-made profiles, for tests that need a stored state no server would produce (a profile
 * without a session, a token about to expire, a token that breaks its syntax) — or none at all.
 */
export const NOW = Date.UTC(2026, 0, 1, 12);

export function loginProfile(
  name: string,
  tokens?: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    name,
    grant: 'authorization_code',
    issuer: 'https://auth.example.com',
    tokenEndpoint: 'https://auth.example.com/token',
    clientId: 'apikit-cli',
    ...(tokens ? { tokens } : {}),
    createdAt: NOW - 3_600_000,
    updatedAt: NOW - 3_600_000,
    ...extra,
  };
}

export function configDir(profiles: Record<string, unknown>[], cleanups: Array<() => void>): string {
  const t = tempDir('apikit-profiles-');
  cleanups.push(t.cleanup);
  const all = Object.fromEntries(profiles.map((p) => [p.name as string, p]));
  writeFileSync(join(t.dir, 'config.json'), JSON.stringify({ profiles: all }, null, '\t'), { mode: 0o600 });
  return t.dir;
}

export const frozen = { clock: { now: () => NOW } };
