import { member, q, skipped, urlProblem, type Metadata } from './discovery.js';
import type { Check } from './types.js';

/**
 * The checks that read the metadata alone: PKCE methods, the RFC 9207 `iss` flag, client authentication
 * methods, refresh tokens, revocation and device authorization.
 */

/** A list of strings from the document, at most `max` shown; `invalid` when the member is not one. */
function strings(meta: Metadata, field: string): { list?: string[]; invalid?: string } {
  const value = member(meta, field);
  if (value === undefined) return {};
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    return { invalid: `"${field}" is not a list of strings (${q(value, 60)})` };
  }
  return { list: value };
}

/** A list for evidence: sanitised, the first 12 entries. */
export function shown(list: readonly string[]): string {
  if (list.length === 0) return '(empty)';
  const head = list.slice(0, 12).map((v) => q(v, 60));
  return head.join(', ') + (list.length > 12 ? `, … ${list.length - 12} more` : '');
}

export function pkceCheck(meta: Metadata | undefined): Check {
  const title = 'PKCE with S256 (RFC 7636, RFC 9700 §2.1.1)';
  if (!meta) return skipped('pkce', title);
  const { list, invalid } = strings(meta, 'code_challenge_methods_supported');
  const base = { id: 'pkce' as const, title };
  if (invalid) {
    return {
      ...base,
      status: 'fail',
      evidence: [invalid],
      advice: 'list "S256" in code_challenge_methods_supported',
    };
  }
  if (!list) {
    return {
      ...base,
      status: 'warn',
      evidence: ['"code_challenge_methods_supported" is absent: the server does not say it supports PKCE'],
      advice:
        'support PKCE with S256 and advertise it: "code_challenge_methods_supported": ["S256"] (RFC 8414 §2)',
      details: { methods: null },
    };
  }
  const details = { methods: list };
  const evidence = [`"code_challenge_methods_supported": ${shown(list)}`];
  if (!list.includes('S256')) {
    return {
      ...base,
      status: 'fail',
      evidence: [...evidence, 'no S256: apikit login refuses this issuer (plain sends the verifier itself)'],
      advice: 'enable PKCE with S256 (and turn plain off): RFC 9700 §2.1.1',
      details,
    };
  }
  if (list.includes('plain')) {
    return {
      ...base,
      status: 'warn',
      evidence: [...evidence, '"plain" is offered too: a client (or an attacker downgrading one) may use it'],
      advice: 'offer only S256: with plain the code_challenge is the verifier (RFC 9700 §2.1.1)',
      details,
    };
  }
  return { ...base, status: 'pass', evidence, advice: null, details };
}

/**
 * RFC 9207: the flag in the metadata, and — when the authorization request came back to the redirect URI — what
 * the response actually carried (`iss` undefined: not seen, null: absent from a response that was seen).
 */
export function issParameterCheck(
  meta: Metadata | undefined,
  issuer: string,
  seen: { iss: string | null } | undefined,
): Check {
  const title = 'RFC 9207 iss in authorization responses (mix-up defence)';
  if (!meta) return skipped('iss-parameter', title);
  const base = { id: 'iss-parameter' as const, title };
  const flag = member(meta, 'authorization_response_iss_parameter_supported');
  const evidence = [
    flag === undefined
      ? '"authorization_response_iss_parameter_supported" is absent'
      : `"authorization_response_iss_parameter_supported": ${q(flag, 40)}`,
  ];
  if (seen) {
    evidence.push(
      seen.iss === null
        ? 'the authorization response sent to the loopback redirect had no iss'
        : `the authorization response sent to the loopback redirect had iss=${q(seen.iss)}`,
    );
    if (seen.iss !== null && seen.iss !== issuer) {
      return {
        ...base,
        status: 'fail',
        evidence: [...evidence, `iss is not the issuer ${q(issuer)}: apikit login refuses such a response`],
        advice: 'send the issuer identifier itself as iss (RFC 9207 §2)',
      };
    }
    if (flag === true && seen.iss === null) {
      return {
        ...base,
        status: 'fail',
        evidence: [
          ...evidence,
          'advertised, but not sent: apikit login refuses responses without iss from it',
        ],
        advice: 'add iss to every authorization response (RFC 9207 §2), or stop advertising it',
      };
    }
  }
  if (flag === true) return { ...base, status: 'pass', evidence, advice: null };
  return {
    ...base,
    status: 'warn',
    evidence: [...evidence, 'apikit login cannot require iss, so a mix-up attack goes unnoticed'],
    advice:
      'send iss in authorization responses and advertise "authorization_response_iss_parameter_supported": true (RFC 9207 §3)',
  };
}

