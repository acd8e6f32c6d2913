// Loaded with `node --import`: reports on stderr every bare package specifier the program resolves
// ("[import] undici") and, with RECORD_FILES=1, every file it loads ("[file] /abs/path.js"), so a test can
// prove what a command does not load.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (!/^(\\.|\\/|node:|file:|data:)/.test(specifier)) process.stderr.write('[import] ' + specifier + '\\n');
  else if (process.env.RECORD_FILES && result.url.startsWith('file:')) {
    process.stderr.write('[file] ' + new URL(result.url).pathname + '\\n');
  }
  return result;
}`),
);
