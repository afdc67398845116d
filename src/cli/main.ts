/**
 * The `dnnergy` command line: thin commands over the core. User errors
 * (SpecError) print one line and exit 2; anything else is a bug: stack
 * trace, exit 1.
 */
import { Command, CommanderError } from 'commander';
import { SpecError } from '../spec/errors.js';
import { registerCommands } from './commands.js';

/** Run the CLI with the given arguments; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command();
  program
    .name('dnnergy')
    .description('Energy, cycles and data movement of DNN layers on accelerators (Timeloop-exact).')
    .exitOverride()
    // A usage error is one line: commander's suggestion joins it instead of a second line.
    .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: (s, write) => write(s.replace(/\n\((Did you mean [^)\n]*)\)\n?$/, ' ($1)\n')) })
    .showHelpAfterError(false);
  registerCommands(program);
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; a bad flag or missing argument is a usage error.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof SpecError) {
      process.stderr.write(`dnnergy: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`dnnergy: internal error (please report): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}
