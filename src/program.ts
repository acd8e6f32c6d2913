import { Command, Option } from 'commander';
import type { Context } from './context.js';

/**
 * The root program. Command groups are registered lazily: only the group named on the command line is
 * imported, so `apikit --help` and `apikit keys ...` never load jose, undici or conf unless they need them.
 */
interface GroupEntry {
  name: string;
  summary: string;
  /** A group with verbs registers only `verb` (the word after the group's name) when it names one. */
  load: () => Promise<{
    register: (program: Command, ctx: Context, verb: string | undefined) => void | Promise<void>;
  }>;
}

const GROUPS: GroupEntry[] = [
  {
    name: 'keys',
    summary: 'generate, inspect and convert signing keys (PEM, JWK, JWKS)',
    load: () => import('./commands/keys/index.js'),
  },
  {
    name: 'jwt',
    summary: 'mint, decode and verify JSON Web Tokens (RFC 7519, RFC 8725)',
    load: () => import('./commands/jwt/index.js'),
  },
  {
    name: 'login',
    summary: 'sign in with OAuth 2.0 Authorization Code + PKCE (or the device flow)',
    load: () => import('./commands/login/index.js'),
  },
  {
    name: 'token',
    summary: "print a profile's access token (refreshed when needed), or fetch a client-credentials token",
    load: () => import('./commands/token/index.js'),
  },
  {
    name: 'logout',
    summary: 'revoke and forget the tokens of a profile',
    load: () => import('./commands/logout/index.js'),
  },
  {
    name: 'profiles',
    summary: 'list, show and remove login profiles',
    load: () => import('./commands/profiles/index.js'),
  },
];

const EXAMPLES = `
Examples:
  $ apikit keys generate --alg ES256 --out signing
  $ apikit keys inspect signing.key.pem
  $ apikit keys inspect signing.jwks.json --json
`;

export async function runProgram(argv: string[], ctx: Context): Promise<void> {
  const program = new Command('apikit')
    .description('A toolkit for people who build and run HTTP APIs.')
    .version(ctx.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .addOption(new Option('--json', 'print one JSON document on stdout (stable field names)'))
    .addOption(new Option('-v, --verbose', 'trace HTTP requests and responses on stderr (secrets redacted)'))
    .addOption(new Option('--debug', 'show stack traces for errors'))
    .addOption(new Option('--no-color', 'never colour the output (also: NO_COLOR=1)'))
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXAMPLES)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void ctx.io.stdout.write(s),
      writeErr: (s) => void ctx.io.stderr.write(s),
      outputError: (s, write) => write(ctx.io.color.err.red(s)),
    });

  program.hook('preAction', (_root, action) => {
    const opts = action.optsWithGlobals<{
      json?: boolean;
      verbose?: boolean;
      debug?: boolean;
      color?: boolean;
    }>();
    ctx.flags.json = opts.json === true;
    ctx.flags.verbose = opts.verbose === true;
    ctx.flags.debug = opts.debug === true;
    if (opts.color === false) {
      ctx.io.color.out.level = 0;
      ctx.io.color.err.level = 0;
    }
  });

  const [wanted, verb] = commandWords(argv);
  for (const group of GROUPS) {
    if (group.name === wanted) {
      await (await group.load()).register(program, ctx, verb);
    } else {
      // A placeholder so that `apikit --help` lists it and suggestions know it, without loading it.
      program.command(group.name).description(group.summary);
    }
  }
  await program.parseAsync(argv, { from: 'user' });
}

/**
 * The command and verb named on the command line: the first two words that are not flags (global flags take no
 * value). For `help <name>` the verb is unknown, so the group registers all of its verbs.
 */
function commandWords(argv: string[]): [string | undefined, string | undefined] {
  const words = argv.filter((a) => !a.startsWith('-'));
  if (words[0] === 'help') return [words[1], undefined];
  return [words[0], words[1]];
}
