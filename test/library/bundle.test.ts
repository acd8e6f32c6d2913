import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// What the library bundle (scripts/build-lib.js) holds, from its metafile: the pure logic and the OAuth flows, and
// nothing of the CLI — no commander, chalk or cli-table3, no command, no terminal rendering, no config store, and
// none of the CLI's runtime packages (undici, conf, open, proper-lockfile). Run after `npm run build`.

const META = join(import.meta.dirname, '..', '..', 'dist', 'library.meta.json');

describe('the library bundle', () => {
  const meta = existsSync(META)
    ? (JSON.parse(readFileSync(META, 'utf8')) as {
        inputs: Record<string, unknown>;
        outputs: Record<string, { imports: { path: string; external?: boolean }[] }>;
      })
    : undefined;

  it('exists (npm run build)', () => {
    expect(meta, 'dist/library.meta.json is missing: run npm run build').toBeDefined();
  });

  it('holds no CLI module and no CLI dependency', () => {
    const inputs = Object.keys(meta!.inputs);
    const forbidden = inputs.filter((p) =>
      /node_modules\/(commander|chalk|cli-table3|undici|conf|open|proper-lockfile)\/|^src\/(commands|profiles|probes|sandbox|server|config)\/|^src\/(cli|program|entry|context)\.ts$|^src\/io\/(render|output|system|io|secrets)\.ts$/.test(
        p,
      ),
    );
    expect(forbidden).toEqual([]);
    // It does hold what it wraps.
    expect(inputs).toEqual(
      expect.arrayContaining([
        'src/api/index.ts',
        'src/lib/jwt/verify.ts',
        'src/oauth/client-credentials.ts',
        'src/lib/ratelimit/headers.ts',
      ]),
    );
  });

  it('imports only Node built-ins at run time', () => {
    const imports = Object.values(meta!.outputs).flatMap((o) => o.imports.map((i) => i.path));
    expect(imports.filter((p) => !p.startsWith('node:'))).toEqual([]);
  });
});
