import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test, expect } from './fixtures';
import { Session } from '../../main/api/session';
import { dispatch } from '../../main/api/dispatch';
import { Project } from '../../main/core/project/project';
import { shot } from './shots';


test('a colleague\'s project is previewed, merged with a conflict choice, compared and settled into consensus', async ({ page, api, session, projectPath }) => {
  const docs = await api.call('documents.list', {});
  const codes = await api.call('codes.list', {});
  const casualties = codes.find((c) => c.path === 'casualties')!;
  await api.call('segments.create', { documentId: docs[0]!.id, codeId: casualties.id, start: 0, end: 40 });

  // Ben works in a copy of the project, codes a longer span and rewrites the coding rule.
  const other = join(dirname(projectPath), 'ben.marginalia');
  await session.project.db.read(() => session.project.db.sqlite.run('VACUUM INTO ?', [other]));
  const ben = new Session(await Project.open(other), 'ben');
  expect((await dispatch({ session: ben }, 'segments.create', { documentId: docs[0]!.id, codeId: casualties.id, start: 10, end: 60 })).ok).toBe(true);
  expect((await dispatch({ session: ben }, 'codes.describe', { id: casualties.id, description: 'Ben rule' })).ok).toBe(true);
  await ben.setProject(null);

  await page.getByRole('menuitem', { name: 'File' }).click();
  await page.getByRole('menuitem', { name: "Merge a colleague's project…" }).click();
  const merge = page.getByRole('dialog', { name: "Merge a colleague's project" });
  await merge.getByLabel("Colleague's project file").setInputFiles({ name: 'ben.marginalia', mimeType: 'application/octet-stream', buffer: readFileSync(other) });
  await expect(merge.getByRole('group', { name: 'Code “casualties”' })).toBeVisible();
  // Nothing is written before the user confirms.
  expect((await api.call('segments.list', {})).length).toBe(1);
  await merge.getByRole('radio', { name: 'Take theirs' }).check();
  await merge.getByRole('button', { name: 'Merge' }).click();
  await expect(merge.getByRole('status')).toContainText('backup');
  await merge.getByRole('button', { name: 'Close' }).click();

  const afterMerge = await api.call('segments.list', {});
  expect(afterMerge.map((s) => s.coder_name).sort()).toEqual(['ben', 'tester']);
  expect((await api.call('codes.list', {})).find((c) => c.id === casualties.id)!.description).toBe('Ben rule');

  await page.getByRole('menuitem', { name: 'View' }).click();
  await page.getByRole('menuitem', { name: 'Intercoder agreement' }).click();
  const agreement = page.getByRole('dialog', { name: 'Intercoder agreement' });
  await agreement.getByRole('checkbox', { name: 'ben' }).check();
  await agreement.getByRole('button', { name: 'Compute agreement' }).click();
  const perCode = agreement.getByRole('table', { name: 'Agreement per code' });
  await expect(perCode).toBeVisible();
  // Only casualties was used: the other codes are marked, and the overall figures cover it alone.
  await expect(perCode.getByRole('rowheader', { name: 'rhetoric — not used by either coder' })).toBeVisible();
  await expect(perCode.getByRole('columnheader', { name: 'Brennan–Prediger kappa' })).toBeVisible();
  await expect(perCode.getByRole('columnheader', { name: 'ben only' })).toBeVisible();
  // The confusion table in characters: tester [0,40), ben [10,60) → 30 both.
  const casualtiesRow = perCode.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'casualties', exact: true }) });
  await expect(casualtiesRow.getByRole('cell').nth(7)).toHaveText('30');
  const overall = agreement.getByRole('table', { name: 'Overall agreement' });
  await expect(overall.getByRole('row', { name: /Codes covered/ })).toContainText(`1 of ${codes.length}`);
  await expect(overall.getByRole('rowheader', { name: 'Brennan–Prediger kappa (free-marginal)' })).toBeVisible();
  await agreement.getByRole('button', { name: 'Close' }).click();

  await page.getByRole('listbox', { name: 'Documents', exact: true }).getByRole('option').first().click();
  await page.getByRole('menuitem', { name: 'View' }).click();
  await page.getByRole('menuitem', { name: 'Compare coders' }).click();
  const compare = page.getByRole('region', { name: 'Compare coders' });
  await expect(compare.getByText('Disagreement 1 of 2')).toBeVisible();
  await compare.getByRole('button', { name: 'Next disagreement' }).click();
  await expect(compare.getByText('Disagreement 2 of 2')).toBeVisible();
  await compare.getByRole('radio', { name: /Keep ben/ }).check();
  await compare.getByLabel('Why (kept as a memo)').fill('Ben includes the number.');
  await compare.getByRole('button', { name: 'Settle disagreement' }).click();
  await expect(compare.getByText(/Settled: kept ben/)).toBeVisible();

  const consensus = (await api.call('segments.list', {})).filter((s) => s.coder_name === 'consensus');
  expect(consensus.map((s) => [s.start, s.end, s.memo])).toEqual([[10, 60, expect.stringContaining('Ben includes the number.')]]);

  // The settled copy is the consensus layer: not a third segment of the coders, shown only when chosen.
  await expect(page.getByText(/ · 2 segments · /)).toBeVisible();
  const shown = page.getByRole('combobox', { name: 'Coding shown' });
  await shown.selectOption({ label: 'Consensus layer only' });
  await expect(page.getByText(/ · 1 segment · /)).toBeVisible();
  await shown.selectOption({ label: 'All coders (consensus layer apart)' });
  await expect(page.getByText(/ · 2 segments · /)).toBeVisible();
});

