import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

/** `apikit help token client-credentials` is the subcommand's help, exactly what `--help` shows. */
describe('help for the token verbs', () => {
  it.each([
    { help: ['help', 'token', 'client-credentials'], flag: ['token', 'client-credentials', '--help'] },
    {
      help: ['--no-color', 'help', 'token', 'client-credentials'],
      flag: ['token', 'client-credentials', '-h'],
    },
    { help: ['help', 'token'], flag: ['token', '--help'] },
  ])('$help = $flag', async ({ help, flag }) => {
    const viaHelp = await runCli(help);
    const viaFlag = await runCli(flag);
    expect(viaHelp.code).toBe(0);
    expect(viaFlag.code).toBe(0);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    expect(viaHelp.stderr).toBe('');
  });

  it("help token client-credentials shows the client-credentials usage and flags, not token's", async () => {
    const res = await runCli(['help', 'token', 'client-credentials']);
    expect(res.stdout).toMatch(
      /^Usage: apikit token client-credentials \{--issuer <url> \| --token-endpoint <url>\}/,
    );
    expect(res.stdout).toContain('--client-secret-env <VAR>');
    expect(res.stdout).not.toContain('--check');
  });
});
