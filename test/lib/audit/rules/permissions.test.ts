import { describe, expect, it } from 'vitest';
import { permissionsRule, readPermissionsPolicy } from '../../../../src/lib/audit/rules/permissions.js';
import { conformsToChecks, ctxFor, ids } from './header-facts.js';

const run = (value: string | string[] | undefined, kind: 'api' | 'html' = 'html') => {
  const fs = permissionsRule.run(
    ctxFor(value === undefined ? {} : { 'permissions-policy': value }, { kind }),
  );
  conformsToChecks(permissionsRule, fs);
  return fs;
};

describe('readPermissionsPolicy (a structured-field dictionary)', () => {
  it('reads allowlists; several lines are one dictionary', () => {
    const r = readPermissionsPolicy(['camera=(), geolocation=(self "https://maps.example")', 'fullscreen=*']);
    expect(r.problems).toEqual([]);
    expect(Object.fromEntries(r.features!)).toEqual({
      camera: [],
      geolocation: ['self', 'https://maps.example'],
      fullscreen: ['*'],
    });
  });

  it.each([
    ["geolocation 'none'", /not a structured-field dictionary/], // Feature-Policy syntax
    ['camera=(), camera=', /not a structured-field dictionary/],
    ['', /empty/],
  ])('%s → the whole field is ignored', (value, why) => {
    const r = readPermissionsPolicy([value]);
    expect(r.features).toBeUndefined();
    expect(r.problems.join()).toMatch(why);
  });

  it('a member that is not an allowlist is ignored on its own', () => {
    const r = readPermissionsPolicy(['camera=none, microphone=()']);
    expect(r.problems).toEqual(['camera: the value is not *, self or an origin string (ignored)']);
  });
});

describe('permissionsRule', () => {
  it.each<[string | undefined, string[]]>([
    ['camera=(), microphone=(), geolocation=()', []],
    [undefined, ['audit.permissions.missing']],
    ["geolocation 'none'", ['audit.permissions.malformed']],
    ['camera=none', ['audit.permissions.malformed']],
    ['camera=*, fullscreen=*', ['audit.permissions.wildcard']],
  ])('%j', (value, want) => {
    expect(ids(run(value))).toEqual(want);
  });

  it('is for pages only: an API has no browser features to give away', () => {
    expect(run(undefined, 'api')).toEqual([]);
    expect(run("geolocation 'none'", 'api')).toEqual([]);
  });
});
