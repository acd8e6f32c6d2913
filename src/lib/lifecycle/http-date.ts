/**
 * HTTP-date (RFC 9110 §5.6.7), strictly. Recipients must accept all three forms: IMF-fixdate
 * (`Sun, 06 Nov 1994 08:49:37 GMT`, the one senders must use) and the obsolete RFC 850 (`Sunday, 06-Nov-94
 * 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`) forms. The shape is checked first, field by field,
 * because `Date.parse` alone accepts nearly anything (`2018`, `tomorrow-ish 5`, local-time strings) and would turn
 * garbage into a date. HTTP-date is case-sensitive (§5.6.7) and always UTC.
 *
 * The weekday is checked to be a weekday name, not to agree with the date: RFC 9110 does not ask recipients to
 * check it, and RFC 8594's own example (`Sat, 31 Dec 2018 23:59:59 GMT`, a Monday) would fail.
 */

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const DAY_NAMES_LONG = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const DAY = `(${DAY_NAMES.join('|')})`;
const DAY_LONG = `(${DAY_NAMES_LONG.join('|')})`;
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';

// IMF-fixdate = day-name "," SP date1 SP time-of-day SP GMT ; date1 = day SP month SP year (2DIGIT, 4DIGIT)
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
// rfc850-date = day-name-l "," SP date2 SP time-of-day SP GMT ; date2 = day "-" month "-" 2DIGIT
const RFC850_DATE = new RegExp(`^${DAY_LONG}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
// asctime-date = day-name SP date3 SP time-of-day SP year ; date3 = month SP ( 2DIGIT / ( SP DIGIT ) )
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} (\\d{2}| \\d) ${TIME} (\\d{4})$`);

export type HttpDateForm = 'imf-fixdate' | 'rfc850' | 'asctime';

export type HttpDateResult =
  { ok: true; epochMs: number; form: HttpDateForm } | { ok: false; reason: string };

const SHAPE_REASON =
  'not an HTTP-date (RFC 9110 §5.6.7 wants IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT")';

/**
 * Reads one HTTP-date. `nowMs`, when given, applies RFC 9110's rule for the two-digit year of the RFC 850 form (a
 * year that appears more than 50 years in the future is the most recent past year with those digits); without
 * it, 70–99 are 19xx and 00–69 are 20xx.
 */
export function parseHttpDate(value: string, nowMs?: number): HttpDateResult {
  const text = value.trim();
  let m = IMF_FIXDATE.exec(text);
  if (m) return build(Number(m[4]), m[3]!, m[2]!, m[5]!, m[6]!, m[7]!, 'imf-fixdate');
  m = RFC850_DATE.exec(text);
  if (m) return build(fullYear(Number(m[4]), nowMs), m[3]!, m[2]!, m[5]!, m[6]!, m[7]!, 'rfc850');
  m = ASCTIME_DATE.exec(text);
  if (m) return build(Number(m[7]), m[2]!, m[3]!.trim(), m[4]!, m[5]!, m[6]!, 'asctime');
  return { ok: false, reason: SHAPE_REASON };
}

function fullYear(twoDigits: number, nowMs: number | undefined): number {
  if (nowMs === undefined || !Number.isFinite(nowMs))
    return twoDigits >= 70 ? 1900 + twoDigits : 2000 + twoDigits;
  const nowYear = new Date(nowMs).getUTCFullYear();
  let year = Math.floor(nowYear / 100) * 100 + twoDigits;
  if (year > nowYear + 50) year -= 100;
  return year;
}

function build(
  year: number,
  monthName: string,
  dayText: string,
  hourText: string,
  minuteText: string,
  secondText: string,
  form: HttpDateForm,
): HttpDateResult {
  const month = MONTHS.indexOf(monthName);
  const day = Number(dayText);
  const hour = Number(hourText);
  const minute = Number(minuteText);
  const second = Number(secondText);
  // Date.UTC would roll 31 Feb over into March; a date that does not exist is not read as another one.
  const daysInMonth = utcDate(year, month + 1, 0).getUTCDate();
  if (day < 1 || day > daysInMonth) {
    return { ok: false, reason: `day ${dayText.trim()} does not exist in ${monthName} ${year}` };
  }
  // RFC 9110 §5.6.7: hour 00–23, minute 00–59, second 00–60 (60: a leap second, read as the next minute's 00).
  if (hour > 23 || minute > 59 || second > 60) {
    return { ok: false, reason: `time ${hourText}:${minuteText}:${secondText} is out of range` };
  }
  const utc = utcDate(year, month, day);
  utc.setUTCHours(hour, minute, second, 0);
  return { ok: true, epochMs: utc.getTime(), form };
}

/** Midnight UTC of that day; unlike Date.UTC, years 0–99 stay years 0–99 (not 1900–1999). */
function utcDate(year: number, month: number, day: number): Date {
  const utc = new Date(0);
  utc.setUTCFullYear(year, month, day);
  return utc;
}
