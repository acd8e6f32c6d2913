/**
 * apikit's version. A constant rather than a read of package.json: `apikit --version` is measured against bare
 * node and a file read plus JSON parse is a visible share of it. test/foundation/version.test.ts keeps it equal
 * to package.json, and the npm `version` script rewrites it.
 */
export const VERSION = '0.1.0';

export function version(): string {
  return VERSION;
}

/** `apikit --version` (or `-V`) and nothing else: answered without loading the program (bin/apikit.js, cli.ts). */
export function isVersionRequest(argv: readonly string[]): boolean {
  return argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V');
}
