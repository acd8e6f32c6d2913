import Link from 'http-link-header';
import type { LifecycleLink, LifecycleProblem } from './types.js';

/**
 * Every link of every `Link` field line (RFC 8288 §3), parsed by `http-link-header`: several links per line,
 * commas and semicolons inside `<…>` and quoted strings, `rel="a b"` (several relation types on one link), later
 * occurrences of `rel`/`type`/`title` ignored (§3.3, §3.4.1). Relation types are compared case-insensitively
 * (§2.1.1), so they are lower-cased. Targets (and anchors) are resolved against `baseUrl` (§3.2, RFC 3986 §5).
 * A line that does not parse is reported as a problem, and none of its links is read.
 */
export function parseLinks(
  lines: readonly string[],
  baseUrl: string,
): { links: LifecycleLink[]; problems: LifecycleProblem[] } {
  const links: LifecycleLink[] = [];
  const problems: LifecycleProblem[] = [];
  for (const line of lines) {
    let refs: Link.Reference[];
    try {
      refs = Link.parse(line).refs;
    } catch (err) {
      // None of the line's links is read: the library stops at the fault, and which links came before it is
      // only partly known (a link is kept once the next one starts), so a partial list would mislead.
      const why = err instanceof Error ? err.message : String(err);
      problems.push({
        field: 'link',
        raw: line,
        reason: `not an RFC 8288 Link value (${why}): no link of the line was read`,
      });
      continue;
    }
    for (const group of groupRelations(refs)) {
      const link = toLink(group, baseUrl);
      if (typeof link === 'string') problems.push({ field: 'link', raw: line, reason: link });
      else {
        links.push(link);
        if (link.rel.length === 0) {
          problems.push({
            field: 'link',
            raw: line,
            reason: `the link to <${group[0]!.uri}> has no rel (RFC 8288 §3.3: rel MUST be present)`,
          });
        }
      }
    }
  }
  return { links, problems };
}

/**
 * The library splits `rel="a b"` into one reference per relation type, copying the other attributes; consecutive
 * references with the same target and attributes are one link again. (Merging two separate links that agree in
 * everything but rel changes nothing: RFC 8288 §3.3 makes the two forms equivalent.)
 */
function groupRelations(refs: readonly Link.Reference[]): Link.Reference[][] {
  const groups: Link.Reference[][] = [];
  let key = '';
  for (const ref of refs) {
    const { rel: _rel, ...rest } = ref;
    const refKey = JSON.stringify(rest);
    const last = groups.at(-1);
    if (last && refKey === key && ref.rel !== undefined && last[0]!.rel !== undefined) last.push(ref);
    else groups.push([ref]);
    key = refKey;
  }
  return groups;
}

/** One link, or the reason it was dropped. */
function toLink(group: readonly Link.Reference[], baseUrl: string): LifecycleLink | string {
  const ref = group[0]!;
  const href = resolve(ref.uri, baseUrl);
  if (href === undefined) return `the link target <${ref.uri}> is not a URI reference`;
  const types = group
    .flatMap((r) => (typeof r.rel === 'string' ? r.rel.split(/\s+/) : []))
    .filter((r) => r !== '');
  const bad = types.filter((r) => !isRelationType(r));
  if (bad.length > 0)
    return `the link to <${ref.uri}> has rel values that are no relation type: ${bad.join(' ')}`;
  const rel = types.map((r) => r.toLowerCase());
  const link: LifecycleLink = { href, rel: [...new Set(rel)] };
  const attrs = ref as Record<string, unknown>;
  if (typeof attrs.type === 'string') link.type = attrs.type;
  const title = textOf(attrs['title*']) ?? textOf(attrs.title);
  if (title !== undefined) link.title = title;
  if (typeof attrs.anchor === 'string') {
    const anchor = resolve(attrs.anchor, baseUrl);
    if (anchor === undefined) return `the anchor "${attrs.anchor}" of <${ref.uri}> is not a URI reference`;
    link.anchor = anchor;
  }
  return link;
}

/**
 * RFC 8288 §3.3: a relation type is a registered name (`LOALPHA *( LOALPHA / DIGIT / "." / "-" )`, compared
 * case-insensitively) or an absolute URI. The library reads an unquoted rel up to the next delimiter, so garbage
 * such as `rel=next x <…>` reaches here as extra "types".
 */
function isRelationType(value: string): boolean {
  if (/^[a-z][a-z0-9.-]*$/i.test(value)) return true;
  return /^[a-z][a-z0-9+.-]*:/i.test(value) && URL.canParse(value);
}

/** A string attribute, or the decoded value of an RFC 8187 extended one (`title*=UTF-8'de'…`). */
function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'value' in value && typeof value.value === 'string')
    return value.value;
  return undefined;
}

function resolve(reference: string, baseUrl: string): string | undefined {
  try {
    return new URL(reference, baseUrl).href;
  } catch {
    try {
      return new URL(reference).href; // an absolute target still reads when the base is no URL
    } catch {
      return undefined;
    }
  }
}
