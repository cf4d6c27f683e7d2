import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultCoderName, type Ctx } from '../api/session';
import { Project } from '../core/project/project';
import { createSampleProject } from '../core/sample/sample';
import { dailyBackup } from '../core/project/backup';
import { pendingWork, type PendingWork } from '../core/db/open';
import { historyState, type HistoryState } from '../core/events/undo';
import { importPaths, type ImportReport } from '../core/import/import-files';
import { readSettings, withOpened, withoutRecent, writeSettings, type Settings } from './settings';

export const SAMPLE_FILE = 'Sample.marginalia';

/**
 * Which project the desktop app has open, and what it remembers between runs. Knows nothing
 * of Electron (the shell shows its errors in dialogs), so it is tested with Vitest.
 */
export class ProjectHost {
  private settings: Settings;
  readonly firstRun: boolean;
  private readonly settingsFile: string;

  constructor(
    readonly ctx: Ctx,
    private readonly userDataDir: string,
  ) {
    this.settingsFile = join(userDataDir, 'settings.json');
    const read = readSettings(this.settingsFile);
    this.settings = read.settings;
    this.firstRun = read.firstRun;
  }

  get samplePath(): string {
    return join(this.userDataDir, SAMPLE_FILE);
  }

  get recent(): string[] {
    return [...this.settings.recent];
  }

  /** The open project's path, or null. */
  get currentPath(): string | null {
    return this.ctx.session.hasProject ? this.ctx.session.project.path : null;
  }

  private save(next: Settings): void {
    this.settings = next;
    try {
      writeSettings(this.settingsFile, next);
    } catch {
      // Remembering is a convenience: a read-only profile must not stop the app.
    }
  }

  private async adopt(project: Project): Promise<void> {
    await this.ctx.session.setProject(project);
    this.save(withOpened(this.settings, project.path));
    // Once a day, a copy of the project as it opened well: the damaged-file message names it.
    // Taken once a large file's background damage check has passed; opening does not wait.
    void dailyBackup(project);
  }

  /**
   * What opening `path` will do first (an upgrade from an older Marginalia, or the compaction
   * one still owes), or null when it is the current project and opening it does nothing. When
   * there is work, the shell shows the "Opening…" screen at once, and passes this to open so
   * the file is not read again. Reads the schema version only, in milliseconds.
   */
  async pendingWork(path: string): Promise<PendingWork | null> {
    const full = resolve(path);
    if (this.currentPath && resolve(this.currentPath) === full) return null;
    return pendingWork(full);
  }

  /**
   * Opens `path` and makes it the current project. When it cannot be opened, throws the
   * error Project.open gave (e.g. "x is not a Marginalia project") and keeps the current one.
   * From the moment it is called (synchronously, before its first await) project.opening
   * answers how far it is, so a window loading meanwhile shows that rather than the workbench.
   * `work` is what pendingWork read for this path, when the caller has it.
   */
  async open(path: string, options: { readOnly?: boolean; work?: PendingWork } = {}): Promise<void> {
    const full = resolve(path);
    if (this.currentPath && resolve(this.currentPath) === full && !options.readOnly) return;
    const { work, ...openOptions } = options;
    let project: Project;
    try {
      project = await this.ctx.session.watchOpen(full, (onProgress) => Project.open(full, { ...openOptions, onProgress }), undefined, work);
    } catch (err) {
      if (!existsSync(full)) this.save(withoutRecent(this.settings, full));
      throw err;
    }
    await this.adopt(project);
  }

  /** Creates an empty project at `path` (which must not exist) and makes it current. */
  async create(path: string): Promise<void> {
    const project = await Project.create(resolve(path));
    await this.adopt(project);
  }

  /** Opens the sample project in the user's data folder, building it from corpus/ when missing. */
  async openSample(): Promise<void> {
    if (existsSync(this.samplePath)) return this.open(this.samplePath);
    const project = await this.ctx.session.watchOpen(this.samplePath, () => createSampleProject(this.samplePath, defaultCoderName()));
    await this.adopt(project);
  }

  /**
   * What the app opens at start: a project file named on the command line, else the last
   * project, else (first run, or the last one is gone) the sample. Returns the problems met
   * on the way, for the shell to show; the app still starts when all of them fail. The window
   * is shown meanwhile: project.opening answers from the moment this is called.
   */
  async openAtStart(fileFromArgs: string | null): Promise<string[]> {
    const problems: string[] = [];
    const candidates = [fileFromArgs, this.firstRun ? null : this.settings.lastProject].filter((p): p is string => !!p);
    for (const path of candidates) {
      try {
        await this.open(path);
        return problems;
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    try {
      await this.openSample();
    } catch (err) {
      problems.push(`The sample project could not be opened: ${(err as Error).message}`);
    }
    return problems;
  }

  clearRecent(): void {
    this.save({ ...this.settings, recent: [] });
  }

  async importFiles(paths: string[]): Promise<ImportReport> {
    const coder = await this.ctx.session.coder();
    return importPaths(this.ctx.session.project, paths, { importedBy: coder.id });
  }

  async history(): Promise<HistoryState> {
    if (!this.ctx.session.hasProject) return { undo: null, redo: null };
    return this.ctx.session.project.db.read(historyState);
  }

  async close(): Promise<void> {
    await this.ctx.session.setProject(null);
  }
}

/** A project file named on a command line (double-click on a .marginalia file, "open with"). */
export function projectFileFromArgs(argv: readonly string[], cwd: string = process.cwd()): string | null {
  for (let i = argv.length - 1; i >= 1; i--) {
    const a = argv[i]!;
    if (a.startsWith('-') || !/\.marginalia$/i.test(a)) continue;
    const full = resolve(cwd, a);
    if (existsSync(full)) return full;
  }
  return null;
}
