export type * from './types.js';
export { LIFECYCLE_ISSUE_KINDS } from './types.js';
export { readLifecycle } from './read.js';
export { parseDeprecation } from './deprecation.js';
export { parseSunset } from './sunset.js';
export { parseLinks } from './links.js';
export { lifecycleIssues, SUNSET_SOON_DAYS } from './issues.js';
export { daysFrom, isoDay, DAY_MS } from './days.js';
export { parseHttpDate, type HttpDateForm, type HttpDateResult } from './http-date.js';
