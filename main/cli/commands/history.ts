import { redo, undo, listHistory } from '../../core/events/undo';
import { JSON_OPT, safeName, table, withProject, type Command } from '../command';

export const undoCommand: Command = {
  name: 'undo',
  usage: 'marginalia undo PROJECT',
  summary: 'Undo the latest action in the project.',
  options: {},
  run: (args, io) =>
    withProject(args, async (session) => {
      io.out(`Undid: ${safeName((await undo(session.project.db)).summary)}`);
      return 0;
    }),
};

export const redoCommand: Command = {
  name: 'redo',
  usage: 'marginalia redo PROJECT',
  summary: 'Redo the latest undone action.',
  options: {},
  run: (args, io) =>
    withProject(args, async (session) => {
      io.out(`Redid: ${safeName((await redo(session.project.db)).summary)}`);
      return 0;
    }),
};

export const logCommand: Command = {
  name: 'log',
  usage: 'marginalia log PROJECT [--json]',
  summary: 'The events log (who changed what, when), newest first: the audit trail.',
  options: { ...JSON_OPT },
  run: (args, io) =>
    withProject(args, async (session) => {
      const rows = await session.project.db.read((r) => listHistory(r, 10_000));
      if (args.values.json) io.out(JSON.stringify(rows, null, 2));
      else table(io, rows as unknown as Record<string, unknown>[], ['seq', 'at', 'coder_name', 'summary', 'undone']);
      return 0;
    }),
};
