import { hasCode, isApikitError } from '../../errors.js';
import type { HttpClient, HttpRequest } from '../../http/client.js';
import type { Answer } from '../../lib/oauth/doctor.js';

/** Each of the doctor's requests gives up after this long (--timeout replaces it). */
export const DOCTOR_TIMEOUT_MS = 10_000;

/**
 * One request of the doctor, its answer recorded as a fact: status, the headers the checks read, the moment the
 * headers arrived (for the clock-skew check), the body as text. A transport failure or a body over the cap is a
 * fact too (its code and message); an interrupt (Ctrl-C) and anything that is not apikit's error still throw.
 */
export async function exchange(http: HttpClient, req: HttpRequest): Promise<Answer> {
  const url = String(req.url);
  try {
    const res = await http.request(req);
    const answer: Answer = {
      url,
      status: res.status,
      receivedAt: Math.round(res.timing.startedAt + res.timing.headersMs),
      body: res.text(),
    };
    const contentType = res.header('content-type');
    const date = res.header('date');
    const location = res.header('location');
    if (contentType !== undefined) answer.contentType = contentType;
    if (date !== undefined) answer.date = date;
    if (location !== undefined) answer.location = location;
    return answer;
  } catch (err) {
    if (!isApikitError(err) || hasCode(err, 'ERR_INTERRUPTED')) throw err;
    return { url, error: { code: err.code, message: err.message } };
  }
}
