import { utilityProcess } from 'electron';
import type { SpawnWorkerProcess } from '../core/team/agreement-process';

/**
 * The desktop app's processes for heavy work (agreement): Electron utility processes. The
 * packaged app's runAsNode fuse is off, so child_process.fork cannot start one; the script
 * talks back through `process.parentPort` instead of `process.send`.
 */
export const utilityWorkerProcess: SpawnWorkerProcess = (script, options) => {
  const child = utilityProcess.fork(script, [], { execArgv: options.execArgv, serviceName: options.name, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4096)));
  // V8's fatal errors (out of memory among them) are reported here, not always on stderr.
  child.on('error', (type, location) => (stderr += `\n${type} at ${location}`));
  let exited: { code: number | null; signal: string | null } | null = null;
  const listeners: ((end: { code: number | null; signal: string | null; stderr: string }) => void)[] = [];
  child.once('exit', (code) => {
    exited = { code, signal: null };
    listeners.forEach((l) => l({ ...exited!, stderr }));
  });
  return {
    get pid() {
      return child.pid;
    },
    send: (m) => child.postMessage(m),
    onMessage: (l) => child.on('message', l),
    onExit: (l) => (exited ? l({ ...exited, stderr }) : listeners.push(l)),
    kill: () => void child.kill(),
  };
};
