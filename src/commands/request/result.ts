import type { Outcome } from '../../lib/outcome.js';
import type { DecodedBody } from './body.js';

/** What `apikit request` learned: the answer as received, and what stderr may show of it. */
export interface RequestResult {
  method: string;
  /** The URL that answered (after any redirects followed). */
  url: string;
  status: number;
  /** The standard reason phrase of the status (RFC 9110 §15), '' for a code without one. */
  statusText: string;
  ok: boolean;
  /** URLs redirected from, in order (only with --follow-redirects). */
  redirects: string[];
  /** As received: lower-case names, a repeated field as an array. */
  headers: Record<string, string | string[]>;
  body: DecodedBody;
  /** The body's bytes as received, written bare when stdout is not a terminal. */
  bytes: Buffer;
  /** What stderr shows, redacted: credentials in headers, and every secret apikit read, removed. */
  shown: { headers: [string, string][]; redirects: string[]; problem: string | null };
  outcome: Outcome;
}
