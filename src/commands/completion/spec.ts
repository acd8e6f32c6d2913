/**
 * What a completion script knows about apikit: the command tree as commander has it, reduced to what a shell
 * needs (names, flags, what a value or an argument is). Built by tree.ts; written out by bash.ts, zsh.ts, fish.ts.
 */
export type ValueKind =
  /** One of a closed set of words (an algorithm, a format): offered as they are. */
  | { kind: 'enum'; values: readonly string[] }
  /** A path: the shell's own file completion. */
  | { kind: 'file' }
  /** A stored profile's name, asked of apikit when completing (`apikit completion --list-profiles`). */
  | { kind: 'profile' }
  /** The name of an environment variable (`--secret-env VAR`): the shell's exported variables. */
  | { kind: 'env' }
  /** Anything (a URL, a token, a duration): nothing to offer. */
  | { kind: 'text' };

export interface CompletionOption {
  /** `-H`, when there is one. */
  short?: string;
  /** `--header`, when there is one. */
  long?: string;
  summary: string;
  /** What the value is; undefined for a switch (a flag that takes no value, or only an optional one). */
  value?: ValueKind;
}

export interface CompletionArgument {
  name: string;
  value: ValueKind;
  variadic: boolean;
}

export interface CompletionCommand {
  /** Words after `apikit`: [] for the root, ['jwt', 'verify'] for a verb. */
  path: string[];
  summary: string;
  /** Every flag the command accepts, the global ones included. */
  options: CompletionOption[];
  commands: CompletionCommand[];
  args: CompletionArgument[];
}

/** Every command of the tree, the root first, parents before their children. */
export function allCommands(root: CompletionCommand): CompletionCommand[] {
  return [root, ...root.commands.flatMap(allCommands)];
}

/** The words of a command's flags (`-H`, `--header`). */
export function optionWords(option: CompletionOption): string[] {
  return [option.short, option.long].filter((w): w is string => w !== undefined);
}

/**
 * A value kind as one word the scripts switch on: `enum:A B C`, `file`, `profile`, `env` or `text`. The words of
 * a set are written into the scripts as they are, so they must need no quoting in any shell.
 */
export function kindWord(value: ValueKind): string {
  if (value.kind !== 'enum') return value.kind;
  for (const word of value.values) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._+/@%-]*$/.test(word)) {
      throw new Error(`completion: the value "${word}" would need quoting in a shell`);
    }
  }
  return `enum:${value.values.join(' ')}`;
}

/** The argument at position `index` (0-based), the last one repeating when it is variadic. */
export function argumentAt(cmd: CompletionCommand, index: number): CompletionArgument | undefined {
  const last = cmd.args[cmd.args.length - 1];
  return cmd.args[index] ?? (last?.variadic ? last : undefined);
}

/** Command paths and flags as script words: `jwt verify`, `--alg`. */
export function pathWord(cmd: CompletionCommand): string {
  return cmd.path.join(' ');
}

/** The flags of a command that take a value, grouped by what the value is: kind word → flags. */
export function flagsByKind(cmd: CompletionCommand): Map<string, string[]> {
  const byKind = new Map<string, string[]>();
  for (const option of cmd.options) {
    if (option.value === undefined) continue;
    const kind = kindWord(option.value);
    byKind.set(kind, [...(byKind.get(kind) ?? []), ...optionWords(option)]);
  }
  return byKind;
}
