/**
 * What the benches share: a timer that prints wall and CPU time with the process's memory,
 * and a working copy of a cached bench corpus (opening upgrades a project, so the cache itself
 * is never opened).
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCorpus, LARGE, SMALL, type CorpusSpec } from './corpus';
import type { Page } from '@playwright/test';
import { Project } from '../../main/core/project/project';

/** The corpus a bench run uses: 10k articles, or 100k with MARGINALIA_BENCH_LARGE=1. */
export const benchSpec = (): CorpusSpec => (process.env.MARGINALIA_BENCH_LARGE ? LARGE : SMALL);

/**
 * Starts a new peak of resident memory, for `peakMb` to read: on Linux the process's high-water
 * mark can be reset (/proc/self/clear_refs), so a step reports its own peak, not the largest of
 * every step before it in the same process (agreement by paragraph read 384 MB after document
 * and sentence; on its own it peaks at 293). Elsewhere the peak only grows.
 */
export function resetPeak(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Not Linux: peakMb gives the process's peak so far.
  }
}

/** The peak resident memory in MB since `resetPeak` (Linux), or of the whole process so far. */
export function peakMb(): number {
  try {
    const kb = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Math.round(Number(kb) / 1024);
  } catch {
    // Not Linux.
  }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/**
 * Runs `fn` and prints one line: wall time, CPU time of this process (on a shared machine the
 * wall clock also counts others' work, so CPU is the figure to compare), RSS at the end and
 * the peak while `fn` ran, and `say(result)`.
 */
export async function timed<T>(label: string, fn: () => Promise<T>, say: (r: T) => string): Promise<T> {
  resetPeak();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = await fn();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const rss = Math.round(process.memoryUsage().rss / 1024 / 1024);
  console.log(`${label.padEnd(56)} ${(ms / 1000).toFixed(2).padStart(7)} s wall ${((cpu.user + cpu.system) / 1e6).toFixed(2).padStart(7)} s cpu   rss ${rss} MB, peak ${peakMb()} MB   ${say(r)}`);
  return r;
}

/** A fresh copy of the cached corpus in a temporary folder; `remove` deletes the folder. */
export async function copyOfCorpus(spec: CorpusSpec, name: string): Promise<{ path: string; remove: () => void }> {
  const cached = await ensureCorpus(spec);
  const dir = mkdtempSync(join(tmpdir(), `marginalia-${name}-bench-`));
  const path = join(dir, 'bench.marginalia');
  copyFileSync(cached, path);
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Opens a copy of the corpus, runs `fn` on it, and closes and removes the copy whatever happens. */
export async function withCorpusCopy(spec: CorpusSpec, name: string, fn: (project: Project) => Promise<void>): Promise<void> {
  const copy = await copyOfCorpus(spec, name);
  const project = await Project.open(copy.path);
  try {
    await fn(project);
  } finally {
    await project.close();
    copy.remove();
  }
}

/**
 * Starts watching the workbench for the next key press and resolves with the milliseconds
 * from that key to the frame after a new stripe appears in the margin (key → stripe painted).
 * Call it, then press the key.
 */
export function keyToStripe(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolveTime) => {
        const seen = new Set(Array.from(document.querySelectorAll('.stripe')).map((s) => s.getAttribute('data-segment-id')));
        let t0 = 0;
        window.addEventListener('keydown', () => (t0 = performance.now()), { capture: true, once: true });
        const mo = new MutationObserver(() => {
          const fresh = Array.from(document.querySelectorAll('.stripe')).some((s) => !seen.has(s.getAttribute('data-segment-id')));
          if (!fresh || !t0) return;
          mo.disconnect();
          requestAnimationFrame(() => resolveTime(performance.now() - t0));
        });
        mo.observe(document.querySelector('.margin')!, { childList: true, subtree: true });
      }),
  );
}
