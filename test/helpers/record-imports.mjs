// Loaded with `node --import`: records every bare package specifier the program resolves, on stderr,
// so a test can prove what `apikit --version` does not load.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (!specifier.startsWith('.') && !specifier.startsWith('node:') && !specifier.startsWith('file:') && !specifier.startsWith('/') && !specifier.startsWith('data:')) {
    process.stderr.write('[import] ' + specifier + '\\n');
  }
  return next(specifier, context);
}`),
);
