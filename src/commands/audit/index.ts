import type { RegisterGroup } from '../group.js';

/**
 * `apikit audit <url>`: one verb, the group itself (like logout) — `apikit audit https://…` runs it directly.
 * Loaded only when it runs: the rules, the scoring and the probe come with audit.ts.
 */
export const register: RegisterGroup = async (program, ctx, group) => {
  (await import('./audit.js')).registerAudit(program, ctx, group.summary);
};
