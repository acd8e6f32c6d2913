import { createHash } from 'node:crypto';
import { isApikitError } from '../../errors.js';
import type { HttpResponse } from '../../http/client.js';
import { headerLines } from '../../lib/headers.js';
import { BODY_SCAN_CHARS } from '../../lib/versions/named.js';
import type { VersionAnswer, VersionRequest, VersionsReport } from '../../lib/versions/types.js';
import type { Budget } from '../budget.js';

/**
 * The versions probe's one way to send: a GET through the budget with the user's headers (-H lines, the
 * credential) minus the selector's own (a -H API-Version would otherwise pick the version for every request), then
 * the request's selecting header. Each answer becomes a VersionAnswer: the headers line by line, a redirect's
 * Location resolved, the body's hash and its start. A transport failure ends the run (stopped 'error').
 */
export class VersionSender {
  error: VersionsReport['error'] = null;
  private failed = false;

  constructor(
    private readonly options: { headers: Record<string, string>; timeoutMs: number },
    private readonly budget: Budget,
  ) {}

  get stopped(): VersionsReport['stopped'] | undefined {
    return this.failed ? 'error' : this.budget.stopped;
  }

  /** The answer, or null when nothing came back (the budget, the deadline, Ctrl-C, a failure: see `stopped`). */
  async send(request: VersionRequest): Promise<VersionAnswer | null> {
    if (this.stopped !== undefined) return null;
    const drop = new Set(request.drop.map((h) => h.toLowerCase()));
    const headers = {
      ...Object.fromEntries(Object.entries(this.options.headers).filter(([n]) => !drop.has(n.toLowerCase()))),
      ...request.headers,
    };
    let res: HttpResponse | undefined;
    try {
      res = await this.budget.request({
        method: 'GET',
        url: request.url,
        headers,
        timeoutMs: this.options.timeoutMs,
        truncateBody: true,
        followRedirects: false,
      });
    } catch (err) {
      if (!isApikitError(err) || err.exitCode !== 3) throw err;
      this.failed = true;
      this.error ??= { code: err.code, message: err.message };
      return null;
    }
    if (res === undefined) return null;
    return answerOf(res, request.url);
  }
}

export function answerOf(res: HttpResponse, url: string): VersionAnswer {
  const location = res.status >= 300 && res.status < 400 ? res.header('location') : undefined;
  let resolved: string | null = null;
  if (location !== undefined) {
    try {
      resolved = new URL(location, url).href;
    } catch {
      resolved = location;
    }
  }
  return {
    status: res.status,
    headers: headerLines(res.headers),
    location: resolved,
    bodyHash: createHash('sha256').update(res.body).digest('hex'),
    body: res.body
      .subarray(0, BODY_SCAN_CHARS * 4)
      .toString('utf8')
      .slice(0, BODY_SCAN_CHARS),
  };
}
