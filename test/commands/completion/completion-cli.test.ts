import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderCompletion, type CompletionResult } from '../../../src/commands/completion/completion.js';
import { runBin, runCli, tempDir } from '../../helpers/cli.js';
import { hasAnsi, stderrOf, stdoutOf, viewFor } from '../../helpers/view.js';
import { completionPlace, STORED_TOKEN, type CompletionPlace } from './fixtures.js';

let place: CompletionPlace;
beforeAll(() => {
  place = completionPlace();
});
afterAll(() => place?.cleanup());

describe('apikit completion: the command', () => {
  it.each([
    { argv: ['completion'], code: 2, err: /name a shell: apikit completion \{bash \| zsh \| fish\}/ },
    {
      argv: ['completion', 'tcsh'],
      code: 2,
      err: /value 'tcsh' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish/,
    },
    { argv: ['completion', 'bash', 'zsh'], code: 2, err: /too many arguments/ },
  ])('$argv → exit $code', async ({ argv, code, err }) => {
    const r = await runCli(argv, { env: place.env });
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(err);
  });

  it.each(['bash', 'zsh', 'fish'])(
    'prints the %s script bare on stdout, the same on a terminal',
    async (shell) => {
      const piped = await runCli(['completion', shell], { env: place.env });
      const tty = await runCli(['completion', shell], { env: place.env, tty: true });
      expect(piped).toMatchObject({ code: 0, stderr: '' });
      expect(piped.stdout).toMatch(new RegExp(`^(#compdef apikit\\n)?# ${shell} completion for apikit \\d`));
      expect(tty.stdout).toBe(piped.stdout);
      expect(hasAnsi(piped.stdout)).toBe(false);
    },
  );

  it('with --json, one document with the script', async () => {
    const r = await runCli(['--json', 'completion', 'fish'], { env: place.env });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { shell: string; script: string };
    expect(doc.shell).toBe('fish');
    expect(doc.script).toContain('complete -c apikit');
  });

  it('is listed in apikit --help, with its install lines in its own --help', async () => {
    expect((await runCli(['--help'])).stdout).toMatch(/completion\s+print a shell completion script/);
    const help = await runCli(['completion', '--help']);
    expect(help.stdout).toContain('Usage: apikit completion {bash | zsh | fish}');
    expect(help.stdout).toContain('apikit completion fish > ~/.config/fish/completions/apikit.fish');
    expect(help.stdout).not.toContain('--list-profiles');
  });

  it('--list-profiles (for the scripts) prints stored profile names only, valid names only', async () => {
    const r = await runBin(['completion', '--list-profiles'], { env: place.env });
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: 'ci\nstaging\n' });
    const json = await runBin(['--json', 'completion', '--list-profiles'], { env: place.env });
    expect(JSON.parse(json.stdout)).toEqual({ profiles: ['ci', 'staging'] });
    for (const out of [r.stdout, json.stdout]) {
      expect(out).not.toContain(STORED_TOKEN);
      expect(out).not.toContain('client-');
      expect(out).not.toContain('pwned');
    }
  });

  it('--list-profiles prints nothing, and creates nothing, without a config', async () => {
    const empty = tempDir();
    try {
      const r = await runCli(['completion', '--list-profiles'], {
        env: { APIKIT_CONFIG_DIR: `${empty.dir}/none` },
      });
      expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    } finally {
      empty.cleanup();
    }
  });
});

describe('renderCompletion', () => {
  const script: CompletionResult = { shell: 'bash', script: 'complete -F _apikit apikit\n' };
  const names: CompletionResult = { profiles: ['ci', 'staging'] };
  it.each([
    { result: script, tty: true, json: false, out: 'complete -F _apikit apikit\n' },
    { result: script, tty: false, json: false, out: 'complete -F _apikit apikit\n' },
    { result: names, tty: false, json: false, out: 'ci\nstaging\n' },
    { result: { profiles: [] }, tty: true, json: false, out: '' },
    { result: names, tty: false, json: true, out: JSON.stringify(names, null, 2) + '\n' },
    { result: script, tty: true, json: true, out: JSON.stringify(script, null, 2) + '\n' },
  ])('tty=$tty json=$json', ({ result, tty, json, out }) => {
    const rendered = renderCompletion(result, viewFor({ tty, json }));
    expect(stdoutOf(rendered)).toBe(out);
    expect(stderrOf(rendered)).toBe('');
  });
});
