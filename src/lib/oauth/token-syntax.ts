/**
 * The syntax of the token values a token endpoint returns, checked before apikit prints, stores or sends them.
 * A token is a header value in waiting: `--format header` prints `Authorization: Bearer <token>`, HTTP commands
 * send it, and a line break inside it would add a header line of the server's choosing (`abc\ndef: x`). So only
 * what the RFCs allow gets through. Pure.
 */

/** RFC 6750 §2.1 b64token: what may follow "Bearer " in an Authorization header. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** RFC 6749 Appendix A: 1*VSCHAR (visible ASCII and space), the syntax of access_token and refresh_token. */
const VSCHARS = /^[\x20-\x7e]+$/;

/**
 * RFC 6749 §7.1 and A.13: token_type is a type name (letters, digits, "-", "." and "_") or a URI — visible ASCII
 * without spaces either way. It becomes the scheme of the Authorization header line.
 */
const TOKEN_TYPE = /^[\x21-\x7e]+$/;

/** A token value that breaks its field's syntax: which field, and the rule it breaks (never the value). */
export interface TokenSyntaxProblem {
  field: 'access_token' | 'refresh_token' | 'token_type';
  rule: string;
}

export function isBearerTokenType(tokenType: string): boolean {
  return tokenType.toLowerCase() === 'bearer';
}

/** Whether `token` may be sent as `Authorization: Bearer <token>` (RFC 6750 §2.1). */
export function isB64Token(token: string): boolean {
  return B64TOKEN.test(token);
}

const B64TOKEN_RULE = 'an RFC 6750 Bearer token is letters, digits and "-._~+/", then "=" padding';
const VSCHAR_RULE = 'RFC 6749 allows only visible ASCII characters and spaces';
const TOKEN_TYPE_RULE = 'RFC 6749 §7.1: a type name or a URI, visible ASCII without spaces';

/**
 * The first value of a token response that breaks its syntax, or undefined. A Bearer access token must be a
 * b64token (it goes into an Authorization header as it is); any other access token and a refresh token must be
 * VSCHARs.
 */
export function tokenSyntaxProblem(values: {
  accessToken: string;
  tokenType: string;
  refreshToken?: string | undefined;
}): TokenSyntaxProblem | undefined {
  if (!TOKEN_TYPE.test(values.tokenType)) return { field: 'token_type', rule: TOKEN_TYPE_RULE };
  if (isBearerTokenType(values.tokenType)) {
    if (!isB64Token(values.accessToken)) return { field: 'access_token', rule: B64TOKEN_RULE };
  } else if (!VSCHARS.test(values.accessToken)) {
    return { field: 'access_token', rule: VSCHAR_RULE };
  }
  if (values.refreshToken !== undefined && !VSCHARS.test(values.refreshToken)) {
    return { field: 'refresh_token', rule: VSCHAR_RULE };
  }
  return undefined;
}
