import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

/** Every verb of the login family documents itself: usage grammar, real examples at the end. */
describe('--help of login, token, logout and profiles', () => {
  it.each([
    {
      argv: ['login'],
      usage:
        /^Usage: apikit login \{--issuer <url> \| --authorization-endpoint <url> --token-endpoint <url>\} --client-id <id> .*\[--callback-host \{127\.0\.0\.1 \| localhost\}\].*\[--json\]$/m,
    },
    {
      argv: ['token'],
      usage:
        /^Usage: apikit token \[--profile <name>\] \[--min-ttl <duration>\] \[--format \{bare \| header \| json\}\] \[--check\] \[--header <line> \.\.\.\] \[--timeout <duration>\] \[--connect-timeout <duration>\] \[--max-body <bytes>\]$/m,
    },
    {
      argv: ['token', 'client-credentials'],
      usage:
        /^Usage: apikit token client-credentials \{--issuer <url> \| --token-endpoint <url>\} --client-id <id> \{--client-secret-env <VAR> \| --client-secret-file <file> \| --client-secret-stdin \| --private-key <file>\} \[--auth-method \{client_secret_basic \| client_secret_post \| private_key_jwt \| client_secret_jwt\}\].*\[--format \{bare \| header \| json\}\].*\[--no-cache\] \[--save-profile <name>\]/m,
    },
    {
      argv: ['logout'],
      usage:
        /^Usage: apikit logout \[--profile <name> \| --all\] \[--header <line> \.\.\.\] \[--timeout <duration>\] \[--connect-timeout <duration>\] \[--max-body <bytes>\]$/m,
    },
    { argv: ['profiles', 'list'], usage: /^Usage: apikit profiles list \[--json\]$/m },
    { argv: ['profiles', 'show'], usage: /^Usage: apikit profiles show <name> \[--json\]$/m },
    { argv: ['profiles', 'remove'], usage: /^Usage: apikit profiles remove <name> \[--json\]$/m },
  ])('apikit $argv --help', async ({ argv, usage }) => {
    const result = await runCli([...argv, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(usage);
    // Ends with real examples of this very command.
    const examples = result.stdout.slice(result.stdout.lastIndexOf('\nExamples:\n'));
    expect(result.stdout.lastIndexOf('\nExamples:\n')).toBeGreaterThan(0);
    const lines = examples.trim().split('\n').slice(1);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toMatch(/^ {2}\$ /);
    expect(lines.some((l) => l.includes(`apikit ${argv.join(' ')}`))).toBe(true);
    // Repeatable options are not documented with a meaningless "(default: [])".
    expect(result.stdout).not.toContain('(default: [])');
  });
});
