/**
 * Content-Type values (RFC 9110 §8.3): read by the audit's content rules and by the sandbox API's request bodies.
 */
export interface MediaType {
  /** `type/subtype`, lower-case. */
  essence: string;
  /** Parameter names lower-case; a quoted value unquoted. The first of a repeated name counts. */
  params: Map<string, string>;
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const ESSENCE = new RegExp(`^(${TOKEN})/(${TOKEN})`);
const PARAM = new RegExp(`^[\\t ]*;[\\t ]*(?:(${TOKEN})=(?:(${TOKEN})|"((?:[^"\\\\]|\\\\.)*)"))?`);

/** RFC 9110 §8.3.1 `media-type`, or a one-line reason why the value is not one. */
export function readMediaType(value: string): MediaType | { error: string } {
  const text = value.trim();
  const head = ESSENCE.exec(text);
  if (!head) return { error: 'not type/subtype' };
  const params = new Map<string, string>();
  let rest = text.slice(head[0].length);
  while (rest.length > 0) {
    const m = PARAM.exec(rest);
    if (!m || m[0].length === 0) return { error: `cannot read the parameters at "${rest.slice(0, 40)}"` };
    if (m[1] !== undefined) {
      const name = m[1].toLowerCase();
      const v = m[2] ?? m[3]!.replace(/\\(.)/g, '$1');
      if (!params.has(name)) params.set(name, v);
    }
    rest = rest.slice(m[0].length);
  }
  return { essence: `${head[1]}/${head[2]}`.toLowerCase(), params };
}

/** `application/json` and every structured-syntax `+json` type (RFC 6839 §3.1). */
export function isJsonType(essence: string): boolean {
  return essence === 'application/json' || /^[a-z0-9!#$&^_.+-]+\/[^/]+\+json$/.test(essence);
}
