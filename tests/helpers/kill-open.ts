import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Opens (so upgrades) the project at `path` in a child process (open-project.ts) and SIGKILLs
 * it `afterMs` after it says it is opening. Whether the kill landed before the open finished:
 * an upgrade test needs at least one that did, or it proves nothing.
 */
export async function killDuringOpen(path: string, afterMs: number): Promise<boolean> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, 'open-project.ts'), path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise((done) => child.on('exit', done));
  for (let i = 0; i < 1200 && !out.includes('opening'); i++) await sleep(25);
  await sleep(afterMs);
  child.kill('SIGKILL');
  await exited;
  return !out.includes('done');
}
