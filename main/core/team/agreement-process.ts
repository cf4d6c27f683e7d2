import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { MarginaliaError, type ErrorCode } from '../errors';
import type { CsvOptions } from '../exchange/csv';
import { agreementCancelled, type AgreementOptions, type AgreementProgress, type AgreementReport } from './agreement';
import type { AgreementUnit } from './units';

/**
 * A process of its own, as the host makes one: the port through which agreement runs outside
 * the app's main process. Node hosts (the command line, `marginalia serve`, tests) fork
 * (`forkWorkerProcess`); the packaged desktop app cannot (its runAsNode fuse is off), so its
 * shell passes an adapter over Electron's utilityProcess (main/electron/worker-process.ts).
 */
export interface WorkerProcess {
  /** The system's id for it, once started. */
  readonly pid: number | undefined;
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process has ended, with the last few KB it wrote to stderr. */
  onExit(listener: (end: { code: number | null; signal: string | null; stderr: string }) => void): void;
  kill(): void;
}

export interface WorkerProcessOptions {
  /** Node and V8 flags (the loader under tsx, the heap limit). */
  execArgv: string[];
  /** What the process is, for the system's process list. */
  name: string;
}

export type SpawnWorkerProcess = (script: string, options: WorkerProcessOptions) => WorkerProcess;

/** Keeps the end of a stream: what a crashed process said last. */
function tail(stream: NodeJS.ReadableStream | null | undefined): () => string {
  let text = '';
  stream?.on('data', (chunk: Buffer | string) => (text = (text + chunk.toString()).slice(-4096)));
  return () => text;
}

