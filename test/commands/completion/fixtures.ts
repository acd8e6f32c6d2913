import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, requireBinary, runBin, tempDir } from '../../helpers/cli.js';

/**
 * A place to complete in: an `apikit` on PATH that runs the built CLI (the scripts call it back for profile
 * names), a config dir with stored profiles (one with a token that must never be printed, one with a name a
 * hand-edited file could hold and that must be left out), and a few files to complete.
 */
export interface CompletionPlace {
  dir: string;
  env: Record<string, string>;
  cleanup: () => void;
}

export const STORED_TOKEN = 'SECRET-ACCESS-TOKEN-never-printed';

export function completionPlace(): CompletionPlace {
  const { dir, cleanup } = tempDir('apikit-completion-');
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'apikit'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(bin, 'apikit'), 0o755);
  const config = join(dir, 'config');
  mkdirSync(config, { mode: 0o700 });
  const profile = (name: string, extra: object = {}) => ({
    name,
    grant: 'client_credentials',
    tokenEndpoint: 'https://as.example/token',
    clientId: `client-${name.length}`,
    ...extra,
  });
  const tokens = { accessToken: STORED_TOKEN, tokenType: 'Bearer', obtainedAt: 1_700_000_000_000 };
  writeFileSync(
    join(config, 'config.json'),
    JSON.stringify({
      profiles: {
        staging: profile('staging', { tokens }),
        ci: profile('ci'),
        'bad name $(touch pwned)': profile('bad name $(touch pwned)'),
      },
    }),
    { mode: 0o600 },
  );
  const files = join(dir, 'work');
  mkdirSync(files);
  for (const name of ['signing.key.pem', 'signing.pub.pem', 'jwks.json'])
    writeFileSync(join(files, name), '');
  return {
    dir: files,
    env: {
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      HOME: dir,
      APIKIT_CONFIG_DIR: config,
      APIKIT_TEST_VAR: '1',
    },
    cleanup,
  };
}

/** The script `apikit completion <shell>` prints, from the built CLI. */
export async function scriptFor(shell: 'bash' | 'zsh' | 'fish', place: CompletionPlace): Promise<string> {
  const r = await runBin(['completion', shell], { env: place.env });
  if (r.code !== 0) throw new Error(`apikit completion ${shell}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

export function shellPresent(name: string): { skip: boolean; reason: string } {
  return requireBinary(name, () => spawnSync(name, ['-c', 'exit 0'], { stdio: 'ignore' }).status === 0);
}
