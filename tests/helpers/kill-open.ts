import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The child (open-project.ts) opening `path`, and what it has said so far. */
function openInChild(path: string, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, 'open-project.ts'), path], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const said = { out: '' };
  child.stdout!.on('data', (d: Buffer) => (said.out += d.toString()));
  const exited = new Promise((done) => child.on('exit', done));
  return { child, said, exited };
}

/**
 * Opens (so upgrades) the project at `path` in a child process (open-project.ts) and SIGKILLs
 * it `afterMs` after it says it is opening. Whether the kill landed before the open finished:
 * an upgrade test needs at least one that did, or it proves nothing.
 */
export async function killDuringOpen(path: string, afterMs: number): Promise<boolean> {
  const { child, said, exited } = openInChild(path);
  for (let i = 0; i < 1200 && !said.out.includes('opening'); i++) await sleep(25);
  await sleep(afterMs);
  child.kill('SIGKILL');
  await exited;
  return !said.out.includes('done');
}

/**
 * Opens the project at `path` in a child process and SIGKILLs it during the VACUUM that
 * compacts it after its upgrade (held at its start: open-project.ts says why that is the same
 * file). Whether it got there: false when the open finished or failed without compacting.
 */
export async function killDuringCompaction(path: string): Promise<boolean> {
  const { child, said, exited } = openInChild(path, { MARGINALIA_TEST_HOLD_AT_VACUUM: '1' });
  let ended = false;
  void exited.then(() => (ended = true));
  for (let i = 0; i < 2400 && !said.out.includes('compacting') && !ended; i++) await sleep(25);
  child.kill('SIGKILL');
  await exited;
  return said.out.includes('compacting') && !said.out.includes('done');
}
