import type { Argument, Option } from 'commander';
import { AUDIT_TARGETS } from '../../lib/audit/types.js';
import { FAIL_ON_SEVERITIES, GRADES } from '../../lib/findings.js';
import { JWS_ALGORITHMS } from '../../lib/keys/algorithms.js';
import { SCHEMES } from '../../lib/versions/types.js';
import { AUDIT_FORMATS, PROBE_FORMATS } from '../shared/probe-flags.js';
import type { ValueKind } from './spec.js';

/**
 * The closed sets of flags that check their value themselves instead of through commander's `.choices()` (so
 * that their messages and codes stay theirs): the same constants their parsers check against, keyed by the
 * group (`*` for any) and the long flag. A flag with `.choices()` needs no row; test/commands/completion/
 * tree.test.ts fails when a flag whose placeholder names a closed set (`<ALG>`, `<format>`, …) has neither, and
 * puts every word here through the parser of its flag.
 */
const CLOSED_SETS: Record<string, readonly string[]> = {
  '* --alg': JWS_ALGORITHMS,
  '* --fail-on': FAIL_ON_SEVERITIES,
  // Best first, as a person reads grades.
  '* --fail-under': [...GRADES].reverse(),
  // Suggestions rather than a closed set: any token is a method, these are the ones people probe with.
  '* --request': ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  // The audit sends its own OPTIONS preflight and refuses -X OPTIONS.
  'audit --request': ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
  'probe --format': PROBE_FORMATS,
  'probe --scheme': ['auto', ...SCHEMES],
  'audit --target': AUDIT_TARGETS,
  'audit --format': AUDIT_FORMATS,
};

/** The closed set of a group's flag, when there is one. */
export function closedSet(group: string, long: string): readonly string[] | undefined {
  return CLOSED_SETS[`${group} ${long}`] ?? CLOSED_SETS[`* ${long}`];
}

/** The placeholder of a flag's value: `<FILE|URL>` → `FILE|URL`. */
function placeholder(flags: string): string {
  return /[<[]([^>\]]+)[>\]]/.exec(flags)?.[1] ?? '';
}

/** What the value of `option` (of a command in `group`) is. */
export function optionValue(option: Option, group: string): ValueKind {
  if (option.argChoices) return { kind: 'enum', values: option.argChoices };
  const set = option.long === undefined ? undefined : closedSet(group, option.long);
  if (set) return { kind: 'enum', values: set };
  if (option.long === '--profile') return { kind: 'profile' };
  return kindOfPlaceholder(placeholder(option.flags));
}

/** What a positional argument of the command at `path` is. */
export function argumentValue(argument: Argument, path: readonly string[]): ValueKind {
  if (argument.argChoices) return { kind: 'enum', values: argument.argChoices };
  // `profiles show <name>`, `profiles remove <name>`.
  if (path[0] === 'profiles' && argument.name() === 'name') return { kind: 'profile' };
  return kindOfPlaceholder(argument.name());
}

/** FILE, file, PREFIX (a path prefix), FILE|URL, JSON|@FILE|- are paths; VAR an environment variable. */
function kindOfPlaceholder(name: string): ValueKind {
  if (/file|prefix/i.test(name)) return { kind: 'file' };
  if (name === 'VAR') return { kind: 'env' };
  return { kind: 'text' };
}
