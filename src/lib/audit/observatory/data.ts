/**
 * The Mozilla HTTP Observatory's scoring table and grade chart, for the tests an API response and its transport
 * share with it. Copied (the numbers, not the prose) from the Mozilla HTTP Observatory, Copyright Mozilla
 * Foundation, licensed under the Mozilla Public License 2.0 (https://mozilla.org/MPL/2.0/):
 *
 *   repository  https://github.com/mdn/mdn-http-observatory
 *   commit      94042bbfbf9f1af722ad9114ada6d271dcb525b9 (2026-08-20)
 *   files       src/grader/charts.js (SCORE_TABLE, GRADE_CHART, MINIMUM_SCORE_FOR_EXTRA_CREDIT),
 *               src/scanner/index.js (the sum and the extra-credit rule), src/grader/grader.js (the bands),
 *               src/analyzer/tests/*.js, src/analyzer/cspParser.js (ported in ./csp.ts and ./tests.ts)
 *
 * This file is therefore MPL-2.0 (a file-level copyleft: it stays under the MPL, the rest of apikit does not).
 *
 * Left out, and why:
 * - subresource-integrity for an HTML page: it needs the page's <script> elements and where they load from;
 *   apikit audits headers. A non-HTML Content-Type is scored, as Observatory does (sri-not-implemented-response-
 *   not-html, 0).
 * - hsts-preloaded (+5) and redirection-all-redirects-preloaded (0): they need Chromium's HSTS preload list,
 *   which apikit does not carry.
 * - <meta http-equiv> policies in an HTML body (CSP, Referrer-Policy): only response headers are read.
 * - cookies set by the redirect chain and by /robots.txt (Observatory's cookie jar collects them): only the audited
 *   response's Set-Cookie lines are read.
 * - redirection when there is no http:// twin to look at (--headers offline, --assume-https), and CORS when no
 *   preflight was sent (--headers offline).
 */

/** The commit of mdn/mdn-http-observatory the numbers below were read from. */
export const OBSERVATORY_COMMIT = '94042bbfbf9f1af722ad9114ada6d271dcb525b9';
export const OBSERVATORY_SOURCE = 'https://github.com/mdn/mdn-http-observatory';
export const OBSERVATORY_LICENSE = 'MPL-2.0';

/** Observatory's result identifiers (src/types.js Expectation) with their score modifiers (charts.js SCORE_TABLE). */
export const OBSERVATORY_MODIFIERS = {
  // content-security-policy
  'csp-implemented-with-no-unsafe-default-src-none': 10,
  'csp-implemented-with-no-unsafe': 5,
  'csp-implemented-with-unsafe-inline-in-style-src-only': 0,
  'csp-implemented-with-insecure-scheme-in-passive-content-only': -10,
  'csp-implemented-with-unsafe-eval': -10,
  'csp-implemented-with-unsafe-inline': -20,
  'csp-implemented-with-insecure-scheme': -20,
  'csp-header-invalid': -25,
  'csp-not-implemented': -25,
  'csp-not-implemented-but-reporting-enabled': -25,
  'csp-implemented-but-duplicate-directives': 0,
  // cookies
  'cookies-secure-with-httponly-sessions-and-samesite': 5,
  'cookies-secure-with-httponly-sessions': 0,
  'cookies-not-found': 0,
  'cookies-without-secure-flag-but-protected-by-hsts': -5,
  'cookies-session-without-secure-flag-but-protected-by-hsts': -10,
  'cookies-without-secure-flag': -20,
  'cookies-samesite-flag-invalid': -20,
  'cookies-anticsrf-without-samesite-flag': -20,
  'cookies-session-without-httponly-flag': -30,
  'cookies-session-without-secure-flag': -40,
  // cross-origin-resource-sharing
  'cross-origin-resource-sharing-not-implemented': 0,
  'cross-origin-resource-sharing-implemented-with-public-access': 0,
  'cross-origin-resource-sharing-implemented-with-restricted-access': 0,
  'cross-origin-resource-sharing-implemented-with-universal-access': -50,
  // redirection
  'redirection-to-https': 0,
  'redirection-not-needed-no-http': 0,
  'redirection-off-host-from-http': -5,
  'redirection-not-to-https-on-initial-redirection': -10,
  'redirection-not-to-https': -20,
  'redirection-missing': -20,
  'redirection-invalid-cert': -20,
  // referrer-policy
  'referrer-policy-private': 5,
  'referrer-policy-not-implemented': 0,
  'referrer-policy-unsafe': -5,
  'referrer-policy-header-invalid': -5,
  // strict-transport-security
  'hsts-implemented-max-age-at-least-six-months': 0,
  'hsts-implemented-max-age-less-than-six-months': -10,
  'hsts-not-implemented': -20,
  'hsts-header-invalid': -20,
  'hsts-not-implemented-no-https': -20,
  'hsts-invalid-cert': -20,
  // subresource-integrity (only the non-HTML case: see above)
  'sri-not-implemented-response-not-html': 0,
  // x-content-type-options
  'x-content-type-options-nosniff': 0,
  'x-content-type-options-not-implemented': -5,
  'x-content-type-options-header-invalid': -5,
  // x-frame-options
  'x-frame-options-implemented-via-csp': 5,
  'x-frame-options-sameorigin-or-deny': 5,
  'x-frame-options-allow-from-origin': 0,
  'x-frame-options-not-implemented': -20,
  'x-frame-options-header-invalid': -20,
  // cross-origin-resource-policy
  'corp-header-invalid': -5,
  'corp-implemented-with-cross-origin': 0,
  'corp-implemented-with-same-origin': 10,
  'corp-implemented-with-same-site': 10,
  'corp-not-implemented': 0,
  // cross-origin-embedder-policy
  'coep-implemented-with-require-corp': 10,
  'coep-implemented-with-credentialless': 10,
  'coep-implemented-with-unsafe-none': 0,
  'coep-not-implemented': 0,
  'coep-header-invalid': -5,
  // cross-origin-opener-policy
  'coop-implemented-with-same-origin': 10,
  'coop-implemented-with-same-origin-allow-popups': 10,
  'coop-implemented-with-noopener-allow-popups': 10,
  'coop-implemented-with-unsafe-none': 0,
  'coop-not-implemented': 0,
  'coop-header-invalid': -5,
} as const satisfies Record<string, number>;

export type ObservatoryResult = keyof typeof OBSERVATORY_MODIFIERS;

/** Observatory starts every scan at this score (src/scanner/index.js). */
export const OBSERVATORY_START = 100;

/**
 * Bonuses (positive modifiers) count only when the score from the penalties alone is already at least this
 * (charts.js MINIMUM_SCORE_FOR_EXTRA_CREDIT): "only record the full score if the uncurved score already receives an A".
 */
export const MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90;

/**
 * charts.js GRADE_CHART as bands, best first: the score (never below 0; above 100 reads as 100) rounded down to a
 * multiple of 5 maps to the grade. `min` is the lowest score that earns the grade.
 */
export const OBSERVATORY_GRADE_BANDS = [
  { grade: 'A+', min: 100 },
  { grade: 'A', min: 90 },
  { grade: 'A-', min: 85 },
  { grade: 'B+', min: 80 },
  { grade: 'B', min: 70 },
  { grade: 'B-', min: 65 },
  { grade: 'C+', min: 60 },
  { grade: 'C', min: 50 },
  { grade: 'C-', min: 45 },
  { grade: 'D+', min: 40 },
  { grade: 'D', min: 30 },
  { grade: 'D-', min: 25 },
  { grade: 'F', min: 0 },
] as const;
