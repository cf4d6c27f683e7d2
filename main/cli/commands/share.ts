import { resolve } from 'node:path';
import { Project } from '../../core/project/project';
import { JSON_OPT, UsageError, projectArg, type Command } from '../command';

/**
 * `marginalia share PROJECT COPY`: the one file to send a colleague. Safe while the project
 * is open in the app: the copy is taken from one consistent snapshot, WAL included, and
 * appears under its name only when complete.
 */
export const shareCommand: Command = {
  name: 'share',
  usage: 'marginalia share PROJECT COPY [--force] [--json]',
  summary: 'Write a complete single-file copy of the project to send or back up (safe while the app has it open; --force replaces COPY).',
  options: { force: { type: 'boolean' }, ...JSON_OPT },
  async run(args, io) {
    const source = projectArg(args);
    const target = args.positionals[1];
    if (!target) throw new UsageError('COPY is required: the file to write, e.g. study-for-ana.marginalia');
    if (resolve(target) === resolve(source)) throw new UsageError('COPY must be another file than PROJECT');
    // Read-only: taking a copy must neither write to nor checkpoint a file the app may hold open.
    const project = await Project.open(source, { readOnly: true });
    try {
      const result = await project.shareCopy(target, { overwrite: args.values.force === true });
      if (args.values.json) io.out(JSON.stringify(result, null, 2));
      else io.out(`Wrote ${result.path} (${(result.bytes / 1024).toFixed(0)} KB): a complete copy of the project, ready to send.`);
      return 0;
    } finally {
      await project.close();
    }
  },
};
