import { test as base, expect } from '@playwright/test';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Session } from '../../main/api/session';
import { dispatch } from '../../main/api/dispatch';
import type { Input, Method, Output } from '../../main/api/contract';
import { startBridge, type Bridge } from '../../main/bridge/server';
import { createSampleProject } from '../../main/core/sample/sample';
import { Project } from '../../main/core/project/project';

/** The built renderer; MARGINALIA_RENDERER_DIR points at another build (e.g. one made with `vite build --outDir`). */
export const RENDERER_DIR = process.env.MARGINALIA_RENDERER_DIR ? resolve(process.env.MARGINALIA_RENDERER_DIR) : resolve(__dirname, '../../dist/renderer');

/** The API as a test sees it: the same dispatch the transports use, on the same project. */
export interface Api {
  call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>>;
}

export interface AppFixtures {
  /** Which project the test starts on; the sample by default, or an empty one. */
  startWith: 'sample' | 'empty';
  /** The coder the app is set to before it loads (so the first-use question is already answered). */
  coderName: string | null;
  projectPath: string;
  session: Session;
  bridge: Bridge;
  api: Api;
}

/** localStorage key the renderer keeps the coder's name under. */
export const CODER_STORAGE_KEY = 'marginalia.coder';

export const test = base.extend<AppFixtures>({
  startWith: ['sample', { option: true }],
  coderName: ['tester', { option: true }],

  projectPath: async ({ startWith }, use) => {
    if (!existsSync(join(RENDERER_DIR, 'index.html'))) throw new Error(`The renderer is not built (${RENDERER_DIR}). Run "npm run build" first.`);
    const dir = mkdtempSync(join(tmpdir(), 'marginalia-e2e-'));
    const path = join(dir, startWith === 'sample' ? 'Sample.marginalia' : 'Empty.marginalia');
    const project = startWith === 'sample' ? await createSampleProject(path, 'tester') : await Project.create(path, { name: 'Empty' });
    await project.close();
    await use(path);
    rmSync(dir, { recursive: true, force: true });
  },

  session: async ({ projectPath, coderName }, use) => {
    const session = new Session(await Project.open(projectPath), coderName ?? 'tester');
    await use(session);
    await session.setProject(null);
  },

  bridge: async ({ session }, use) => {
    const bridge = await startBridge({ ctx: { session }, rendererDir: RENDERER_DIR });
    await use(bridge);
    await bridge.close();
  },

  api: async ({ session }, use) => {
    await use({
      async call(method, input) {
        const r = await dispatch({ session }, method, input);
        if (!r.ok) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`);
        return r.value as never;
      },
    });
  },

  page: async ({ page, bridge, coderName }, use) => {
    if (coderName) {
      await page.addInitScript(
        ([key, name]) => {
          if (!window.localStorage.getItem(key)) window.localStorage.setItem(key, name);
        },
        [CODER_STORAGE_KEY, coderName] as const,
      );
    }
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(bridge.url);
    // The page tells the session who codes as it loads: wait for that, so a test that codes as
    // someone else through the API (coders.setCurrent) is not overtaken by the page's coder.
    if (coderName) await expect(page.getByRole('button', { name: /^Coder: .+ \(switch\)$/ })).not.toHaveAccessibleName(/^Coder: none/, { timeout: 20_000 });
    await use(page);
    // An uncaught error in the page is a failure even when the flow looked fine.
    expect(errors, `uncaught errors in the page: ${errors.join('\n')}`).toEqual([]);
  },
});

export { expect };
