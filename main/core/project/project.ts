import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { createProjectDb, openProjectDb } from '../db/open';
import type { ProjectDb } from '../db/project-db';
import { setProjectMeta } from './info';

/** An open project file. */
export class Project {
  private constructor(
    readonly path: string,
    readonly db: ProjectDb,
  ) {}

  static async open(path: string): Promise<Project> {
    return new Project(path, await openProjectDb(path));
  }

  static async create(path: string, options: { name?: string; description?: string } = {}): Promise<Project> {
    const db = await createProjectDb(path);
    await db.transaction(async (tx) => {
      await setProjectMeta(tx, 'id', randomUUID());
      await setProjectMeta(tx, 'name', options.name?.trim() || basename(path).replace(/\.marginalia$/i, ''));
      await setProjectMeta(tx, 'description', options.description ?? '');
      await setProjectMeta(tx, 'created_at', new Date().toISOString());
    });
    return new Project(path, db);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