test.describe('compare coders at 1280×720', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('the panel has room, and after a settlement adds the consensus column the text still reads in lines and the form stays on screen', async ({ page, api }) => {
    const [doc] = await api.call('documents.list', {});
    const codes = await api.call('codes.list', {});
    const id = (path: string) => codes.find((c) => c.path === path)!.id;
    await api.call('segments.create', { documentId: doc!.id, codeId: id('casualties'), start: 0, end: 40 });
    await api.call('segments.create', { documentId: doc!.id, codeId: id('rhetoric'), start: 100, end: 160 });
    await api.call('coders.setCurrent', { name: 'ben' });
    await api.call('segments.create', { documentId: doc!.id, codeId: id('casualties'), start: 10, end: 60 });
    await api.call('segments.create', { documentId: doc!.id, codeId: id('attribution'), start: 200, end: 260 });
    await api.call('coders.setCurrent', { name: 'tester' });
    await page.reload();
    await page.getByRole('menuitem', { name: 'View' }).click();
    await page.getByRole('menuitem', { name: 'Compare coders' }).click();
    const compare = page.getByRole('region', { name: 'Compare coders' });
    await compare.getByRole('checkbox', { name: 'ben' }).check();
    await expect(compare.getByText(/^Disagreement 1 of \d+$/)).toBeVisible();
    expect((await compare.boundingBox())!.height).toBeGreaterThanOrEqual(360);
    await shot(page, 'compare-1280x720-before');

    const settle = compare.getByRole('button', { name: 'Settle disagreement' });
    await expect(settle).toBeInViewport({ ratio: 1 });
    await compare.getByRole('radio', { name: /^Keep / }).first().check();
    await compare.getByLabel('Why (kept as a memo)').fill('The opening names the dead.');
    await settle.click();
    await expect(compare.getByText(/^Settled: kept/)).toBeVisible();
    await expect.poll(async () => (await api.call('segments.list', {})).filter((s) => s.coder_name === 'consensus').length).toBe(1);
    await compare.getByRole('button', { name: 'Next disagreement' }).click();
    await shot(page, 'compare-1280x720-after');

    // The paragraphs keep a reading width: at least 30 characters to a line, never a word a line.
    const text = compare.getByRole('document', { name: "Document with each coder's stripes" }).locator('.compare-row p').first();
    const { width, perLine } = await text.evaluate((p) => {
      const range = document.createRange();
      range.selectNodeContents(p);
      const lines = new Set(Array.from(range.getClientRects()).map((x) => Math.round(x.top))).size;
      return { width: p.getBoundingClientRect().width, perLine: (p.textContent ?? '').length / Math.max(1, lines) };
    });
    expect(width).toBeGreaterThanOrEqual(300);
    expect(perLine).toBeGreaterThanOrEqual(30);
    await expect(settle).toBeInViewport({ ratio: 1 });
    await expect(compare.getByLabel('Why (kept as a memo)')).toBeInViewport({ ratio: 1 });
  });
});

