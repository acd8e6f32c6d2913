import type { ChalkInstance } from 'chalk';

/**
 * Pretty JSON for people: the same text as JSON.stringify(value, null, 2), coloured by value type when the
 * stream is a terminal (chalk with level 0 leaves it plain). Walks the value; never re-parses text.
 */
export function colourJson(value: unknown, c: ChalkInstance, indent = ''): string {
  if (value === null) return c.dim('null');
  if (typeof value === 'string') return c.green(JSON.stringify(value));
  if (typeof value === 'number') return c.yellow(JSON.stringify(value));
  if (typeof value === 'boolean') return c.magenta(String(value));
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inner = indent + '  ';
    return `[\n${value.map((v) => inner + colourJson(v, c, inner)).join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    const inner = indent + '  ';
    const lines = entries.map(([k, v]) => `${inner}${c.cyan(JSON.stringify(k))}: ${colourJson(v, c, inner)}`);
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
