import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { ensureBuilt } from '../commands/jwt/fixtures.js';

const ROOT = join(import.meta.dirname, '..', '..');

it('src/version.ts matches package.json', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  expect(VERSION).toBe(pkg.version);
});

it('the built bundle says the same version in its package.json (bin/apikit.js names its code caches by it)', () => {
  ensureBuilt();
  const bundle = JSON.parse(readFileSync(join(ROOT, 'dist', 'bundle', 'package.json'), 'utf8'));
  expect(bundle).toEqual({ type: 'commonjs', version: VERSION });
});
