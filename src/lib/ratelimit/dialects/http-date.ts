/**
 * HTTP-date (RFC 9110 §5.6.7): the preferred IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT` and the two obsolete
 * forms a recipient must still accept (rfc850 `Sunday, 06-Nov-94 08:49:37 GMT`, asctime `Sun Nov  6 08:49:37 1994`).
 * `Date.parse` alone is far too lenient for server input ("1" is a date to it), so the grammar is checked here.
 * Not a structured field: RFC 9651 does not cover `Date`, `Retry-After` or the legacy reset headers.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = `(?<month>${MONTHS.join('|')})`;
const TIME = '(?<h>\\d{2}):(?<mi>\\d{2}):(?<s>\\d{2})';
const FORMS = [
  new RegExp(`^${DAY}, (?<day>\\d{2}) ${MONTH} (?<year>\\d{4}) ${TIME} GMT$`),
  new RegExp(`^${LONG_DAY}, (?<day>\\d{2})-${MONTH}-(?<yy>\\d{2}) ${TIME} GMT$`),
  new RegExp(`^${DAY} ${MONTH} (?<day>[ \\d]\\d) ${TIME} (?<year>\\d{4})$`),
];

/** Epoch milliseconds, or null when `value` is not an HTTP-date (or names a day that does not exist). */
export function parseHttpDate(value: string): number | null {
  const text = value.trim();
  if (text.length > 64) return null;
  for (const form of FORMS) {
    const g = form.exec(text)?.groups;
    if (g === undefined) continue;
    let year = Number(g.year);
    if (g.yy !== undefined) {
      // RFC 9110 §5.6.7: a two-digit year that looks more than 50 years in the future is in the past.
      year = 2000 + Number(g.yy);
      if (year > 2050) year -= 100;
    }
    const month = MONTHS.indexOf(g.month!);
    const day = Number(g.day!.trim());
    const [h, mi, s] = [Number(g.h), Number(g.mi), Number(g.s)];
    // 60: RFC 9110 allows a leap second; Date.UTC folds it into the next minute.
    if (day < 1 || h > 23 || mi > 59 || s > 60) return null;
    const ms = Date.UTC(year, month, day, h, mi, s);
    // Date.UTC rolls 31 Feb over into March: a day that does not exist is not a date.
    if (new Date(Date.UTC(year, month, day)).getUTCMonth() !== month) return null;
    return ms;
  }
  return null;
}
