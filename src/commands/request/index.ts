import type { RegisterGroup } from '../group.js';

/** `apikit request <METHOD> <URL>`: one verb, the group itself — loaded only when it runs, like every verb. */
export const register: RegisterGroup = async (program, ctx) => {
  (await import('./request.js')).registerRequest(program, ctx);
};
