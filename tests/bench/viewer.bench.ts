/**
 * Viewer benchmark: a generated ~1 MB document carrying 2,000 segments, opened in Chromium
 * through the bridge. Prints the time from clicking the document to its text and its stripes
 * painted, and from pressing a code's shortcut to the new stripe painted. Asserts nothing.
 *
 *   npx tsx tests/bench/viewer.bench.ts      (after `npm run build:renderer`)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { Project } from '../../main/core/project/project';
import { Session } from '../../main/api/session';
import { dispatch } from '../../main/api/dispatch';
import type { Input, Method, Output } from '../../main/api/contract';
import { startBridge } from '../../main/bridge/server';
import { keyToStripe } from './lib';

const SEGMENTS = Number(process.env.BENCH_VIEWER_SEGMENTS ?? 2000);
const TARGET_BYTES = Number(process.env.BENCH_VIEWER_BYTES ?? 1_000_000);
const WORDS = ['shelling', 'market', 'officials', 'said', 'the', 'attack', 'killed', 'civilians', 'Kostiantynivka', 'missile', 'Russian', 'Ukrainian', 'forces', 'according', 'to', 'report', 'investigation', 'evidence', 'video', 'witnesses', '😀'];

function bigText(): string {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 1_000_000) / 1_000_000;
  const paras: string[] = [];
  let size = 0;
  while (size < TARGET_BYTES) {
    const p = `${Array.from({ length: 30 + Math.floor(rand() * 60) }, () => WORDS[Math.floor(rand() * WORDS.length)]!).join(' ')}.`;
    paras.push(p);
    size += Buffer.byteLength(p) + 1;
  }
  return paras.join('\n');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'marginalia-bench-viewer-'));
  const project = await Project.create(join(dir, 'bench.marginalia'), { name: 'Viewer bench' });
  const session = new Session(project, 'bench');
  const call = async <M extends Method>(method: M, input: Input<M>): Promise<Output<M>> => {
    const r = await dispatch({ session }, method, input);
    if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
    return r.value as Output<M>;
  };
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  try {
    const text = bigText();
    await call('import.files', { files: [{ name: 'a-small.txt', dataBase64: b64('A short first document.') }] });
    await call('import.files', { files: [{ name: 'big.txt', dataBase64: b64(text) }] });
    const big = (await call('documents.list', {})).find((d) => d.name === 'big')!;
    const codeIds: string[] = [];
    for (let i = 1; i <= 9; i++) codeIds.push((await call('codes.create', { name: `code ${i}`, shortcut: i })).id);
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 1_000_000) / 1_000_000;
    const t0 = Date.now();
    // Leave the first 3,000 code points uncoded: the shortcut test codes there.
    for (let i = 0; i < SEGMENTS; i++) {
      const start = 3000 + Math.floor(rand() * (big.length - 3500));
      await call('segments.create', { documentId: big.id, codeId: codeIds[i % 9]!, start, end: start + 20 + Math.floor(rand() * 300) });
    }
    console.log(`setup: ${(Buffer.byteLength(text) / 1e6).toFixed(2)} MB, ${text.split('\n').length} paragraphs, ${SEGMENTS} segments created in ${Date.now() - t0} ms`);

    const bridge = await startBridge({ ctx: { session }, rendererDir: resolve(__dirname, '../../dist/renderer') });
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      // tsx keeps function names with a __name helper the page does not have.
      await page.addInitScript({ content: "window.__name = (f) => f; localStorage.setItem('marginalia.coder', 'bench');" });
      await page.goto(bridge.url);
      await page.getByRole('option', { name: 'a-small', exact: true }).waitFor();
      await page.waitForSelector('.doc-text p');

      const opens: { text: number; stripes: number }[] = [];
      for (let run = 0; run < 3; run++) {
        if (run > 0) {
          await page.getByRole('option', { name: 'a-small', exact: true }).click();
          await page.waitForFunction(() => document.querySelectorAll('.doc-text p').length === 1);
        }
        opens.push(
          await page.evaluate(async (paragraphs) => {
            // The list's row for "big" (its name comes first, then its attributes and count).
            const option = Array.from(document.querySelectorAll<HTMLElement>('[role="option"]')).find((o) => o.textContent?.trim().startsWith('big'))!;
            const t0 = performance.now();
            option.click();
            let text = 0;
            await new Promise<void>((done) => {
              const check = () => {
                if (!text && document.querySelectorAll('.doc-text p').length === paragraphs) text = performance.now() - t0;
                if (text && document.querySelectorAll('.stripe').length > 0) return done();
                requestAnimationFrame(check);
              };
              check();
            });
            // The frame after the stripes are in the DOM is the one that paints them.
            await new Promise((r) => requestAnimationFrame(() => r(null)));
            return { text, stripes: performance.now() - t0 };
          }, text.split('\n').length),
        );
      }
      console.log(`open 1 MB document: text painted ${opens.map((o) => o.text.toFixed(0)).join(' / ')} ms, text + stripes painted ${opens.map((o) => o.stripes.toFixed(0)).join(' / ')} ms (3 runs)`);

      const presses: number[] = [];
      for (let i = 0; i < 10; i++) {
        await page.evaluate((n) => {
          // Select the n-th word of the first paragraph, as a mouse would.
          const p = document.querySelector('.doc-text p')!;
          const t = p.firstChild!.firstChild!;
          const words = [...(t.textContent ?? '').matchAll(/\S+/g)];
          const w = words[n * 2]!;
          const r = document.createRange();
          r.setStart(t, w.index!);
          r.setEnd(t, w.index! + w[0].length);
          const sel = document.getSelection()!;
          sel.removeAllRanges();
          sel.addRange(r);
          (document.querySelector('.doc-text') as HTMLElement).focus({ preventScroll: true });
        }, i);
        await page.waitForFunction(() => /Selected \d/.test(document.querySelector('.statusbar')?.textContent ?? ''), undefined, { timeout: 5000 });
        const done = keyToStripe(page);
        await page.waitForTimeout(50);
        await page.keyboard.press(String((i % 9) + 1));
        presses.push(await done);
      }
      console.log(`shortcut key to new stripe painted: median ${median(presses).toFixed(0)} ms, max ${Math.max(...presses).toFixed(0)} ms (10 presses: ${presses.map((p) => p.toFixed(0)).join(' ')})`);

      const scrollJumps = () =>
        page.evaluate(async () => {
          const scroller = document.querySelector('.viewer-scroll') as HTMLElement;
          const out: number[] = [];
          for (const f of [0.25, 0.5, 0.75, 0.99, 0.1]) {
            const before = document.querySelector('.stripe')?.getAttribute('data-segment-id');
            const t0 = performance.now();
            scroller.scrollTop = scroller.scrollHeight * f;
            await new Promise<void>((done) => {
              const check = () => (document.querySelector('.stripe')?.getAttribute('data-segment-id') !== before ? done() : requestAnimationFrame(check));
              requestAnimationFrame(check);
            });
            await new Promise((r) => requestAnimationFrame(() => r(null)));
            out.push(performance.now() - t0);
          }
          return out.map((t) => t.toFixed(0)).join(' / ');
        });
      console.log(`jump-scroll to 25/50/75/99/10 %, stripes repainted: ${await scrollJumps()} ms`);
      // What the tints cost: the same jumps with the highlight registry emptied.
      await page.evaluate(() => (CSS.highlights as unknown as Map<string, unknown>).clear());
      console.log(`the same jumps without tints (CSS highlights cleared): ${await scrollJumps()} ms`);
    } finally {
      await browser.close();
      await bridge.close();
    }
  } finally {
    await session.setProject(null);
    await project.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