test("with three coders the agreement names Light's kappa, gives Fleiss' beside it, and says whose confusion table it shows", async ({ page, api }) => {
  const [doc] = await api.call('documents.list', {});
  const codes = await api.call('codes.list', {});
  const id = (path: string) => codes.find((c) => c.path === path)!.id;
  // tester [0,40), ben [10,60), carl [0,40) on casualties.
  await api.call('segments.create', { documentId: doc!.id, codeId: id('casualties'), start: 0, end: 40 });
  await api.call('coders.setCurrent', { name: 'ben' });
  await api.call('segments.create', { documentId: doc!.id, codeId: id('casualties'), start: 10, end: 60 });
  await api.call('coders.setCurrent', { name: 'carl' });
  await api.call('segments.create', { documentId: doc!.id, codeId: id('casualties'), start: 0, end: 40 });
  await api.call('coders.setCurrent', { name: 'tester' });
  await page.reload();
  await page.getByRole('menuitem', { name: 'View' }).click();
  await page.getByRole('menuitem', { name: 'Intercoder agreement' }).click();
  const agreement = page.getByRole('dialog', { name: 'Intercoder agreement' });
  // The dialog starts with two coders who have coded (ben and carl); tester is the third.
  for (const name of ['ben', 'carl', 'tester']) await agreement.getByRole('checkbox', { name }).check();
  await agreement.getByRole('button', { name: 'Compute agreement' }).click();
  const perCode = agreement.getByRole('table', { name: 'Agreement per code' });
  await expect(perCode).toBeVisible();
  await expect(perCode.locator('caption')).toContainText("Light's kappa (mean of the 3 pairwise Cohen's kappas)");
  // ben [10,60) and carl [0,40) share 30 characters.
  await expect(perCode.locator('caption')).toContainText('of ben and carl (the first two chosen)');
  await expect(perCode.getByRole('columnheader', { name: 'Fleiss’ kappa' })).toBeVisible();
  await expect(perCode.getByRole('rowheader', { name: 'rhetoric — not used by any chosen coder' })).toBeVisible();
  const casualtiesRow = perCode.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'casualties', exact: true }) });
  await expect(casualtiesRow.getByRole('cell').nth(8)).toHaveText('30');
  const overall = agreement.getByRole('table', { name: 'Overall agreement' });
  await expect(overall.getByRole('rowheader', { name: /^Light's kappa/ }).first()).toBeVisible();
  await expect(overall.getByRole('rowheader', { name: 'Fleiss’ kappa' })).toBeVisible();
  await expect(overall.getByRole('row', { name: /Codes covered/ })).toContainText(`1 of ${codes.length}`);
  await shot(page, 'agreement-three-coders');
});

test('in an open reliability round the agreement dialog does not offer the hidden coder, and says who is hidden', async ({ page, api }) => {
  const [doc] = await api.call('documents.list', {});
  const [code] = await api.call('codes.list', {});
  const tester = await api.call('coders.current', {});
  await api.call('segments.create', { documentId: doc!.id, codeId: code!.id, start: 0, end: 40 });
  const ben = await api.call('coders.setCurrent', { name: 'ben' });
  await api.call('segments.create', { documentId: doc!.id, codeId: code!.id, start: 10, end: 60 });
  await api.call('coders.setCurrent', { name: 'carl' });
  await api.call('segments.create', { documentId: doc!.id, codeId: code!.id, start: 0, end: 40 });
  await api.call('coders.setCurrent', { name: 'tester' });
  await api.call('team.rounds.create', { name: 'Pilot', sample: { kind: 'count', value: 2 }, seed: 1, coderIds: [tester.id, ben.id] });
  await page.reload();
  await page.getByRole('menuitem', { name: 'View' }).click();
  await page.getByRole('menuitem', { name: 'Intercoder agreement' }).click();
  const agreement = page.getByRole('dialog', { name: 'Intercoder agreement' });
  const coders = agreement.getByRole('group', { name: 'Coders' });
  await expect(coders.getByRole('note')).toHaveText('Hidden from you while “Pilot” is open: ben.');
  await expect(coders.getByRole('checkbox', { name: 'carl' })).toBeChecked();
  await expect(coders.getByRole('checkbox', { name: 'tester' })).toBeChecked();
  await expect(coders.getByRole('checkbox', { name: 'ben' })).toHaveCount(0);
  await agreement.getByRole('button', { name: 'Compute agreement', exact: true }).click();
  await expect(agreement.getByRole('table', { name: 'Overall agreement' })).toBeVisible();
  await shot(page, 'agreement-in-round');

  // Closing the round from the dialog shows ben again, without reopening it.
  await agreement.getByRole('button', { name: 'Close round Pilot and compute agreement' }).click();
  await expect(coders.getByRole('checkbox', { name: 'ben' })).toBeVisible();
  await expect(coders.getByRole('note')).toHaveCount(0);
  await agreement.getByRole('button', { name: 'Close', exact: true }).click();
  await api.call('team.rounds.create', { name: 'Second', sample: { kind: 'count', value: 2 }, seed: 2, coderIds: [tester.id, ben.id] });

  // Compare coders does not offer ben either: tester and carl coded the same span, so nothing is disputed.
  await page.getByRole('listbox', { name: 'Documents', exact: true }).getByRole('option').first().click();
  await page.getByRole('menuitem', { name: 'View' }).click();
  await page.getByRole('menuitem', { name: 'Compare coders' }).click();
  const compare = page.getByRole('region', { name: 'Compare coders' });
  await expect(compare.getByRole('checkbox', { name: 'carl' })).toBeVisible();
  await expect(compare.getByRole('checkbox', { name: 'ben' })).toHaveCount(0);
  await shot(page, 'compare-in-round');
});
