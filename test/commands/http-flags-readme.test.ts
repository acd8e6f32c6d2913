import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/**
 * Issue 9, item 13: the README's "HTTP options" table is true. Every flag it lists for a verb ("yes", or "own:"
 * when the verb has a flag of that name with its own meaning) is in that verb's --help; every "no" is refused by the
 * verb (exit 2, an unknown option) and absent from its --help.
 */
const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

interface Cell {
  verb: string;
  flags: string[];
  takes: 'yes' | 'own' | 'no';
}

function httpOptionsTable(): Cell[] {
  const lines = readme.slice(readme.indexOf('## HTTP options\n')).split('\n');
  // The first table of the section: its lines from the first that starts with "|" to the first that does not.
  const first = lines.findIndex((l) => l.startsWith('|'));
  const end = lines.findIndex((l, i) => i > first && !l.startsWith('|'));
  const rows = lines.slice(first, end).map((l) =>
    l
      .slice(1, -1)
      .split('|')
      .map((c) => c.trim()),
  );
  const [head, , ...table] = rows;
  const verbs = head!.slice(1).map((v) => v.replace(/`/g, ''));
  const cells: Cell[] = [];
  for (const [flagCell, ...answers] of table) {
    const flags = [...flagCell!.matchAll(/`([^`]+)`/g)].map((m) => /--[a-z-]+/.exec(m[1]!)![0]);
    answers.forEach((answer, i) => {
      const takes = answer.startsWith('yes') ? 'yes' : answer.startsWith('own:') ? 'own' : 'no';
      if (takes === 'no') expect(answer, `${verbs[i]} ${flags.join(' ')}`).toBe('no');
      cells.push({ verb: verbs[i]!, flags, takes });
    });
  }
  return cells;
}

const cells = httpOptionsTable();

/** The flag's own line in the Options of a --help (not a mention in another option's text or an example). */
const optionLine = (flag: string): RegExp => new RegExp(`^ {2}(-[A-Za-z], )?${flag}( |$)`, 'm');

/** A value for flags that take one (anything: the option is unknown before it is read). */
const VALUE: Record<string, string> = { '--follow-redirects': '' };
/** What a verb needs so that commander gets as far as the unknown option (a required option first). */
const BASE: Record<string, string[]> = {
  'token client-credentials': ['--client-id', 'x'],
  doctor: ['--issuer', 'https://issuer.example'],
};

describe('README "HTTP options"', () => {
  it('lists the shared flags for the verbs that make requests', () => {
    expect(new Set(cells.map((c) => c.verb))).toEqual(
      new Set([
        'login',
        'logout',
        'token',
        'token client-credentials',
        'jwt verify',
        'probe ratelimit',
        'probe cors',
        'audit',
        'probe versions',
        'doctor',
        'request',
      ]),
    );
    const flags = new Set(cells.flatMap((c) => c.flags));
    for (const flag of ['--header', '--timeout', '--connect-timeout', '--max-body', '--follow-redirects'])
      expect(flags).toContain(flag);
    for (const flag of ['--bearer-env', '--api-key-env', '--api-key-header', '--basic-env', '--profile'])
      expect(flags).toContain(flag);
  });

  it.each(cells.filter((c) => c.takes !== 'no').map((c) => [c.verb, c.flags.join(', '), c] as const))(
    '%s takes %s (its --help lists it)',
    async (verb, _flags, cell) => {
      const help = await runCli([...verb.split(' '), '--help']);
      expect(help.code).toBe(0);
      for (const flag of cell.flags) expect(help.stdout, flag).toMatch(optionLine(flag));
    },
  );

  it.each(cells.filter((c) => c.takes === 'no').map((c) => [c.verb, c.flags.join(', '), c] as const))(
    '%s does not take %s (exit 2, unknown option)',
    async (verb, _flags, cell) => {
      for (const flag of cell.flags) {
        const value = VALUE[flag] ?? 'X';
        const r = await runCli([...verb.split(' '), ...(BASE[verb] ?? []), flag, ...(value ? [value] : [])]);
        expect(r.code, `${verb} ${flag}: ${r.stderr}`).toBe(2);
        // `token client-credentials --profile`: commander hands it to `token`, which says it does not apply here.
        expect(r.stderr).toMatch(new RegExp(`unknown option '${flag}'|${flag} does not apply`));
        const help = await runCli([...verb.split(' '), '--help']);
        expect(help.stdout).not.toMatch(optionLine(flag));
      }
    },
  );
});
