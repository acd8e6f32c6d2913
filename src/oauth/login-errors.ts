import { AuthError, type ApikitErrorOptions } from '../errors.js';

/**
 * An error response from the authorization endpoint (RFC 6749 §4.1.2.1), wherever it arrives — at the loopback
 * callback or in a pasted redirect URL: one message and one code (ERR_LOGIN_<ERROR>), exit 4.
 */
export function refusedLoginError(
  error: string,
  description: string | undefined,
  options: ApikitErrorOptions = {},
): AuthError {
  return new AuthError(
    `the authorization server refused the login: ${error}${description ? ` (${description})` : ''}`,
    `ERR_LOGIN_${error.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`,
    options,
  );
}
