// Loaded with `node --import`: reports on stderr every bare package specifier the program resolves
// ("[import] undici") and, with RECORD_FILES=1, every file it loads ("[file] /abs/path.js"), so a test can
// prove what a command does not load. Both module systems: ES modules through a resolve hook, CommonJS (bin/apikit.js
// and the bundle's chunks are CommonJS, scripts/bundle.js) through the CommonJS loader, and the bundle files that
// bin/code-cache.js runs from a vm.Script through that class.
import { createRequire, isBuiltin, register } from 'node:module';

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

const Module = createRequire(import.meta.url)('node:module');
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (!/^(\.|\/|node:|file:)/.test(request) && !isBuiltin(request)) {
    process.stderr.write('[import] ' + request + '\n');
  } else if (process.env.RECORD_FILES && !isBuiltin(request)) {
    const file = Module._resolveFilename(request, parent, isMain);
    if (!Module._cache[file]) process.stderr.write('[file] ' + file + '\n');
  }
  return load.apply(this, arguments);
};

const vm = createRequire(import.meta.url)('node:vm');
const Script = vm.Script;
vm.Script = class RecordedScript extends Script {
  constructor(code, options) {
    if (
      process.env.RECORD_FILES &&
      typeof options?.filename === 'string' &&
      options.filename.startsWith('/')
    ) {
      process.stderr.write('[file] ' + options.filename + '\n');
    }
    super(code, options);
  }
};
