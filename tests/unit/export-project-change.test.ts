import { describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { exportJobsOf, takeDownload, writtenDownload } from '../../main/api/downloads';
import { writeExport } from '../../main/core/exchange/export';
import { openTestProject } from '../helpers/project';

describe('exports when another project is opened', () => {
  it('an export still being written on the old project ends as Cancelled, with no error, no download and no file left', async () => {
    const t = await openTestProject({ sample: true });
    const jobs = exportJobsOf(t.session);
    const db = t.session.project.db;
    try {
      // The export's writing waits on the test, as a long one (a .qdpx of 100,000 documents takes 80 s) is still going when the user opens another project.
      let writing: () => void = () => undefined;
      const held = new Promise<void>((r) => (writing = r));
      let reached: () => void = () => undefined;
      const waiting = new Promise<void>((r) => (reached = r));
      const started = jobs.start({ fileName: 'Test-segments.csv', mime: 'text/csv' }, async (sink) => {
        reached();
        await held;
        await writeExport(db, { format: 'segments' }, sink);
      });
      await waiting;
      const file = jobs.fileOf(started.jobId);
      expect(existsSync(file)).toBe(true);

      await t.call('project.create', { name: 'Other' });
      // The old project is closed now: the export goes on reading it, as it would after an 80 s wait.
      writing();
      const end = await jobs.wait(started.jobId);
      expect(end).toMatchObject({ finished: true, cancelled: true, error: null, download: null });
      expect(await t.call('exchange.exportProgress', { jobId: started.jobId })).toMatchObject({ cancelled: true, error: null, download: null });
      expect(existsSync(file)).toBe(false);
    } finally {
      await t.close();
    }
  });

  it('an export of the old project finished but not yet downloaded is dropped: its progress answers Cancelled, and its download no longer answers', async () => {
    const t = await openTestProject({ sample: true });
    const jobs = exportJobsOf(t.session);
    try {
      const done = await jobs.wait((await t.call('exchange.exportStart', { format: 'codebook' })).jobId);
      expect(done.download).toMatch(/^\/download\//);
      const file = jobs.fileOf(done.jobId);
      expect(existsSync(file)).toBe(true);

      await t.call('project.create', { name: 'Other' });
      expect(await t.call('exchange.exportProgress', { jobId: done.jobId })).toMatchObject({ finished: true, cancelled: true, error: null, download: null });
      expect(takeDownload(t.session, done.download!.slice('/download/'.length))).toBeNull();
      expect(existsSync(file)).toBe(false);
    } finally {
      await t.close();
    }
  });

  it('a CSV a handler is still making when the project changes is refused as cancelled, not as a write to try again', async () => {
    const t = await openTestProject({ sample: true });
    try {
      let written: () => void = () => undefined;
      const writing = new Promise<void>((r) => (written = r));
      const made = writtenDownload(t.session, 'words.csv', async (path) => {
        await writing;
        writeFileSync(path, 'term,count\nstrike,3\n');
      });
      await t.call('project.create', { name: 'Other' });
      written();
      await expect(made).rejects.toMatchObject({ code: 'cancelled', message: 'words.csv was not saved: the project it was made from was closed before it was written.' });
    } finally {
      await t.close();
    }
  });

  it('an export downloaded before the project changed stays as it ended, and an export started on the new project is written from it', async () => {
    const t = await openTestProject({ sample: true });
    const jobs = exportJobsOf(t.session);
    try {
      const first = await jobs.wait((await t.call('exchange.exportStart', { format: 'codebook' })).jobId);
      expect(t.download({ download: first.download! }).toString('utf8')).toMatch(/^code_id,/);

      await t.call('project.create', { name: 'Other' });
      expect(await t.call('exchange.exportProgress', { jobId: first.jobId })).toMatchObject({ cancelled: false, error: null });
      const next = await jobs.wait((await t.call('exchange.exportStart', { format: 'codebook' })).jobId);
      expect(next).toMatchObject({ fileName: 'other-codebook.csv', cancelled: false, error: null });
      // The new project has no codes: its codebook is the header alone.
      expect(t.download({ download: next.download! }).toString('utf8').trim().split('\r\n')).toHaveLength(1);
    } finally {
      await t.close();
    }
  });
});
