import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** apikit's version, from the package.json shipped beside dist/. */
export function version(): string {
  cached ??= (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
    .version;
  return cached;
}
