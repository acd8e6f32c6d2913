import { isApikitError as isOwnError } from '../errors.js';
import type { ApikitErrorInfo } from './types.js';

/**
 * Whether `err` is an error apikit threw on purpose (bad input, network, refused request), as opposed to a bug.
 * Then `err.code` is a stable `ERR_…` code to switch on.
 */
export function isApikitError(err: unknown): err is ApikitErrorInfo {
  return isOwnError(err);
}
