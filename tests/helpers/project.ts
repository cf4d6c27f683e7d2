import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Project } from '../../main/core/project/project';
import { Session } from '../../main/api/session';
import { dispatch } from '../../main/api/dispatch';
import { takeDownload } from '../../main/api/downloads';
import type { Input, Method, Output } from '../../main/api/contract';
import { createSampleProject } from '../../main/core/sample/sample';

/** A temporary folder removed by the returned cleanup. */
export function tempDir(prefix = 'marginalia-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The bytes of a file main wrote for a session's download (`/download/<token>`), taken once as the page would. */
export function downloaded(session: Session, file: { download: string }): Buffer {
  const taken = takeDownload(session, file.download.slice('/download/'.length));
  if (!taken) throw new Error(`nothing to download at ${file.download}`);
  try {
    return readFileSync(taken.path);
  } finally {
    taken.release();
  }
}

/**
 * A real project file in a temp folder with a session over it, and `call` going through the
 * same dispatch every transport uses (schema validation included).
 */
export async function openTestProject(options: { sample?: boolean; coder?: string } = {}) {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'test.marginalia');
  const coder = options.coder ?? 'tester';
  const project = options.sample ? await createSampleProject(path, coder) : await Project.create(path, { name: 'Test' });
  const session = new Session(project, coder);
  async function call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
    const r = await dispatch({ session }, method, input);
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return r.value as Output<M>;
  }
  async function callRaw(method: string, input: unknown) {
    return dispatch({ session }, method, input);
  }
  const download = (file: { download: string }) => downloaded(session, file);
  return {
    dir,
    path,
    project,
    session,
    call,
    callRaw,
    download,
    async close() {
      await session.setProject(null);
      await project.close().catch(() => undefined);
      cleanup();
    },
  };
}
