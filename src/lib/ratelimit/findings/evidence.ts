import type { FindingEvidence } from '../../findings.js';
import { formatElapsed } from '../format.js';
import type { ObservedResponse } from '../types.js';

/** The draft the advice cites. */
export const DRAFT = 'draft-ietf-httpapi-ratelimit-headers';

/** The request the evidence names. */
export interface ProbedRequest {
  url: string;
  /** The request method, for evidence lines (`GET https://…`); omitted when not given. */
  method?: string;
}

function request(input: ProbedRequest): string {
  return input.method === undefined ? input.url : `${input.method} ${input.url}`;
}

/** One response as evidence: the request, its status, `#seq at 1.5 s` and anything more. */
export function responseEvidence(
  input: ProbedRequest,
  o: ObservedResponse,
  more: { header?: string; value?: string; note?: string } = {},
): FindingEvidence {
  const e: FindingEvidence = { request: request(input) };
  if (o.entry.status !== null) e.status = o.entry.status;
  if (more.header !== undefined) e.header = more.header;
  if (more.value !== undefined) e.value = more.value;
  const at = `#${o.entry.seq} at ${formatElapsed(o.entry.sent_ms)}`;
  e.note = more.note === undefined ? at : `${at}: ${more.note}`;
  return e;
}
