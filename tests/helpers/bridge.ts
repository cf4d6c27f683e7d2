import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openTestProject, tempDir } from './project';
import { startBridge, type Bridge } from '../../main/bridge/server';

export type TestProject = Awaited<ReturnType<typeof openTestProject>>;

/** A test project served by a loopback bridge, with a stand-in page for the renderer. */
export interface TestBridge {
  t: TestProject;
  bridge: Bridge;
  close(): Promise<void>;
}

export async function openTestBridge(options: Parameters<typeof openTestProject>[0] = {}): Promise<TestBridge> {
  const t = await openTestProject(options);
  const web = tempDir();
  writeFileSync(join(web.dir, 'index.html'), '<!doctype html><title>Marginalia</title>');
  const bridge = await startBridge({ ctx: { session: t.session }, rendererDir: web.dir });
  return {
    t,
    bridge,
    close: async () => {
      await bridge.close();
      await t.close();
      web.cleanup();
    },
  };
}
