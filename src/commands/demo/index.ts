import type { RegisterGroup } from '../group.js';

/** `apikit demo`: one verb, the group itself — loaded only when it runs, like every verb. */
export const register: RegisterGroup = async (program, ctx) => {
  (await import('./demo.js')).registerDemo(program, ctx);
};
