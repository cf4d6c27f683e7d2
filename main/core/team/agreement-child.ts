/**
 * The agreement computation's own process (agreement-process.ts starts it). It opens the
 * project file itself, read-only, on a connection of its own, applies the read scope the
 * parent resolved for the user (blind coding: the same views, made by the same function),
 * computes the report or writes the CSV into the file it was given, says how far it has got,
 * and ends. Whatever memory it took goes with it: the app's main process keeps none of it.
 *
 * It talks through `process.parentPort` in an Electron utility process and `process.send`
 * under child_process.fork (the command line, `marginalia serve`, tests).
 */
import { closeSync, openSync } from 'node:fs';
import { basename } from 'node:path';
import { Sqlite } from '../db/sqlite';
import { Reader } from '../db/project-db';
import { describeFileError } from '../db/file-errors';
import { MarginaliaError } from '../errors';
import { FileSink } from '../exchange/export';
import { blindViews } from './blind';
import { agreementFromProject, agreementRowsFromProject, type AgreementProgress } from './agreement';
import { writeAgreementCsv } from './agreement-csv';
import type { ChildReply, ChildRequest, ChildResult } from './agreement-process';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
const listeners: ((m: unknown) => void)[] = [];
if (parentPort) parentPort.on('message', (e) => listeners.forEach((l) => l(e.data)));
else {
  process.on('message', (m) => listeners.forEach((l) => l(m)));
  // A parent that ended (quit, crashed, killed) wants nothing more: stop rather than compute on for no one.
  process.on('disconnect', () => process.exit(0));
}

function send(reply: ChildReply): void {
  if (parentPort) parentPort.postMessage(reply);
  else process.send?.(reply);
}

/** Resolves at the parent's next "go on" (tests that hold the computation after each batch). */
let goOn: (() => void) | null = null;

async function run(request: ChildRequest): Promise<ChildResult> {
  let sqlite: Sqlite;
  try {
    sqlite = await Sqlite.open(request.projectPath, { readonly: true });
  } catch (err) {
    const described = describeFileError(err, request.projectPath);
    throw new MarginaliaError(
      described?.code ?? 'io',
      `The agreement could not open ${basename(request.projectPath)} to read it: ${described?.message ?? (err as Error).message} Check that the file is still there and readable, and try again.`,
    );
  }
  try {
    await sqlite.exec('PRAGMA busy_timeout = 5000;');
    if (request.hiddenCoderIds.length > 0) await sqlite.exec(blindViews(request.hiddenCoderIds).enter);
    // One snapshot: the project as committed when the computation began, whatever is coded meanwhile.
    await sqlite.exec('BEGIN');
    const r = new Reader(sqlite, true);
    const progress: AgreementProgress = {
      onProgress: (done, total) => {
        send({ type: 'progress', done, total });
        if (request.held && done > 0 && done < total) return new Promise<void>((resolve) => (goOn = resolve));
      },
      ...(request.batchSize !== undefined ? { batchSize: request.batchSize } : {}),
    };
    if (!request.csv) return { type: 'report', report: await agreementFromProject(r, request.options, progress) };
    const { report, rows } = await agreementRowsFromProject(r, request.options, progress);
    await sqlite.exec('COMMIT');
    send({ type: 'writing' });
    const fd = openSync(request.csv.path, 'w', 0o600);
    try {
      const sink = new FileSink(fd);
      writeAgreementCsv(report, request.csv.options, sink, rows);
      sink.flush();
    } finally {
      closeSync(fd);
    }
    return { type: 'written', unit: report.unit };
  } finally {
    await sqlite.close().catch(() => undefined);
  }
}

listeners.push((m) => {
  const message = m as { type: 'run'; request: ChildRequest } | { type: 'continue' };
  if (message.type === 'continue') {
    goOn?.();
    goOn = null;
    return;
  }
  run(message.request).then(
    (reply) => {
      const used = process.resourceUsage();
      send({ ...reply, peakRssBytes: used.maxRSS * 1024, cpuMs: (used.userCPUTime + used.systemCPUTime) / 1000 });
    },
    (err: unknown) => send({ type: 'failed', code: err instanceof MarginaliaError ? err.code : 'internal', message: (err as Error)?.message ?? String(err) }),
  );
});
send({ type: 'ready' });
