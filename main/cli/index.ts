import { parseArgs } from 'node:util';
import { MarginaliaError } from '../core/errors';
import { toApiError } from '../api/dispatch';
import { UsageError, tellOpeningTo, terminalSafe, type Command, type Io } from './command';
import { BASIC_COMMANDS } from './commands/basics';
import { IMPORT_COMMANDS } from './commands/import';
import { serveCommand } from './commands/serve';
import { EXCHANGE_COMMANDS } from './commands/export';
import { logCommand, redoCommand, undoCommand } from './commands/history';
import { TEAM_COMMANDS } from './commands/team';
import { shareCommand } from './commands/share';
import { ANALYSIS_COMMANDS } from './commands/analysis';
import { WORDS_COMMANDS } from './commands/words';
import { SEARCH_COMMANDS } from './commands/search';

/** Every command; each feature adds its own from its own file. */
export const COMMANDS: Command[] = [...BASIC_COMMANDS, ...SEARCH_COMMANDS, ...IMPORT_COMMANDS, ...EXCHANGE_COMMANDS, undoCommand, redoCommand, logCommand, serveCommand, shareCommand, ...TEAM_COMMANDS, ...ANALYSIS_COMMANDS, ...WORDS_COMMANDS];

function usage(io: Io): void {
  io.out('Usage: marginalia <command> PROJECT [options]\n');
  for (const c of COMMANDS) io.out(`  ${c.usage}\n      ${c.summary}`);
  io.out('\nThe coder is --coder, else MARGINALIA_CODER, else your user name. Add --json for machine-readable output.');
  io.out('Exit status: 0 success, 1 error, 2 usage error.');
}

/** Runs one command line; returns the exit code. Errors are one line on stderr. */
export async function main(argv: string[], rawIo: Io = { out: (l) => console.log(l), err: (l) => console.error(l) }): Promise<number> {
  const io: Io = { out: (l) => rawIo.out(terminalSafe(l)), err: (l) => rawIo.err(terminalSafe(l)) };
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    usage(io);
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`marginalia: unknown command "${name}". Run "marginalia --help" for the list.`);
    return 2;
  }
  try {
    const parsed = parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    if (parsed.values.help) {
      io.out(`Usage: ${command.usage}\n${command.summary}`);
      return 0;
    }
    // An older project's upgrade is told on stderr by whichever command opens it.
    tellOpeningTo(io);
    return await command.run({ positionals: parsed.positionals, values: parsed.values as Record<string, string | boolean | string[] | undefined> }, io);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`marginalia ${name}: ${(err as Error).message}\nUsage: ${command.usage}`);
      return 2;
    }
    const message = err instanceof MarginaliaError ? err.message : toApiError(err).message;
    io.err(`marginalia ${name}: ${message.replace(/\s*\n\s*/g, ' ')}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(`marginalia: ${(err as Error).message}`);
      process.exitCode = 1;
    },
  );
}
