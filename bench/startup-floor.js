// The floor under each start-up target (issue 15): a script that does only a command's essential work with the
// same libraries apikit uses (jose, node:crypto) and prints the result, bundled the way apikit is (esbuild,
// CommonJS) and run with Node's compile cache where Node has it. No argument parser, no checks, no messages: what
// any CLI built on jose pays on that Node. bench/startup.js runs these in the same rounds as apikit; the gap between
// a floor and its apikit row is what apikit itself costs, and a floor above its target says the target is out of
// reach for a jose-based CLI on that Node.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const FLOORS = {
  // jwt decode: both JSON parts, printed.
  decode: `
    import { decodeJwt, decodeProtectedHeader } from 'jose';
    const token = process.argv[2];
    const out = { header: decodeProtectedHeader(token), payload: decodeJwt(token) };
    require('node:fs').writeSync(1, JSON.stringify(out, null, 2) + '\\n');
  `,
  // jwt verify --key: the PEM read and imported, jose's jwtVerify (signature and exp), the payload printed.
  verify: `
    import { jwtVerify } from 'jose';
    import { createPublicKey } from 'node:crypto';
    import { readFileSync, writeSync } from 'node:fs';
    const [token, pem] = process.argv.slice(2);
    jwtVerify(token, createPublicKey(readFileSync(pem)), { algorithms: ['ES256'] }).then(
      (r) => writeSync(1, 'valid ' + JSON.stringify(r.payload) + '\\n'),
      (e) => { writeSync(2, e.code + '\\n'); process.exitCode = 1; },
    );
  `,
  // keys inspect: the private PEM read, its public JWK and RFC 7638 thumbprint, printed.
  inspect: `
    import { calculateJwkThumbprint, exportJWK } from 'jose';
    import { createPrivateKey, createPublicKey } from 'node:crypto';
    import { readFileSync, writeSync } from 'node:fs';
    exportJWK(createPublicKey(createPrivateKey(readFileSync(process.argv[2])))).then(async (jwk) => {
      const thumbprint = await calculateJwkThumbprint(jwk);
      writeSync(1, JSON.stringify({ jwk, thumbprint }, null, 2) + '\\n');
    });
  `,
};

/** Builds the floor scripts into dir; returns { decode, verify, inspect } → path. */
export async function buildFloors(dir, root) {
  mkdirSync(dir, { recursive: true });
  const paths = {};
  for (const [name, source] of Object.entries(FLOORS)) {
    const result = await build({
      stdin: { contents: source, resolveDir: root, loader: 'js' },
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20.18',
      minifyWhitespace: true,
      minifySyntax: true,
      write: false,
      logLevel: 'warning',
    });
    paths[name] = join(dir, `floor-${name}.cjs`);
    writeFileSync(paths[name], result.outputFiles[0].text);
  }
  return paths;
}
