import { randomUUID } from 'node:crypto';
import { existsSync, linkSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { tempBeside } from '../files/temp-files';
import { createProjectDb, openProjectDb, type OpenOptions } from '../db/open';
import type { ProjectDb } from '../db/project-db';
import { MarginaliaError } from '../errors';
import { describeFileError } from '../db/file-errors';
import { setProjectMeta } from './info';

/** Puts a finished file in place without ever replacing a file that appeared meanwhile. */
function publish(tmp: string, path: string): void {
  try {
    linkSync(tmp, path);
    unlinkSync(tmp);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new MarginaliaError('conflict', `${basename(path)} already exists. Choose another name, or open it instead.`);
    // File systems without hard links (FAT on a USB stick): rename, after checking again.
    if (existsSync(path)) throw new MarginaliaError('conflict', `${basename(path)} already exists. Choose another name, or open it instead.`);
    renameSync(tmp, path);
  }
}

export interface CreateOptions {
  name?: string;
  description?: string;
  /** Fills the new project before it appears under its name (the sample's articles and codebook). */
  fill?: (db: ProjectDb) => Promise<void>;
}

/** An open project file. */
export class Project {
  private constructor(
    readonly path: string,
    readonly db: ProjectDb,
  ) {}

  static async open(path: string, options: OpenOptions = {}): Promise<Project> {
    return new Project(path, await openProjectDb(path, options));
  }

  /**
   * Creates a project. It is built under a temporary name beside `path` and appears under its
   * own name only when complete and checkpointed, so a process killed while creating never
   * leaves a file that looks like a project but is not one.
   */
  static async create(path: string, options: CreateOptions = {}): Promise<Project> {
    if (existsSync(path)) throw new MarginaliaError('conflict', `${basename(path)} already exists. Choose another name, or open it instead.`);
    if (!existsSync(dirname(path))) throw new MarginaliaError('io', `${basename(path)}: the folder ${dirname(path)} does not exist. Create it or choose another folder.`);
    const tmp = tempBeside(path, 'creating');
    let db: ProjectDb | null = null;
    try {
      db = await createProjectDb(tmp);
      await db.transaction(async (tx) => {
        await setProjectMeta(tx, 'id', randomUUID());
        await setProjectMeta(tx, 'name', options.name?.trim() || basename(path).replace(/\.marginalia$/i, ''));
        await setProjectMeta(tx, 'description', options.description ?? '');
        await setProjectMeta(tx, 'created_at', new Date().toISOString());
      });
      await options.fill?.(db);
      const open = db;
      db = null;
      await open.close();
      publish(tmp, path);
    } catch (err) {
      await db?.close().catch(() => undefined);
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(tmp + suffix, { force: true });
      const failure = err instanceof MarginaliaError ? err : describeFileError(err, path);
      if (failure) throw new MarginaliaError(failure.code, failure.message.split(basename(tmp)).join(basename(path)));
      throw err;
    }
    return Project.open(path);
  }

  /**
   * Writes a consistent single-file copy of the open project to `target` (for a colleague, a
   * USB stick or a sync folder): VACUUM INTO a temporary name beside it, then renamed into
   * place, so an interrupted copy never looks like a project. Replaces an existing `target`
   * only when `overwrite` is set.
   */
  async shareCopy(target: string, options: { overwrite?: boolean } = {}): Promise<{ path: string; bytes: number }> {
    const name = basename(target);
    if (existsSync(target) && !options.overwrite) throw new MarginaliaError('conflict', `${name} already exists. Choose another name, or replace it (--force on the command line, or confirm in the app).`);
    if (!existsSync(dirname(target))) throw new MarginaliaError('io', `${name}: the folder ${dirname(target)} does not exist. Create it or choose another folder.`);
    const tmp = tempBeside(target, 'copying');
    try {
      await this.db.copyTo(tmp);
      renameSync(tmp, target);
    } catch (err) {
      rmSync(tmp, { force: true });
      if (err instanceof MarginaliaError) throw new MarginaliaError(err.code, `Could not write the copy ${name}: ${err.message}`);
      throw describeFileError(err, target) ?? new MarginaliaError('io', `Could not write the copy ${name} (${(err as Error).message}). Choose a folder you can write to, with free space.`);
    }
    return { path: target, bytes: statSync(target).size };
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
