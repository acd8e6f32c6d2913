import type { Outcome } from '../outcome.js';
import { clockSkewCheck } from './doctor/clock.js';
import {
  discoveryCheck,
  endpointsCheck,
  issuerCheck,
  member,
  readDiscovery,
  urlProblem,
} from './doctor/discovery.js';
import { jwksCheck } from './doctor/jwks.js';
import { issSeen, loopbackCheck } from './doctor/loopback.js';
import {
  deviceCheck,
  issParameterCheck,
  pkceCheck,
  refreshTokensCheck,
  revocationCheck,
  tokenAuthMethodsCheck,
} from './doctor/metadata.js';
import type { Check, CheckStatus, DoctorFacts } from './doctor/types.js';

/**
 * `apikit doctor`'s judgement: the checklist, pure, from the facts src/oauth/doctor.ts gathered. Every item is
 * pass / warn / fail (or skip when it could not run), with the evidence and what to change on the server; the
 * verdict is negative when any item fails.
 */
export type {
  Answer,
  AuthorizeFacts,
  Check,
  CheckId,
  CheckStatus,
  DoctorFacts,
  JwksFacts,
} from './doctor/types.js';
export { CHECK_IDS } from './doctor/types.js';
export { readDiscovery, urlProblem, member } from './doctor/discovery.js';
export { needsControl, readAuthorizeAnswer } from './doctor/loopback.js';

export interface Checklist {
  checks: Check[];
  summary: Record<CheckStatus, number>;
  outcome: Outcome;
}

export function judgeDoctor(facts: DoctorFacts): Checklist {
  const reading = readDiscovery(facts);
  const meta = reading.meta;
  const notRun = !meta
    ? 'no usable discovery document'
    : !reading.trusted
      ? "the document's issuer does not match, so its endpoints are not trusted"
      : urlProblem(member(meta, 'authorization_endpoint')) !== undefined
        ? 'no usable authorization_endpoint'
        : 'not sent';
  const checks: Check[] = [
    discoveryCheck(facts, reading),
    issuerCheck(facts, reading),
    endpointsCheck(reading),
    pkceCheck(meta),
    issParameterCheck(meta, facts.issuer, issSeen(facts.authorize)),
    loopbackCheck(facts.authorize, facts.clientId, notRun),
    tokenAuthMethodsCheck(meta),
    jwksCheck(meta, reading.trusted, facts.jwks),
    refreshTokensCheck(meta),
    revocationCheck(meta),
    deviceCheck(meta),
    clockSkewCheck(facts.discovery),
  ];
  const summary: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) summary[c.status]++;
  return { checks, summary, outcome: summary.fail > 0 ? 'negative' : 'ok' };
}
