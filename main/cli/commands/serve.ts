import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Session, defaultCoderName } from '../../api/session';
import { Project } from '../../core/project/project';
import { createSampleProject } from '../../core/sample/sample';
import { dailyBackup } from '../../core/project/backup';
import { startBridge } from '../../bridge/server';
import { inspectProjectFile, pendingWork } from '../../core/db/open';
import { MarginaliaError } from '../../core/errors';
import { CODER_OPT, UsageError, int, openedLine, openingLine, str, type Command } from '../command';

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
    const existing = existsSync(path) || !args.values.sample;
    // A missing file or one that is not a project is said at once, as before, and nothing is served.
    if (existing) inspectProjectFile(path);
    const session = new Session(null, coderName);
    const file = basename(path);
    const started = Date.now();
    // An older project's upgrade takes a minute and a half at 100,000 articles: the address is
    // given at once and the page shows the upgrade's progress (project.opening). A current file
    // opens in moments, and is open when the address is printed, as scripts expect.
    const work = existing ? await pendingWork(path) : { upgrade: null, compaction: false };
    const slow = work.upgrade !== null || work.compaction;
    const opening = session.watchOpen(
      path,
      (onProgress) => (existing ? Project.open(path, { onProgress }) : createSampleProject(path, coderName)),
      slow ? (p) => io.err(openingLine(file, p)) : undefined,
      work,
    );
    // Awaited below, once serving: a failure meanwhile must not count as unhandled.
    opening.catch(() => undefined);
    const rendererDir = resolve(__dirname, '../../../renderer');
    const port = int(args, 'port');
    const announce = (url: string) => {
      io.out(`Marginalia is serving ${path}`);
      io.out(`Open ${url}`);
      io.out('Press Ctrl+C to stop.');
    };
    let bridge = slow ? await startBridge({ ctx: { session }, rendererDir, port }) : null;
    if (bridge) announce(bridge.url);
    try {
      const project = await opening;
      await session.setProject(project);
      if (slow) io.err(openedLine(file, Date.now() - started));
      // Like the desktop app: once a day, a backup of the project as it opened well, taken once a
      // large file's background damage check has passed (it never throws; serving does not wait).
      void dailyBackup(project);
    } catch (err) {
      // Served already: the page shows why (project.opening) until Ctrl+C; otherwise it fails as before.
      if (!bridge) throw err;
      io.err(`marginalia serve: ${err instanceof MarginaliaError ? err.message : (err as Error).message}`);
    }
    if (!bridge) {
      bridge = await startBridge({ ctx: { session }, rendererDir, port });
      announce(bridge.url);
    }
    await new Promise<void>((done) => {
      const stop = () => done();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await bridge.close();
    await session.setProject(null);
    return 0;
  },
};
