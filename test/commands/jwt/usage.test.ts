import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, type Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerJwtCrack } from '../../../src/commands/jwt/crack.js';
import { registerJwtDecode } from '../../../src/commands/jwt/decode.js';
import { registerJwtMint } from '../../../src/commands/jwt/mint.js';
import { registerJwtVerify } from '../../../src/commands/jwt/verify.js';
import { collect } from '../../../src/commands/shared/flags.js';
import type { Context } from '../../../src/context.js';
import { runCli } from '../../helpers/cli.js';

/**
 * Issue 9, item 21: each jwt verb's usage line is complete (every flag it takes, the passphrase flags and
 * --max-size included, and the global --json), follows the usage grammar of STYLE.md habit 12 (`<ARG>`,
 * `[--flag]`, `{a | b}`, `...`), names each flag's argument as its option does, shows no default twice, and is
 * the line the README prints.
 */
const VERBS = {
  mint: registerJwtMint,
  decode: registerJwtDecode,
  verify: registerJwtVerify,
  crack: registerJwtCrack,
};

function verb(name: keyof typeof VERBS): Command {
  const parent = new Command('jwt');
  // Registration reads nothing from the context; only the actions do.
  VERBS[name](parent, {} as Context);
  return parent.commands.find((c) => c.name() === name)!;
}

/**
 * The usage line as the flag list would write it: `--jti [<ID>]`, `--key <FILE>`, `--no-exp`; a flag with a short
 * alias by its long name (`-H, --header <LINE>` → `--header <LINE>`).
 */
function asUsage(option: Option): string {
  return option.flags.replace(/^-[A-Za-z], /, '').replace(/ \[([^<\]]+)\]$/, ' [<$1>]');
}

/** Checks the grammar; returns the problems found. */
function grammarProblems(usage: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const pairs: Record<string, string> = { ']': '[', '}': '{' };
  for (let i = 0; i < usage.length; i++) {
    const ch = usage[i]!;
    if (ch === '<') {
      const end = usage.indexOf('>', i);
      const placeholder = usage.slice(i + 1, end);
      if (end === -1 || !/^[A-Z][A-Z0-9_|@=[\]-]*$/.test(placeholder))
        problems.push(`placeholder <${placeholder}>`);
      i = end;
    } else if (ch === '[' || ch === '{') stack.push(ch);
    else if (ch === ']' || ch === '}') {
      if (stack.pop() !== pairs[ch]) problems.push(`unbalanced ${ch} at ${i}`);
    } else if (ch === '(' || ch === ')')
      problems.push(`"${ch}" is not in the grammar (a required choice is {a | b})`);
  }
  if (stack.length > 0) problems.push(`unclosed ${stack.join('')}`);
  for (const word of usage
    .replace(/<[^>]*>/g, '<>')
    .split(/[\s[\]{}|]+/)
    .filter(Boolean)) {
    if (!/^(?:--[a-z][a-z-]*|<>|-|\.\.\.)$/.test(word)) problems.push(`word "${word}"`);
  }
  return problems;
}

describe.each(Object.keys(VERBS) as (keyof typeof VERBS)[])('jwt %s', (name) => {
  const cmd = verb(name);
  const usage = cmd.usage();
  const options = cmd.options.filter((o) => o.long !== '--help');

  it('follows the usage grammar', () => {
    expect(grammarProblems(usage)).toEqual([]);
  });

  it('names every flag, with its argument as the option names it, "..." after a repeatable one', () => {
    for (const option of options) {
      const text = asUsage(option);
      expect(usage, text).toContain(text);
      if (option.parseArg === collect) expect(usage, text).toContain(`${text} ...`);
    }
  });

  it('names no flag it does not take, and ends with the global [--json]', () => {
    const longs = new Set(options.map((o) => o.long));
    for (const flag of usage.match(/--[a-z][a-z-]*/g) ?? [])
      expect(flag === '--json' || longs.has(flag), flag).toBe(true);
    expect(usage).toMatch(/ \[--json\]$/);
  });

  it('shows each default once', async () => {
    for (const option of options) {
      if (option.defaultValue !== undefined) expect(option.description, option.flags).not.toMatch(/default/i);
    }
    const help = (await runCli(['jwt', name, '--help'])).stdout;
    for (const line of help.split('\n'))
      expect((line.match(/\(default/g) ?? []).length, line).toBeLessThanOrEqual(1);
    expect(help).toContain(`Usage: apikit jwt ${name} ${usage}\n`);
  });

  it('is the usage line the README shows', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf(`### jwt ${name}`));
    const block = /```\n([\s\S]*?)\n```/.exec(section)![1]!;
    expect(block.replace(/\s+/g, ' ')).toBe(`apikit jwt ${name} ${usage}`);
  });
});
