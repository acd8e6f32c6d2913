// Wiring only: the pure CORS pieces, one job per file.
export { generateCandidates, ATTACKER_DOMAIN, DEV_HOSTING_SUFFIXES, SPECIAL_CHARS } from './candidates.js';
export { parseCorsHeaders, parseMaxAge, parseTokenList, varyCoversOrigin } from './headers.js';
export {
  allowOriginMatches,
  checkPreflight,
  corsCheck,
  judgeReadability,
  requestCheck,
  type Check,
  type CorsFailure,
  type JudgeExchanges,
} from './judge.js';
export { candidateResult, splitPreflights } from './result.js';
export { reconstructRule, summarizePreflight } from './rule.js';
export { corsFindings, CORS_FINDING_IDS, type CorsFindingId, type CorsFindingsInput } from './findings.js';
