import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Session, defaultCoderName } from '../../api/session';
import { Project } from '../../core/project/project';
import { createSampleProject } from '../../core/sample/sample';
import { dailyBackup } from '../../core/project/backup';
import { startBridge } from '../../bridge/server';
import { CODER_OPT, UsageError, int, str, type Command } from '../command';

/** Where the sample project lives for `npm run serve` when no PROJECT is named. */
export function defaultSamplePath(): string {
  const home = process.env.MARGINALIA_HOME ?? join(homedir(), '.marginalia');
  mkdirSync(home, { recursive: true });
  return join(home, 'Sample.marginalia');
}

export const serveCommand: Command = {
  name: 'serve',
  usage: 'marginalia serve PROJECT [--port N] [--sample]',
  summary: 'Serve the app for a browser on 127.0.0.1 with a per-run token; prints the address to open.',
  options: { port: { type: 'string' }, sample: { type: 'boolean' }, ...CODER_OPT },
  async run(args, io) {
    const coderName = str(args, 'coder') ?? defaultCoderName();
    let path = args.positionals[0];
    if (!path) {
      if (!args.values.sample) throw new UsageError('PROJECT is required (or --sample to open the sample project)');
      path = defaultSamplePath();
    }
    const project = existsSync(path) || !args.values.sample ? await Project.open(path) : await createSampleProject(path, coderName);
    const session = new Session(project, coderName);
    // Like the desktop app: once a day, a backup of the project as it opened well, taken once a
    // large file's background damage check has passed (it never throws; serving does not wait).
    void dailyBackup(project);
    const rendererDir = resolve(__dirname, '../../../renderer');
    const port = int(args, 'port');
    const bridge = await startBridge({ ctx: { session }, rendererDir, port });
    io.out(`Marginalia is serving ${path}`);
    io.out(`Open ${bridge.url}`);
    io.out('Press Ctrl+C to stop.');
    await new Promise<void>((done) => {
      const stop = () => done();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await bridge.close();
    await project.close();
    return 0;
  },
};
