import type { Selector } from './scheme.js';
import { compareTokens, tokenKey, type VersionToken } from './token.js';
import type { NamedBy, VersionAnswer } from './types.js';
import type { Named } from './named.js';

type NumberToken = Extract<VersionToken, { kind: 'number' }>;

/**
 * Which versions to try, in which order, within --max-versions: first those the API names itself (in the order
 * they were named), then the neighbours of the numbers known — v0 … vN+1 around the version given and every
 * numbered one named, nearest first — and one past the highest version that answers, while it answers. Dates are
 * never guessed: only the dates the API names are tried. Pure: the probe asks `next()`, sends, and `record`s.
 */
export interface Tried {
  token: VersionToken;
  namedBy: NamedBy[];
  /** Undefined: not tried (the budget or --max-versions came first); null: sent, no answer (a failure). */
  answer?: VersionAnswer | null;
}

/** A 2xx, 401 or 403: the version exists (the neighbour after it is worth a try). */
export function answers(status: number): boolean {
  return (status >= 200 && status < 300) || status === 401 || status === 403;
}

export class VersionPlanner {
  private readonly entries = new Map<string, Tried>();
  /** Keys in the order to try: named ones first, then neighbours. */
  private readonly queue: { key: string; named: boolean }[] = [];
  private tries = 0;

  constructor(
    private readonly selector: Selector,
    private readonly current: VersionToken | null,
    private readonly maxVersions: number,
    currentBy: NamedBy = 'request',
  ) {
    if (current !== null) this.add(current, currentBy);
    this.neighbours();
  }

  /** Every version known, tried or not, ascending. */
  get all(): Tried[] {
    return [...this.entries.values()].sort((a, b) => compareTokens(a.token, b.token));
  }

  get triedCount(): number {
    return this.tries;
  }

  /** A version named by the API (or by the request given, or by what a response stated). */
  add(token: VersionToken, by: NamedBy): void {
    const key = tokenKey(token);
    const known = this.entries.get(key);
    if (known !== undefined) {
      if (!known.namedBy.includes(by)) known.namedBy.push(by);
      // A neighbour the API turns out to name moves up, with the named ones.
      const queued = this.queue.find((q) => q.key === key);
      if (queued !== undefined && by !== 'neighbour' && !queued.named) {
        this.queue.splice(this.queue.indexOf(queued), 1);
        this.enqueue(key, true);
      }
      return;
    }
    this.entries.set(key, { token, namedBy: [by] });
    this.enqueue(key, by !== 'neighbour');
  }

  /** The next version to try, or undefined when --max-versions is spent or nothing is left. */
  next(): Tried | undefined {
    while (this.tries < this.maxVersions) {
      const item = this.queue.shift();
      if (item === undefined) return undefined;
      const entry = this.entries.get(item.key)!;
      // Answered outside the loop (the request given was this version's).
      if (entry.answer !== undefined) continue;
      this.tries++;
      return entry;
    }
    return undefined;
  }

  /** What a version's request got, and what that answer names. */
  record(token: VersionToken, answer: VersionAnswer | null, named: readonly Named[] = []): void {
    const entry = this.entries.get(tokenKey(token));
    if (entry !== undefined) entry.answer = answer;
    for (const n of named) {
      // An error body that quotes the version asked for names nothing new.
      if (n.by === 'body' && tokenKey(n.token) === tokenKey(token)) continue;
      this.add(n.token, n.by);
    }
    this.neighbours();
  }

  /** The names a response outside the loop gave (the request given, the unversioned one). */
  learn(named: readonly Named[]): void {
    for (const n of named) this.add(n.token, n.by);
    this.neighbours();
  }

  private enqueue(key: string, named: boolean): void {
    if (named) {
      const firstNeighbour = this.queue.findIndex((q) => !q.named);
      this.queue.splice(firstNeighbour === -1 ? this.queue.length : firstNeighbour, 0, { key, named });
    } else {
      this.queue.push({ key, named });
    }
  }

  /**
   * Numbered neighbours: every major from 0 to one past the highest the API or the request named — or one past the
   * highest that answered, while versions keep answering (a 404 above the top proves nothing more) — nearest to the
   * version given first. With minors (`v1.2`): the minors of the version given from .0 to one past the highest
   * known, and the next major's .0. Without any number known (`--scheme header` and no version seen): around 1.
   */
  private neighbours(): void {
    const format = this.selector.style.format;
    if (format === 'date') return;
    const numbered = [...this.entries.values()].filter(
      (e): e is Tried & { token: NumberToken } => e.token.kind === 'number',
    );
    const named = numbered.filter((e) => e.namedBy.some((b) => b !== 'neighbour'));
    const centre: NumberToken =
      this.current?.kind === 'number' ? this.current : (named[0]?.token ?? { kind: 'number', major: 1 });
    if (format === 'major-minor') {
      const minors = named.filter((e) => e.token.major === centre.major).map((e) => e.token.minor ?? 0);
      const top = Math.max(centre.minor ?? 0, ...minors) + 1;
      for (let m = 0; m <= top; m++) this.guess({ kind: 'number', major: centre.major, minor: m });
      this.guess({ kind: 'number', major: centre.major + 1, minor: 0 });
      return;
    }
    const liveTop = Math.max(
      -1,
      ...numbered.filter((e) => e.answer != null && answers(e.answer.status)).map((e) => e.token.major),
    );
    const ceiling = Math.max(centre.major, liveTop, ...named.map((e) => e.token.major)) + 1;
    const majors = Array.from({ length: ceiling + 1 }, (_, n) => n);
    // The nearest first, the newer of two equally near first: v2, then v0, when v1 was given.
    majors.sort((a, b) => Math.abs(a - centre.major) - Math.abs(b - centre.major) || b - a);
    for (const major of majors) this.guess({ kind: 'number', major });
  }

  private guess(token: VersionToken): void {
    if (!this.entries.has(tokenKey(token))) this.add(token, 'neighbour');
  }
}
