import type { LifecycleProblem } from './types.js';

const NAMES = { deprecation: 'Deprecation', sunset: 'Sunset' } as const;

/**
 * The one value of a field that holds a single item (Deprecation: an sf-item, RFC 9745 §2.1; Sunset: one
 * HTTP-date, RFC 8594 §3). Several lines cannot be combined into one (RFC 9110 §5.3 joins them with ", ", which
 * is no longer a date): identical copies — a proxy repeating the field — are read as one and reported; different
 * values are reported and none is read, since picking one would be a guess.
 */
export function singleValue(
  field: keyof typeof NAMES,
  lines: readonly string[],
): { value?: string; problems: LifecycleProblem[] } {
  const values = lines.map((line) => line.trim());
  if (values.length === 0) return { problems: [] };
  const raw = values.join(', ');
  const distinct = [...new Set(values)];
  if (distinct.length > 1) {
    return {
      problems: [
        {
          field,
          raw,
          reason: `${values.length} ${NAMES[field]} field lines with different values: one value is allowed, none was read`,
        },
      ],
    };
  }
  const value = distinct[0]!;
  if (value === '') return { problems: [{ field, raw, reason: 'empty value' }] };
  if (values.length > 1) {
    return {
      value,
      problems: [
        {
          field,
          raw,
          reason: `sent ${values.length} times: one field line is allowed (the identical copies were read as one)`,
        },
      ],
    };
  }
  return { value, problems: [] };
}
