import { Command, Option } from 'commander';
import { GROUPS } from './commands/registry.js';
import type { Context } from './context.js';

/** The root program: global flags, then the command groups of the registry (src/commands/registry.ts). */
const EXAMPLES = `
Examples:
  $ apikit demo                      # a tour of every command against a local sandbox
  $ apikit sandbox                   # the sandbox itself: an OpenID provider and an API on 127.0.0.1
  $ apikit keys generate --alg ES256 --out signing
  $ apikit keys inspect signing.key.pem
  $ apikit keys inspect signing.jwks.json --json
`;

export async function runProgram(argv: string[], ctx: Context): Promise<void> {
  const program = new Command('apikit')
    .description('A toolkit for people who build and run HTTP APIs.')
    // With --json the version is a document too (`apikit --json --verbose --version`; the common forms never get
    // here: src/version.ts answers them before the program is built).
    .version(
      jsonRequested(argv) ? JSON.stringify({ version: ctx.version }, null, 2) : ctx.version,
      '-V, --version',
      'print the version',
    )
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

  const args = helpAsFlag(argv);
  const [wanted, verb] = commandWords(args);
  for (const group of GROUPS) {
    if (group.name === wanted) {
      await (await group.load()).register(program, ctx, group, verb);
    } else {
      // A placeholder so that `apikit --help` lists it and suggestions know it, without loading it.
      program.command(group.name).description(group.summary);
    }
  }
  await program.parseAsync(args, { from: 'user' });
}

/**
 * Whether the command line asks for --json (a global flag, accepted anywhere before `--`). Known before commander
 * has parsed anything, so that a usage error can be a JSON document too.
 */
export function jsonRequested(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
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

/**
 * `apikit help <group> <verb>` is `apikit <group> <verb> --help`. Commander's help command looks at one word
 * only, so `help token client-credentials` would show `token`'s help. `help <group>` and `help <unknown> ...`
 * stay commander's.
 */
function helpAsFlag(argv: string[]): string[] {
  const at = argv.findIndex((a) => !a.startsWith('-'));
  if (argv[at] !== 'help') return argv;
  const words = argv.slice(at + 1).filter((a) => !a.startsWith('-'));
  if (words.length < 2 || !GROUPS.some((g) => g.name === words[0])) return argv;
  return [...argv.slice(0, at), ...argv.slice(at + 1), '--help'];
}
