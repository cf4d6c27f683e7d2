import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test, expect } from './fixtures';
import { Workbench } from './pages/workbench';

test('in the browser, File ▸ New project makes an empty project beside the open one, and Open project goes back', async ({ page, projectPath }) => {
  const wb = new Workbench(page);
  await wb.ready();
  await wb.menu('File', 'New project…');
  const dialog = page.getByRole('dialog', { name: 'New project' });
  const name = dialog.getByRole('textbox', { name: /Name of the new project/ });
  // A name with a folder in it is refused, naming the field.
  await name.fill('studies/second');
  await dialog.getByRole('button', { name: 'Create project' }).click();
  await expect(dialog.getByRole('alert')).toContainText('name');
  await name.fill('Second study');
  await dialog.getByRole('button', { name: 'Create project' }).click();

  await expect(page.getByText('Second study — Second study.marginalia')).toBeVisible();
  await expect(page.getByRole('region', { name: 'This project has no documents yet' })).toBeVisible();
  expect(existsSync(join(dirname(projectPath), 'Second study.marginalia'))).toBe(true);

  await wb.menu('File', 'Open project…');
  const open = page.getByRole('dialog', { name: 'Open project' });
  await expect(open.getByRole('radio')).toHaveCount(1);
  await open.getByRole('radio', { name: 'Sample.marginalia' }).check();
  await open.getByRole('button', { name: 'Open project' }).click();
  await wb.ready();
  await expect(page.getByText(/— Sample\.marginalia$/)).toBeVisible();

  // A name that is taken is refused with the reason, and the open project stays.
  await wb.menu('File', 'New project…');
  await page.getByRole('dialog', { name: 'New project' }).getByRole('textbox').fill('Second study');
  await page.getByRole('dialog', { name: 'New project' }).getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('dialog', { name: 'New project' }).getByRole('alert')).toContainText('Second study.marginalia already exists');
  await page.getByRole('dialog', { name: 'New project' }).getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByText(/— Sample\.marginalia$/)).toBeVisible();
});
