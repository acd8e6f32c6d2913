/**
 * apikit's version. A constant rather than a read of package.json: `apikit --version` is measured against bare
 * node and a file read plus JSON parse is a visible share of it. test/foundation/version.test.ts keeps it equal
 * to package.json, and the npm `version` script rewrites it.
 */
export const VERSION = '0.1.0';

export function version(): string {
  return VERSION;
}

/**
 * What `apikit --version` (or `-V`), alone or with `--json` in any order, prints: the version, or with `--json`
 * the document `{"version": …}` (pretty-printed like every --json document). Undefined for any other command
 * line. Answered without loading the program (bin/apikit.js, cli.ts).
 */
export function versionOutput(argv: readonly string[]): string | undefined {
  if (argv.length === 0 || argv.length > 2) return undefined;
  const flags = argv.filter((a) => a === '--version' || a === '-V');
  const json = argv.filter((a) => a === '--json');
  if (flags.length !== 1 || flags.length + json.length !== argv.length) return undefined;
  return json.length === 1 ? JSON.stringify({ version: VERSION }, null, 2) + '\n' : VERSION + '\n';
}

/** `apikit --version` (or `-V`), with or without `--json`, and nothing else. */
export function isVersionRequest(argv: readonly string[]): boolean {
  return versionOutput(argv) !== undefined;
}
