/**
 * RFC 7515 §5.2 and RFC 7519 §4: a JOSE header or claims set with duplicate member names must be rejected
 * (or read lexically-last, which is what JSON.parse does). Two parsers reading different values from the same
 * token is a known confusion attack, so apikit rejects. JSON.parse cannot report duplicates, so this scans the
 * top level of text that JSON.parse has ALREADY accepted — it only has to find member names, not validate.
 */
export function duplicateMember(json: string): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  let i = 0;
  while (i < json.length) {
    const ch = json[i]!;
    if (ch === '"') {
      const start = i;
      i++;
      while (i < json.length && json[i] !== '"') i += json[i] === '\\' ? 2 : 1;
      const literal = json.slice(start, i + 1);
      i++;
      if (depth === 1) {
        let j = i;
        while (j < json.length && /\s/.test(json[j]!)) j++;
        if (json[j] === ':') {
          const name = JSON.parse(literal) as string;
          if (seen.has(name)) return name;
          seen.add(name);
        }
      }
      continue;
    }
    if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth--;
    i++;
  }
  return undefined;
}
