import { Command, type Option } from 'commander';
import type { Context } from '../../context.js';
import type { GroupEntry } from '../group.js';
import { optionWords, type CompletionCommand, type CompletionOption } from './spec.js';
import { argumentValue, optionValue } from './values.js';

/**
 * The whole command tree as commander builds it, for a completion script that never drifts from it. `program`
 * is the root as src/program.ts built it (the global flags; every group but the one running is a placeholder
 * there, as only the group named on the command line is loaded): each group is registered again, every verb
 * with it (`verb` undefined), on a scratch root of its own. Registering runs nothing.
 */
export async function loadCompletionTree(
  program: Command,
  groups: readonly GroupEntry[],
  ctx: Context,
): Promise<CompletionCommand> {
  const loaded: Command[] = [];
  for (const group of groups) {
    const scratch = new Command('apikit');
    await (await group.load()).register(scratch, ctx, group, undefined);
    loaded.push(...scratch.commands);
  }
  const help = program.createHelp();
  // The flags of the root that every command accepts (commander reads a parent's options after a subcommand
  // too); --version and --help are the root's own (every command has a --help of its own).
  const rootOptions = help.visibleOptions(program);
  const globals = rootOptions
    .filter((o) => o.long !== '--version' && o.long !== '--help')
    .map((o) => completionOption(o, ''));
  const commands = loaded.map((cmd) => commandSpec(cmd, [cmd.name()], globals));
  return {
    path: [],
    summary: firstLine(program.description()),
    options: rootOptions.map((o) => completionOption(o, '')),
    commands: [
      ...commands,
      // commander's `apikit help <group>`.
      {
        path: ['help'],
        summary: 'show help for a command',
        options: [],
        commands: [],
        args: [
          { name: 'command', value: { kind: 'enum', values: groups.map((g) => g.name) }, variadic: false },
        ],
      },
    ],
    args: [],
  };
}

function commandSpec(cmd: Command, path: string[], globals: CompletionOption[]): CompletionCommand {
  const help = cmd.createHelp();
  const group = path[0] ?? '';
  const own = help.visibleOptions(cmd).map((o) => completionOption(o, group));
  const ownWords = new Set(own.flatMap(optionWords));
  return {
    path,
    summary: firstLine(cmd.summary() || cmd.description()),
    // A verb's own flag wins over a global of the same name.
    options: [...own, ...globals.filter((g) => !optionWords(g).some((w) => ownWords.has(w)))],
    // Without commander's implicit `help` verb of a group (`apikit jwt help mint` is `apikit jwt mint --help`).
    commands: help
      .visibleCommands(cmd)
      .filter((sub) => cmd.commands.includes(sub))
      .map((sub) => commandSpec(sub, [...path, sub.name()], globals)),
    args: cmd.registeredArguments.map((a) => ({
      name: a.name(),
      value: argumentValue(a, path),
      variadic: a.variadic,
    })),
  };
}

function completionOption(option: Option, group: string): CompletionOption {
  return {
    ...(option.short === undefined ? {} : { short: option.short }),
    ...(option.long === undefined ? {} : { long: option.long }),
    summary: firstLine(option.description),
    // An optional value (`--jti [ID]`) is completed as a switch: what follows may as well be the next flag.
    ...(option.required ? { value: optionValue(option, group) } : {}),
  };
}

/** One line of plain text for a menu, at most 100 characters. */
function firstLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 100 ? line.slice(0, 99) + '…' : line;
}
