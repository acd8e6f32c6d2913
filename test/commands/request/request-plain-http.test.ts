import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

/**
 * A credential over plain http to a host that is not loopback travels in clear text: `apikit request` warns
 * before sending it. No network: undici's MockAgent answers for api.example.com (net connect disabled).
 */
let agent: MockAgent;
afterEach(async () => {
  await agent.close();
});

function mocked(origin: string): MockAgent {
  agent = new MockAgent();
  agent.disableNetConnect();
  agent
    .get(origin)
    .intercept({ path: '/v1/posts', method: 'GET' })
    .reply(200, '[]', {
      headers: { 'content-type': 'application/json' },
    });
  return agent;
}

describe('plain http', () => {
  it.each([
    { origin: 'http://api.example.com', argv: ['--bearer-env', 'TOKEN'], warns: true },
    { origin: 'http://api.example.com', argv: ['-H', 'Cookie: s=abcdef123456'], warns: true },
    { origin: 'http://api.example.com', argv: [], warns: false },
    { origin: 'https://api.example.com', argv: ['--bearer-env', 'TOKEN'], warns: false },
  ])('$origin $argv → warning: $warns', async ({ origin, argv, warns }) => {
    const r = await runCli(['request', 'GET', `${origin}/v1/posts`, ...argv], {
      env: { TOKEN: 'tok-0123456789abcdef' },
      overrides: { dispatcher: mocked(origin) },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('[]');
    expect(/^warning: api\.example\.com is plain http and not loopback/m.test(r.stderr)).toBe(warns);
    expect(r.stderr).not.toContain('tok-0123456789abcdef');
  });
});