/** The node hosts' way: child_process.fork, messages by V8's serializer, stderr kept for the error. */
export const forkWorkerProcess: SpawnWorkerProcess = (script, options) => {
  const child = fork(script, [], { execArgv: options.execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
  const stderr = tail(child.stderr);
  let exited: { code: number | null; signal: string | null } | null = null;
  const exitListeners: ((end: { code: number | null; signal: string | null; stderr: string }) => void)[] = [];
  // 'close' comes after stderr has been read to its end: the out-of-memory message included.
  child.once('close', (code, signal) => {
    exited = { code, signal };
    exitListeners.forEach((l) => l({ ...exited!, stderr: stderr() }));
  });
  // A script that cannot be started at all ends as an exit too.
  child.once('error', () => undefined);
  return {
    pid: child.pid,
    send: (m) => {
      if (child.connected) child.send(m as never);
    },
    onMessage: (l) => child.on('message', l),
    onExit: (l) => (exited ? l({ ...exited, stderr: stderr() }) : exitListeners.push(l)),
    kill: () => void child.kill('SIGKILL'),
  };
};

let spawnWorker: SpawnWorkerProcess = forkWorkerProcess;

/** The host's way of starting a process: the desktop shell sets its utilityProcess adapter once at startup. */
export function useWorkerProcesses(spawn: SpawnWorkerProcess): void {
  spawnWorker = spawn;
}

/**
 * The child's script: the compiled .js beside this file in dist (and in the app archive, which
 * packs all of dist), or under tsx and Vitest the .ts itself, loaded through tsx.
 */
export function agreementChildScript(): { script: string; execArgv: string[] } {
  if (!__filename.endsWith('.ts')) {
    const js = join(__dirname, 'agreement-child.js');
    if (!existsSync(js)) throw new MarginaliaError('io', `The agreement part of this installation is missing (${js}); install Marginalia again.`);
    return { script: js, execArgv: [] };
  }
  return { script: join(__dirname, 'agreement-child.ts'), execArgv: ['--require', createRequire(__filename).resolve('tsx/cjs')] };
}

/**
 * The child's heap limit. By sentence over 100,000 documents the CSV takes about 370 MB in a
 * fresh process; this leaves room for larger projects while a runaway computation is stopped
 * long before it takes the machine.
 */
export const AGREEMENT_HEAP_MB = 1536;

/** What the parent asks of the child (agreement-child.ts). */
export interface ChildRequest {
  projectPath: string;
  /** The coders the user may not see (blind coding), resolved by the parent under the user's read scope: [] for none. */
  hiddenCoderIds: string[];
  options: AgreementOptions;
  /** Write the CSV to this file instead of answering with the report. */
  csv?: { path: string; options: CsvOptions };
  /** Tests only: documents per batch, and whether to wait for the parent's "continue" after each. */
  batchSize?: number;
  held?: boolean;
}

export type ChildReply =
  | { type: 'ready' }
  | { type: 'progress'; done: number; total: number }
  | { type: 'writing' }
  | ({ type: 'report'; report: AgreementReport } & ChildCost)
  | ({ type: 'written'; unit: AgreementUnit } & ChildCost)
  | { type: 'failed'; code: ErrorCode; message: string };

/** What the child's whole run cost it, for the benches: its peak resident memory and its CPU time. */
export interface ChildCost {
  peakRssBytes?: number;
  cpuMs?: number;
}

export type ChildResult = Extract<ChildReply, { type: 'report' | 'written' }>;

export interface ChildRun {
  /** Documents done of the total; a returned promise holds the child before its next batch (tests). */
  onProgress?: AgreementProgress['onProgress'];
  /** The figures are done and the CSV is being written. */
  onWriting?: () => void;
  /** Aborting kills the child: the run ends with a "cancelled" error. */
  signal?: AbortSignal;
  /** Tests only: documents per batch; `held` makes the child wait for each onProgress promise. */
  batchSize?: number;
  held?: boolean;
  /** For tests: another heap limit, or another way to start the process. */
  heapMb?: number;
  spawn?: SpawnWorkerProcess;
}

/** The message for a child that ended without answering. */
function crashError(end: { code: number | null; signal: string | null; stderr: string }, heapMb: number): MarginaliaError {
  if (/heap out of memory|Reached heap limit|Allocation failed/i.test(end.stderr)) {
    return new MarginaliaError(
      'too_large',
      `The agreement computation ran out of memory (its limit is ${heapMb} MB) and was stopped; nothing was saved. Choose fewer documents or codes, or the document unit, and compute again.`,
    );
  }
  const how = end.signal ? `was ended by ${end.signal}` : `exited with code ${end.code}`;
  const said = end.stderr.trim().split('\n').filter(Boolean).pop();
  return new MarginaliaError(
    'internal',
    `The agreement computation stopped unexpectedly (its process ${how}${said ? `: ${said.slice(0, 300)}` : ''}); nothing was saved. Compute again; if it happens again, report it with the project's size.`,
  );
}

/**
 * Runs one agreement computation (the report, or the CSV written to a file) in a process of its
 * own and resolves with its answer. Killed on abort; a crash, an out-of-memory end or a file it
 * cannot open rejects with an error saying what failed and what to do.
 */
export function agreementInChild(request: Omit<ChildRequest, 'batchSize' | 'held'>, run: ChildRun = {}): Promise<ChildResult> {
  const heapMb = run.heapMb ?? AGREEMENT_HEAP_MB;
  if (run.signal?.aborted) return Promise.reject(agreementCancelled());
  const { script, execArgv } = agreementChildScript();
  const child = (run.spawn ?? spawnWorker)(script, { execArgv: [...execArgv, `--max-old-space-size=${heapMb}`], name: 'Marginalia agreement' });
  return new Promise<ChildResult>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      run.signal?.removeEventListener('abort', onAbort);
      child.kill();
      fn();
    };
    const onAbort = () => settle(() => reject(agreementCancelled()));
    run.signal?.addEventListener('abort', onAbort);
    child.onExit((end) => settle(() => reject(crashError(end, heapMb))));
    child.onMessage((m) => {
      const reply = m as ChildReply;
      if (settled) return;
      if (reply.type === 'ready') {
        const full: ChildRequest = { ...request, ...(run.batchSize !== undefined ? { batchSize: run.batchSize } : {}), ...(run.held ? { held: true } : {}) };
        child.send({ type: 'run', request: full });
      } else if (reply.type === 'progress') {
        const hold = run.onProgress?.(reply.done, reply.total);
        if (run.held && reply.done > 0 && reply.done < reply.total) {
          void Promise.resolve(hold).then(() => !settled && child.send({ type: 'continue' }));
        }
      } else if (reply.type === 'writing') run.onWriting?.();
      else if (reply.type === 'failed') settle(() => reject(new MarginaliaError(reply.code, reply.message)));
      else settle(() => resolve(reply));
    });
  });
}
