import { parseItem, Token, type BareItem } from 'structured-headers';
import { headerDate } from './days.js';
import { parseHttpDate } from './http-date.js';
import { singleValue } from './single-value.js';
import type { Lifecycle, LifecycleProblem } from './types.js';

type Deprecation = NonNullable<Lifecycle['deprecation']>;

const WANTS = 'RFC 9745 §2.1 wants @<epoch seconds>, e.g. @1688169599';

/**
 * `Deprecation` (RFC 9745 §2.1): an sf-item whose value is a Date (RFC 9651 §3.3.7), `@1688169599` — the moment
 * the resource is or will be deprecated. The pre-RFC draft forms (`true`, an HTTP-date) are still read — servers
 * built on the drafts send them — and reported as problems marked `legacy`. Anything else is a problem, never a
 * guessed date.
 */
export function parseDeprecation(
  lines: readonly string[],
  nowMs?: number,
): { value?: Deprecation; problems: LifecycleProblem[] } {
  const one = singleValue('deprecation', lines);
  if (one.value === undefined) return { problems: one.problems };
  const raw = one.value;
  const problems = [...one.problems];
  const problem = (reason: string, legacy?: true): LifecycleProblem =>
    legacy ? { field: 'deprecation', raw, reason, legacy } : { field: 'deprecation', raw, reason };

  const item = readItem(raw);
  if (item instanceof Date) {
    const at = headerDate(item.getTime(), raw);
    if (at) return { value: { at, raw }, problems };
    return { problems: [...problems, problem('the date is out of range')] };
  }
  // Draft -00…-02: `Deprecation: true`; an sf-boolean `?1` is read the same way.
  if ((item instanceof Token && item.toString() === 'true') || item === true) {
    problems.push(problem(`the draft form "${raw}" (deprecated now, no date); ${WANTS}`, true));
    return { value: { legacy: 'true', raw }, problems };
  }
  const httpDate = parseHttpDate(raw, nowMs);
  if (httpDate.ok) {
    const at = headerDate(httpDate.epochMs, raw);
    if (at) {
      problems.push(problem(`the draft form with an HTTP-date; ${WANTS}`, true));
      return { value: { at, legacy: 'http-date', raw }, problems };
    }
  }
  problems.push(problem(reasonFor(item)));
  return { problems };
}

/** The bare item, or undefined when the value is no sf-item at all. */
function readItem(raw: string): BareItem | undefined {
  try {
    return parseItem(raw)[0];
  } catch {
    // structured-headers 2.1.0 reads a Date's digits to the end of the input, so a Date with parameters
    // (`@1688169599;x=1`, valid per RFC 9651 §3.1.2, whose unknown parameters RFC 9745 lets a recipient ignore)
    // throws. Read it as the Integer it is made of, with the parameters parsed (and dropped) by the library.
    if (!/^@-?\d+;/.test(raw)) return undefined;
    try {
      const [seconds] = parseItem(raw.slice(1));
      return typeof seconds === 'number' && Number.isSafeInteger(seconds)
        ? new Date(seconds * 1000)
        : undefined;
    } catch {
      return undefined;
    }
  }
}

function reasonFor(item: BareItem | undefined): string {
  if (typeof item === 'number') return `a number, not a structured-field Date (${WANTS})`;
  if (item instanceof Token && item.toString() === 'false') {
    return `"false" is not a Deprecation value (${WANTS}); read as not deprecated`;
  }
  return `not a structured-field Date (${WANTS})`;
}
