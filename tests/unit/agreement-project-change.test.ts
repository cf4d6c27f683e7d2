import { describe, expect, it } from 'vitest';
import { agreementJobsOf } from '../../main/api/handlers/team';
import { csvDownload, takeDownload } from '../../main/api/downloads';
import { forkWorkerProcess, useWorkerProcesses, type WorkerProcess } from '../../main/core/team/agreement-process';
import { codedByTwo } from '../helpers/two-coders';

/** A project with six documents that two coders coded in part, so agreement has documents to go through one batch at a time. */
const codedProject = () => codedByTwo(6, (d) => `Article ${d}. It says things.`, [0, 5], [2, 9]);

describe('agreement computations when another project is opened', () => {
  it('a CSV computation still running on the old project is cancelled: its process is killed, and its progress answers Cancelled with no file', async () => {
    const { t, coderIds } = await codedProject();
    const jobs = agreementJobsOf(t.session);
    // The computation's process, watched: whether it was told to stop, and how it ended.
    const workers: { killed: boolean; ended: Promise<{ signal: string | null }> }[] = [];
    useWorkerProcesses((script, options) => {
      const w = forkWorkerProcess(script, options);
      const watched = { killed: false, ended: new Promise<{ signal: string | null }>((r) => w.onExit(r)) };
      workers.push(watched);
      const adapter: WorkerProcess = {
        get pid() {
          return w.pid;
        },
        send: (m) => w.send(m),
        onMessage: (l) => w.onMessage(l),
        onExit: (l) => w.onExit(l),
        kill: () => {
          watched.killed = true;
          w.kill();
        },
      };
      return adapter;
    });
    // The process waits after its first document until let go, which the test never does.
    let held: () => void = () => undefined;
    const heldOnce = new Promise<void>((r) => (held = r));
    let holds = 0;
    jobs.testHook = { batchSize: 1, beforeBatch: () => (holds++ === 0 ? (held(), new Promise<void>(() => undefined)) : Promise.resolve()) };
    try {
      const started = await t.call('team.agreementCsvStart', { coderIds, unit: 'sentence' });
      await heldOnce;
      expect(await t.call('team.agreementProgress', { jobId: started.jobId })).toMatchObject({ done: 1, total: 6, finished: false, cancelled: false });

      const other = await t.call('project.create', { name: 'Other' });
      expect(other.file).toBe('Other.marginalia');
      const after = await t.call('team.agreementProgress', { jobId: started.jobId });
      expect(after).toMatchObject({ cancelled: true, file: null });
      expect(workers).toHaveLength(1);
      expect(workers[0]!.killed).toBe(true);
      expect((await workers[0]!.ended).signal).toBe('SIGKILL');

      // Its end may already have been handed over (and the job forgotten) by the answer above.
      const final = after.finished ? after : await jobs.wait(started.jobId);
      expect(final).toMatchObject({ finished: true, cancelled: true, error: null, report: null, file: null });
      expect(final.done).toBe(1);
    } finally {
      jobs.testHook = null;
      useWorkerProcesses(forkWorkerProcess);
      await t.close();
    }
  });

  it('a CSV whose file was written just as the project changed is not handed over, and its download no longer answers', async () => {
    const { t } = await codedProject();
    const jobs = agreementJobsOf(t.session);
    try {
      // The computation's last moment: its file is written, and it has not yet answered when the project changes.
      let written: () => void = () => undefined;
      const writing = new Promise<void>((r) => (written = r));
      let made: Promise<{ file: Awaited<ReturnType<typeof csvDownload>> }> | null = null;
      const started = jobs.start(() => (made = writing.then(() => csvDownload(t.session, 'agreement-sentence.csv', 'code,units\ntheme,6\n')).then((file) => ({ file }))));

      await t.call('project.create', { name: 'Other' });
      written();
      const { file } = await made!;
      expect(await jobs.wait(started.jobId)).toMatchObject({ finished: true, cancelled: true, file: null });
      expect(takeDownload(t.session, file.download.slice('/download/'.length))).toBeNull();
    } finally {
      await t.close();
    }
  });

  it('a CSV finished on the old project but not yet collected is dropped: its progress answers Cancelled, and its download no longer answers', async () => {
    const { t } = await codedProject();
    const jobs = agreementJobsOf(t.session);
    try {
      // A finished CSV of the old project, as a computation hands it over: written, with its download.
      let made: Promise<{ file: Awaited<ReturnType<typeof csvDownload>> }> | null = null;
      const started = jobs.start(() => (made = csvDownload(t.session, 'agreement-sentence.csv', 'code,units\ntheme,6\n').then((file) => ({ file }))));
      const { file } = await made!;

      await t.call('project.create', { name: 'Other' });
      expect(await t.call('team.agreementProgress', { jobId: started.jobId })).toMatchObject({ finished: true, cancelled: true, error: null, report: null, file: null });
      expect(takeDownload(t.session, file.download.slice('/download/'.length))).toBeNull();
    } finally {
      await t.close();
    }
  });
});
