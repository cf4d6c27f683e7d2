import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';

/**
 * A screenshot for a person to look at, into the folder MARGINALIA_SHOTS names (nothing when
 * it is unset); never compared. `MARGINALIA_SHOTS=/tmp/shots npm run test:e2e` to see them.
 */
export async function shot(page: Page, name: string): Promise<void> {
  const folder = process.env.MARGINALIA_SHOTS;
  if (!folder) return;
  mkdirSync(folder, { recursive: true });
  await page.screenshot({ path: `${folder}/${name}.png` });
}
