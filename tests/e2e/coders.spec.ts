import { test, expect } from './fixtures';

test('coders can be renamed from the switch-coder dialog, to tell apart two people who share a name', async ({ page, api }) => {
  await api.call('coders.setCurrent', { name: 'ben' });
  await api.call('coders.setCurrent', { name: 'tester' });
  await page.getByRole('button', { name: /^Coder: tester/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Switch coder' });
  const coders = dialog.getByRole('region', { name: 'Coders in this project' });
  const ben = coders.getByRole('textbox', { name: /^Name of coder ben/ });
  await ben.fill('ben (Kharkiv team)');
  await coders.getByRole('button', { name: 'Rename coder ben' }).click();
  await expect(coders.getByRole('status')).toHaveText('Renamed ben to ben (Kharkiv team).');
  expect((await api.call('coders.list', {})).map((c) => c.name).sort()).toEqual(['ben (Kharkiv team)', 'tester']);
  // Enter in a name field renames that coder and leaves the dialog open.
  const again = coders.getByRole('textbox', { name: /^Name of coder ben \(Kharkiv team\)/ });
  await again.fill('Ben K.');
  await again.press('Enter');
  await expect(coders.getByRole('status')).toHaveText('Renamed ben (Kharkiv team) to Ben K..');
  await expect(dialog).toBeVisible();
});
