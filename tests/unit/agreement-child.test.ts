import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { agreementFromProject } from '../../main/core/team/agreement';
import { agreementCsv } from '../../main/core/team/agreement-csv';
import { exportFolder } from '../../main/core/exchange/export-jobs';
import { agreementInChild, forkWorkerProcess, useWorkerProcesses, type SpawnWorkerProcess, type WorkerProcess } from '../../main/core/team/agreement-process';
import { agreementJobsOf } from '../../main/api/handlers/team';
import { downloaded } from '../helpers/project';
import { Project } from '../../main/core/project/project';
import { Session } from '../../main/api/session';
import { dispatch } from '../../main/api/dispatch';
import { codedByTwo } from '../helpers/two-coders';

/** A project of `documents` short articles coded by ana and ben, overlapping in part. */
const projectOf = (documents: number) => codedByTwo(documents, (d) => `Article ${d}. It says things. And more.\nA second paragraph, 😀 here.`, [0, 12], [4, 30]);

/** Polls a job until its progress satisfies `ok`. */
async function until<T extends { done: number }>(poll: () => Promise<T>, ok: (s: T) => boolean): Promise<T> {
  for (let i = 0; i < 1000; i++) {
    const s = await poll();
    if (ok(s)) return s;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the job never got there');
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The real child, remembered so a test can see it end or end it. */
function watched(): { spawn: SpawnWorkerProcess; started: WorkerProcess[] } {
  const started: WorkerProcess[] = [];
  return {
    started,
    spawn: (script, options) => {
      const w = forkWorkerProcess(script, options);
      started.push(w);
      return w;
    },
  };
}

/** The exports' files still on disk (the agreement CSV is written straight into its export's file). */
const leftovers = () => readdirSync(exportFolder());

describe('agreement in a process of its own', () => {
  it('gives the report and the CSV the in-process code gives, byte for byte, for every unit', async () => {
    const { t, coderIds } = await projectOf(6);
    try {
      for (const unit of ['char', 'sentence', 'paragraph', 'document'] as const) {
        const here = await t.project.db.readLong((r) => agreementFromProject(r, { coderIds, unit, documentRows: 3 }));
        const job = await t.call('team.agreementStart', { coderIds, unit, documentRows: 3 });
        const done = await agreementJobsOf(t.session).wait(job.jobId);
        expect(done.error).toBeNull();
        expect(JSON.stringify(done.report)).toBe(JSON.stringify(here));

        const full = await t.project.db.readLong((r) => agreementFromProject(r, { coderIds, unit }));
        const file = await t.call('team.agreementCsv', { coderIds, unit, delimiter: 'semicolon', excel: true });
        expect(file.fileName).toMatch(new RegExp(`^agreement-${unit}-\\d{4}-\\d\\d-\\d\\d\\.csv$`));
        expect(t.download(file).equals(Buffer.from(agreementCsv(full, { delimiter: 'semicolon', excel: true }), 'utf8'))).toBe(true);
      }
      expect(leftovers()).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('reports progress, and Cancel kills its process at once: the CSV job ends cancelled with no file and nothing left on disk', async () => {
    const { t, coderIds } = await projectOf(6);
    const jobs = agreementJobsOf(t.session);
    const { spawn, started } = watched();
    useWorkerProcesses(spawn);
    // Held after each document until the test lets it go on.
    let release: () => void = () => undefined;
    jobs.testHook = { batchSize: 1, beforeBatch: () => new Promise<void>((r) => (release = r)) };
    try {
      const job = await t.call('team.agreementCsvStart', { coderIds, unit: 'sentence' });
      const mid = await until(async () => jobs.progress(job.jobId), (s) => s.done >= 1);
      expect(mid).toMatchObject({ done: 1, total: 6, finished: false, writing: false, file: null });
      const pid = started[0]!.pid!;
      expect(alive(pid)).toBe(true);
      expect((await t.call('team.agreementCancel', { jobId: job.jobId })).cancelled).toBe(true);
      // Killed before the test lets anything go on.
      await until(async () => ({ done: alive(pid) ? 0 : 1 }), (s) => s.done === 1);
      release();
      const end = await jobs.wait(job.jobId);
      expect(end).toMatchObject({ finished: true, cancelled: true, error: null, file: null, report: null });
      expect(leftovers()).toEqual([]);

      // Let go: the next CSV runs through "writing" to a file to download.
      jobs.testHook = null;
      const again = await t.call('team.agreementCsvStart', { coderIds, unit: 'sentence' });
      const finished = await jobs.wait(again.jobId);
      expect(finished).toMatchObject({ done: 6, total: 6, finished: true, cancelled: false, error: null, writing: false });
      expect(t.download(finished.file!).toString('utf8')).toMatch(/^scope,code,document,unit,/);
    } finally {
      jobs.testHook = null;
      release();
      useWorkerProcesses(forkWorkerProcess);
      await t.close();
    }
  });

  it('says what failed when its process dies mid-way, leaves no temporary file, and the app computes on', async () => {
    const { t, coderIds } = await projectOf(4);
    // A process killed from outside (the system ending it, a crash) after its first progress.
    const killer: SpawnWorkerProcess = (script, options) => {
      const w = forkWorkerProcess(script, options);
      w.onMessage((m) => (m as { type: string }).type === 'progress' && process.kill(w.pid!, 'SIGKILL'));
      return w;
    };
    useWorkerProcesses(killer);
    try {
      const failed = await t.callRaw('team.agreementCsv', { coderIds, unit: 'paragraph' });
      expect(failed.ok ? 'written' : failed.error.message).toMatch(/^The agreement computation stopped unexpectedly \(its process was ended by SIGKILL\); nothing was saved\. Compute again/);
      expect(leftovers()).toEqual([]);
      const job = await t.call('team.agreementStart', { coderIds, unit: 'paragraph' });
      expect((await agreementJobsOf(t.session).wait(job.jobId)).error?.message).toMatch(/stopped unexpectedly/);
    } finally {
      useWorkerProcesses(forkWorkerProcess);
    }
    try {
      const job = await t.call('team.agreementStart', { coderIds, unit: 'paragraph' });
      expect((await agreementJobsOf(t.session).wait(job.jobId)).report?.overall.units).toBe(8);
    } finally {
      await t.close();
    }
  });

  it('names running out of memory, and a project file it cannot open, with what to do', async () => {
    // V8's own words when a heap limit is reached, from a process that ends with them.
    const oom: SpawnWorkerProcess = () => {
      let exit: ((end: { code: number | null; signal: string | null; stderr: string }) => void) | null = null;
      setTimeout(() => exit?.({ code: null, signal: 'SIGABRT', stderr: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n' }), 10);
      return { pid: undefined, send: () => undefined, onMessage: () => undefined, onExit: (l) => void (exit = l), kill: () => undefined };
    };
    const request = { projectPath: '/nowhere/gone.marginalia', hiddenCoderIds: [], options: { coderIds: ['a', 'b'], unit: 'document' as const } };
    await expect(agreementInChild(request, { spawn: oom, heapMb: 512 })).rejects.toMatchObject({
      code: 'too_large',
      message: 'The agreement computation ran out of memory (its limit is 512 MB) and was stopped; nothing was saved. Choose fewer documents or codes, or the document unit, and compute again.',
    });
    await expect(agreementInChild(request)).rejects.toMatchObject({ message: expect.stringMatching(/^The agreement could not open gone\.marginalia to read it: .*Check that the file is still there and readable, and try again\.$/) });
  });

  it("applies the user's blind-coding scope: a hidden coder is refused, visible ones are compared as in the app", async () => {
    const { t, coderIds } = await projectOf(4);
    try {
      const [ana, ben] = coderIds as [string, string];
      const carl = (await t.call('coders.setCurrent', { name: 'carl' })).id;
      const docs = await t.call('documents.list', {});
      const [code] = await t.call('codes.list', {});
      for (const d of docs) await t.call('segments.create', { documentId: d.id, codeId: code!.id, start: 0, end: 12 });
      await t.call('coders.setCurrent', { name: 'ana' });
      await t.call('team.rounds.create', { name: 'Pilot', sample: { kind: 'count', value: 2 }, seed: 7, coderIds: [ana, ben] });
      const job = await t.call('team.agreementStart', { coderIds: [ana, ben], unit: 'char' });
      expect((await agreementJobsOf(t.session).wait(job.jobId)).error?.message).toMatch(/^coders: the coding of "ben" is hidden from you while a reliability round you code in is open/);
      const csv = await t.callRaw('team.agreementCsv', { coderIds: [ana, ben], unit: 'char' });
      expect(csv.ok ? 'written' : csv.error.message).toMatch(/"ben" is hidden from you/);
      const visible = await t.call('team.agreementCsv', { coderIds: [ana, carl], unit: 'char' });
      const here = await t.project.db.read((r) => agreementFromProject(r, { coderIds: [ana, carl], unit: 'char' }));
      expect(t.download(visible).toString('utf8')).toBe(agreementCsv(here));
    } finally {
      await t.close();
    }
  });

  it('computes a project open read-only (which another process might not open) in the app, with the same figures and bytes', async () => {
    const { t, coderIds } = await projectOf(4);
    const report = await t.call('team.agreement', { coderIds, unit: 'sentence' });
    const bytes = t.download(await t.call('team.agreementCsv', { coderIds, unit: 'sentence' }));
    await t.session.setProject(null);
    const project = await Project.open(t.path, { readOnly: true });
    const session = new Session(project, 'ana');
    const call = async (method: 'team.agreementStart' | 'team.agreementCsv', input: object) => {
      const r = await dispatch({ session }, method, input);
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    };
    const { spawn, started } = watched();
    useWorkerProcesses(spawn);
    try {
      const job = (await call('team.agreementStart', { coderIds, unit: 'sentence' })) as { jobId: string };
      expect((await agreementJobsOf(session).wait(job.jobId)).report).toEqual(report);
      expect(downloaded(session, (await call('team.agreementCsv', { coderIds, unit: 'sentence' })) as { download: string }).equals(bytes)).toBe(true);
      expect(started).toHaveLength(0);
    } finally {
      useWorkerProcesses(forkWorkerProcess);
      await session.setProject(null);
      await t.close();
    }
  });
});
