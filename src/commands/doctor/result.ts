import type { Check, CheckStatus } from '../../lib/oauth/doctor.js';
import type { Outcome } from '../../lib/outcome.js';

/** What `apikit doctor` returns: the checklist and its verdict (`--json` prints it without `outcome`). */
export interface DoctorResult {
  issuer: string;
  clientId: string | null;
  /** ISO-8601: when the checks ran (this machine's clock). */
  checkedAt: string;
  /** The worst status of any item (skips aside). */
  verdict: 'pass' | 'warn' | 'fail';
  summary: Record<CheckStatus, number>;
  checks: Check[];
  outcome: Outcome;
}
