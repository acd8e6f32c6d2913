import type { Command, Option } from 'commander';
import { UsageError } from '../../errors.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import { collect } from './flags.js';

/**
 * commander keeps the last value of a flag given twice and lets `--exp 5m --no-exp` cancel each other without
 * a word. A verb that calls enforceFlagRules refuses both (exit 2, naming both flags): a flag that takes one value
 * takes it once, and flags that say opposite things (or name two key sources) are never combined. Repeatable
 * flags (collect) may repeat. The jwt verbs use it today; it lives here so every verb can.
 */
export interface FlagRules {
  /** Flags (long names, "--key") of which at most one kind may be given, and what they give ("the key"). */
  exclusive?: { flags: string[]; what: string }[];
}

interface Seen {
  option: Option;
  value: string | undefined;
}

/** Watches the options of `cmd` (call it once every option is added) and checks them before the action. */
export function enforceFlagRules(cmd: Command, rules: FlagRules = {}): Command {
  const seen: Seen[] = [];
  for (const option of cmd.options) {
    cmd.on(`option:${option.name()}`, (value?: unknown) => {
      seen.push({ option, value: typeof value === 'string' ? value : undefined });
    });
  }
  cmd.hook('preAction', () => checkFlags(seen, rules));
  return cmd;
}

function checkFlags(seen: Seen[], rules: FlagRules): void {
  const first = new Map<string, Seen>();
  for (const s of seen) {
    const long = s.option.long ?? s.option.name();
    const earlier = first.get(long);
    const repeatable = s.option.parseArg === collect;
    const takesValue = s.option.required || s.option.optional;
    if (earlier && !repeatable && takesValue) {
      throw new UsageError(
        `${written(earlier)} and ${written(s)}: ${long} takes one value; give it once`,
        'ERR_USAGE_FLAG_TWICE',
      );
    }
    if (!earlier) first.set(long, s);
  }
  for (const { flags, what } of rules.exclusive ?? []) {
    const given = flags.filter((flag) => first.has(flag));
    if (given.length > 1) {
      const [a, b] = given.map((flag) => written(first.get(flag)!));
      throw new UsageError(
        `${a} and ${b} cannot be used together: give ${what} one way`,
        'ERR_USAGE_FLAG_CONFLICT',
      );
    }
  }
}

/** A flag as it was given: `--exp 5m`, `--no-exp`. argv text may hold anything: sanitised. */
function written(s: Seen): string {
  const long = s.option.long ?? s.option.name();
  return terminalSafe(s.value === undefined ? long : `${long} ${s.value}`, 120);
}