export function tokenAuthMethodsCheck(meta: Metadata | undefined): Check {
  const title = 'token endpoint client authentication (a public client: "none")';
  if (!meta) return skipped('token-auth-methods', title);
  const base = { id: 'token-auth-methods' as const, title };
  const { list, invalid } = strings(meta, 'token_endpoint_auth_methods_supported');
  if (invalid) return { ...base, status: 'warn', evidence: [invalid], advice: 'list the methods as strings' };
  const advice =
    'support public native clients and list "none" in token_endpoint_auth_methods_supported (RFC 8252 §8.4)';
  if (!list) {
    return {
      ...base,
      status: 'warn',
      evidence: [
        '"token_endpoint_auth_methods_supported" is absent: RFC 8414 §2 then means client_secret_basic only',
      ],
      advice,
      details: { methods: null },
    };
  }
  const evidence = [`"token_endpoint_auth_methods_supported": ${shown(list)}`];
  const known = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'client_secret_jwt'];
  const m2m = known.filter((m) => list.includes(m));
  evidence.push(
    m2m.length > 0
      ? `for apikit token client-credentials: ${m2m.join(', ')}`
      : 'none of the methods apikit token client-credentials uses',
  );
  if (!list.includes('none')) {
    return {
      ...base,
      status: 'warn',
      evidence: [
        ...evidence,
        'no "none": the token endpoint may refuse a public client such as apikit login',
      ],
      advice,
      details: { methods: list },
    };
  }
  return { ...base, status: 'pass', evidence, advice: null, details: { methods: list } };
}

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export function refreshTokensCheck(meta: Metadata | undefined): Check {
  const title = 'refresh tokens, and hints of rotation or sender-constraining (RFC 9700 §4.14.2)';
  if (!meta) return skipped('refresh-tokens', title);
  const base = { id: 'refresh-tokens' as const, title };
  const grants = strings(meta, 'grant_types_supported');
  const scopes = strings(meta, 'scopes_supported').list;
  const dpop = strings(meta, 'dpop_signing_alg_values_supported').list;
  const mtls = member(meta, 'tls_client_certificate_bound_access_tokens') === true;
  if (grants.invalid)
    return { ...base, status: 'warn', evidence: [grants.invalid], advice: 'list the grant types' };
  const evidence = [
    grants.list
      ? `"grant_types_supported": ${shown(grants.list)}`
      : '"grant_types_supported" is absent: RFC 8414 §2 then means authorization_code and implicit only',
  ];
  if (scopes?.includes('offline_access')) evidence.push('offline_access is a supported scope');
  if (dpop)
    evidence.push(`DPoP offered (RFC 9449): ${shown(dpop)} — refresh tokens can be sender-constrained`);
  if (mtls) evidence.push('certificate-bound tokens offered (RFC 8705)');
  evidence.push('whether refresh tokens rotate cannot be seen in metadata: only a refresh shows it');
  const details = {
    grantTypes: grants.list ?? null,
    dpop: dpop !== undefined,
    offlineAccess: !!scopes?.includes('offline_access'),
  };
  if (!grants.list?.includes('refresh_token')) {
    return {
      ...base,
      status: 'warn',
      evidence,
      advice:
        'offer the refresh_token grant (and list it in grant_types_supported), or sessions of apikit login end when the access token does',
      details,
    };
  }
  return {
    ...base,
    status: 'pass',
    evidence,
    advice:
      dpop || mtls
        ? null
        : 'rotate the refresh tokens of public clients on every use (RFC 9700 §4.14.2), or offer DPoP',
    details,
  };
}

export function revocationCheck(meta: Metadata | undefined): Check {
  const title = 'token revocation endpoint (RFC 7009)';
  if (!meta) return skipped('revocation', title);
  const value = member(meta, 'revocation_endpoint');
  if (value === undefined) {
    return {
      id: 'revocation',
      title,
      status: 'warn',
      evidence: ['no "revocation_endpoint": apikit logout can only forget tokens, not revoke them'],
      advice: 'offer RFC 7009 revocation and advertise "revocation_endpoint"',
    };
  }
  const problem = urlProblem(value);
  return problem
    ? {
        id: 'revocation',
        title,
        status: 'fail',
        evidence: [`"revocation_endpoint" ${problem}`],
        advice: 'use an https URL',
      }
    : {
        id: 'revocation',
        title,
        status: 'pass',
        evidence: [`"revocation_endpoint": ${q(value)}`],
        advice: null,
      };
}

export function deviceCheck(meta: Metadata | undefined): Check {
  const title = 'device authorization endpoint (RFC 8628, for apikit login --device)';
  if (!meta) return skipped('device-authorization', title);
  const base = { id: 'device-authorization' as const, title };
  const value = member(meta, 'device_authorization_endpoint');
  if (value === undefined) {
    return {
      ...base,
      status: 'warn',
      evidence: ['no "device_authorization_endpoint": apikit login --device is not available'],
      advice:
        'only needed for logins without a browser on this machine: enable RFC 8628 and advertise the endpoint',
    };
  }
  const problem = urlProblem(value);
  if (problem) {
    return {
      ...base,
      status: 'fail',
      evidence: [`"device_authorization_endpoint" ${problem}`],
      advice: 'use an https URL',
    };
  }
  const evidence = [`"device_authorization_endpoint": ${q(value)}`];
  const grants = strings(meta, 'grant_types_supported').list;
  if (grants && !grants.includes(DEVICE_GRANT)) {
    return {
      ...base,
      status: 'warn',
      evidence: [...evidence, `"grant_types_supported" does not list ${DEVICE_GRANT}`],
      advice: `list ${DEVICE_GRANT} in grant_types_supported`,
    };
  }
  return { ...base, status: 'pass', evidence, advice: null };
}
