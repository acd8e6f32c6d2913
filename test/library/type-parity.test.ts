import { describe, expectTypeOf, it } from 'vitest';
import type * as api from '../../src/api/index.js';
import type { JwtDecodeResult } from '../../src/commands/jwt/decode.js';
import type { JwtWarning } from '../../src/lib/jwt/lint.js';
import type { TimeClaim } from '../../src/lib/jwt/times.js';
import type { Verdict, VerdictCode } from '../../src/lib/jwt/verdict.js';
import type { JwsAlgorithm } from '../../src/lib/keys/algorithms.js';
import type { AssembledJwks } from '../../src/lib/keys/jwks.js';
import type { KeyFormat } from '../../src/lib/keys/load.js';
import type { KeyReport } from '../../src/lib/keys/report.js';
import type { ConfidentialAuthMethod } from '../../src/lib/oauth/client-auth.js';
import type { ParsedRateLimit } from '../../src/lib/ratelimit/types.js';

// The public types are declared in src/api/types.ts and beside each wrapper, so the shipped .d.ts stand alone.
// These checks (by `npm run typecheck`; at run time they do nothing) keep each one equal to the internal type it
// mirrors: a field added to a verdict or a key report inside src/lib/ fails here until the API says so too.

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

describe('public types mirror the internal ones', () => {
  it('are equal', () => {
    expectTypeOf<api.JwsAlgorithm>().toEqualTypeOf<JwsAlgorithm>();
    expectTypeOf<api.JwtWarning>().toEqualTypeOf<JwtWarning>();
    expectTypeOf<api.TimeClaim>().toEqualTypeOf<TimeClaim>();
    expectTypeOf<api.DecodedJwt>().toEqualTypeOf<JwtDecodeResult>();
    expectTypeOf<api.VerdictCode>().toEqualTypeOf<VerdictCode>();
    expectTypeOf<api.JwtVerdict>().toEqualTypeOf<Verdict>();
    expectTypeOf<api.KeyFormat>().toEqualTypeOf<KeyFormat>();
    // Mutually assignable (expect-type tells an intersection from the flat interface it equals).
    expectTypeOf<Same<api.KeyReport, KeyReport>>().toEqualTypeOf<true>();
    expectTypeOf<api.BuiltJwks['keys']>().toEqualTypeOf<AssembledJwks['keys']>();
    expectTypeOf<Same<api.BuiltJwks['duplicates'], AssembledJwks['duplicates']>>().toEqualTypeOf<true>();
    expectTypeOf<api.ClientAuthMethod>().toEqualTypeOf<ConfidentialAuthMethod>();
    expectTypeOf<Same<api.ParsedRateLimit, ParsedRateLimit>>().toEqualTypeOf<true>();
  });
});
