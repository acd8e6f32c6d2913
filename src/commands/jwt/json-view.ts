import type { ChalkInstance } from 'chalk';
import { terminalSafe } from '../../lib/text/terminal-safe.js';

/**
 * Pretty JSON for people: the same text as JSON.stringify(value, null, 2), coloured by value type when the
 * stream is a terminal (chalk with level 0 leaves it plain). Walks the value; never re-parses text. The value
 * came from a token: JSON escapes C0 controls but leaves DEL, C1 controls and bidi overrides, so every string
 * passes through terminalSafe (whole: it is the value being shown, not a message).
 */
export function colourJson(value: unknown, c: ChalkInstance, indent = ''): string {
  if (value === null) return c.dim('null');
  if (typeof value === 'string') return c.green(safe(value));
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
    const lines = entries.map(([k, v]) => `${inner}${c.cyan(safe(k))}: ${colourJson(v, c, inner)}`);
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function safe(text: string): string {
  return terminalSafe(JSON.stringify(text), Infinity);
}
