import type { RegisterGroup } from '../group.js';

/** `apikit sandbox`: one verb, the group itself — loaded only when it runs, like every verb. */
export const register: RegisterGroup = async (program, ctx) => {
  (await import('./sandbox.js')).registerSandbox(program, ctx);
};
