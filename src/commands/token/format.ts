import type { Rendered, View } from '../../io/render.js';

/**
 * The one way both `token` verbs print a token: bare (so `TOKEN=$(apikit token)` gets exactly the token), as
 * an Authorization header line (`curl -H "$(apikit token --format header)"`), or as one JSON document.
 */
export type TokenFormat = 'bare' | 'header' | 'json';

export const TOKEN_FORMATS: readonly TokenFormat[] = ['bare', 'header', 'json'];

export interface TokenToRender {
  accessToken: string;
  /** The token_type; the header line writes a Bearer token's scheme as "Bearer". */
  tokenType: string;
  /** The document `--format json` prints. */
  json: Record<string, unknown>;
}

/** The token in `format`, on stdout. Pure. */
export function renderToken(format: TokenFormat, token: TokenToRender, view: View): Rendered {
  const doc = view.doc();
  switch (format) {
    case 'bare':
      return doc.result(token.accessToken).blocks;
    case 'header':
      return doc.result(`Authorization: ${headerScheme(token.tokenType)} ${token.accessToken}`).blocks;
    case 'json':
      return doc.json(token.json).blocks;
  }
}

/** RFC 6750 §2.1; token_type is case-insensitive (RFC 6749 §7.1), the header scheme is written "Bearer". */
function headerScheme(tokenType: string): string {
  return tokenType.toLowerCase() === 'bearer' ? 'Bearer' : tokenType;
}
