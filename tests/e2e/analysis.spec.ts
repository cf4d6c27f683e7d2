import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Locator, Page } from '@playwright/test';
import { test, expect, type Api } from './fixtures';
import { Workbench } from './pages/workbench';
import { shot } from './shots';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test.use({ viewport: { width: 1280, height: 720 } });

/** The Analyse menu's dialogs as a user reaches them: by the menu, roles and names. */
class Analyse {
  constructor(readonly page: Page) {}
  async open(item: 'Code co-occurrence…' | 'Crosstabs…' | 'Document sets…'): Promise<Locator> {
    await this.page.getByRole('menubar', { name: 'Main menu' }).getByRole('menuitem', { name: 'Analyse' }).click();
    await this.page.getByRole('menu', { name: 'Analyse' }).getByRole('menuitem', { name: item }).click();
    const title = item.replace('…', '').replace('Code co-occurrence', 'Code co-occurrence');
    const dialog = this.page.getByRole('dialog', { name: title });
    await expect(dialog).toBeVisible();
    return dialog;
  }
  /** The cell of a table by its accessible name's start: "<row> with <column>:" or "<row> in <column>:". */
  cell(dialog: Locator, name: RegExp): Locator {
    return dialog.getByRole('table').getByRole('button', { name });
  }
}

/** Two coders code overlapping passages in the sample; two documents get an outlet. */
/**
 * The workbench loaded and its coder set: the page tells the session who codes when it loads,
 * so coding through the API as ana or ben before that could be taken over by the page's coder.
 */
async function readyWorkbench(page: Page): Promise<Workbench> {
  const wb = new Workbench(page);
  await wb.ready();
  await expect(page.getByRole('button', { name: /^Coder: tester \(switch\)$/ })).toBeVisible();
  return wb;
}

async function codeSample(api: Api) {
  const docs = await api.call('documents.list', {});
  const codes = await api.call('codes.list', {});
  const id = (path: string) => codes.find((c) => c.path === path)!.id;
  await api.call('documents.setAttributes', { id: docs[0]!.id, attributes: { outlet: 'RT' } });
  await api.call('documents.setAttributes', { id: docs[1]!.id, attributes: { outlet: 'RT' } });
  await api.call('coders.setCurrent', { name: 'ana' });
  for (const d of docs.slice(0, 3)) {
    await api.call('segments.create', { documentId: d.id, codeId: id('casualties/death toll'), start: 10, end: 60 });
    await api.call('segments.create', { documentId: d.id, codeId: id('attribution/blames Russia'), start: 40, end: 120 });
    await api.call('segments.create', { documentId: d.id, codeId: id('casualties'), start: 200, end: 260 });
  }
  await api.call('coders.setCurrent', { name: 'ben' });
  await api.call('segments.create', { documentId: docs[0]!.id, codeId: id('casualties/death toll'), start: 15, end: 50 });
  await api.call('segments.create', { documentId: docs[0]!.id, codeId: id('attribution/blames Russia'), start: 30, end: 90 });
  await api.call('coders.setCurrent', { name: 'tester' });
  return { docs, id };
}

test('document sets: made from an attribute value and by hand, shown with their sizes, used as a scope', async ({ page, api }) => {
  const wb = await readyWorkbench(page);
  await codeSample(api);
  const docs = await api.call('documents.list', {});
  const analyse = new Analyse(page);
  const dialog = await analyse.open('Document sets…');
  await dialog.getByRole('textbox', { name: 'New set name' }).fill('RT');
  await dialog.getByRole('radio', { name: 'Documents with an attribute value' }).check();
  await dialog.getByRole('combobox', { name: 'Attribute', exact: true }).selectOption('outlet');
  await dialog.getByRole('combobox', { name: 'Attribute value' }).selectOption('RT');
  await dialog.getByRole('button', { name: 'Make set' }).click();
  await expect(dialog.getByRole('status')).toHaveText('Made “RT” with 2 documents.');
  const sets = await api.call('sets.list', {});
  expect(sets.map((s) => [s.name, s.document_count])).toEqual([['RT', 2]]);
  await expect(dialog.getByRole('table').getByRole('row', { name: /^RT 2/ })).toBeVisible();

  // By hand: a new set from two checked documents, typed into by keyboard.
  await dialog.getByRole('combobox', { name: 'Set to add to' }).selectOption('');
  await dialog.getByRole('textbox', { name: 'New set name' }).fill('Picked');
  await dialog.getByRole('radio', { name: 'Documents I choose' }).check();
  await dialog.getByRole('group', { name: 'Documents to add' }).getByRole('checkbox', { name: docs[3]!.name }).check();
  await dialog.getByRole('group', { name: 'Documents to add' }).getByRole('checkbox', { name: docs[4]!.name }).press('Space');
  await dialog.getByRole('button', { name: 'Make set' }).click();
  await expect(dialog.getByRole('status')).toHaveText('Made “Picked” with 2 documents.');
  await shot(page, 'sets');
  const picked = (await api.call('sets.list', {})).find((s) => s.name === 'Picked')!;
  expect(await api.call('sets.members', { setId: picked.id })).toEqual([docs[3]!.id, docs[4]!.id]);

  // A filter of the document list.
  await dialog.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('combobox', { name: 'Show documents of set' }).selectOption({ label: 'RT (2)' });
  await expect(wb.documents.getByRole('option')).toHaveText([new RegExp(escape(docs[0]!.name)), new RegExp(escape(docs[1]!.name))]);
  await expect(page.getByRole('region', { name: 'Document list' })).toContainText('2 documents');
  await shot(page, 'list-set');
  await page.getByRole('combobox', { name: 'Show documents of set' }).selectOption({ label: 'all documents' });
  await expect(wb.documents.getByRole('option')).toHaveCount(5);

  // A scope of the Export dialog: the documents table of the set RT has its two documents.
  await page.getByRole('menubar', { name: 'Main menu' }).getByRole('menuitem', { name: 'File' }).click();
  await page.getByRole('menu', { name: 'File' }).getByRole('menuitem', { name: 'Export…' }).click();
  const exportDialog = page.getByRole('dialog', { name: 'Export' });
  await exportDialog.getByRole('combobox', { name: 'Format' }).selectOption('documents');
  await expect(exportDialog.getByRole('region', { name: 'Preview' }).getByRole('heading')).toHaveText('Preview: all 5 rows');
  await exportDialog.getByRole('combobox', { name: 'Document set' }).selectOption({ label: 'RT (2)' });
  await expect(exportDialog.getByRole('region', { name: 'Preview' }).getByRole('heading')).toHaveText('Preview: all 2 rows');
  await exportDialog.getByRole('button', { name: 'Close' }).click();

  // A scope of agreement and of retrieval: ana and ben are compared over the two documents of RT only.
  await page.getByRole('menubar', { name: 'Main menu' }).getByRole('menuitem', { name: 'View' }).click();
  await page.getByRole('menu', { name: 'View' }).getByRole('menuitem', { name: 'Intercoder agreement' }).click();
  const agreement = page.getByRole('dialog', { name: 'Intercoder agreement' });
  await agreement.getByRole('combobox', { name: 'Only documents of set' }).selectOption({ label: 'RT (2)' });
  await agreement.getByRole('button', { name: 'Compute agreement' }).click();
  await expect(agreement.getByRole('table', { name: 'Agreement per document' }).getByRole('row')).toHaveCount(3);
  await agreement.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('menubar', { name: 'Main menu' }).getByRole('menuitem', { name: 'View' }).click();
  await page.getByRole('menu', { name: 'View' }).getByRole('menuitem', { name: 'Coded segments' }).click();
  const retrieval = page.getByRole('region', { name: 'Coded segments view' });
  await retrieval.getByRole('combobox', { name: 'Only documents of set' }).selectOption({ label: 'Picked (2)' });
  await expect(retrieval.getByRole('status')).toHaveText('0 segments');
  await retrieval.getByRole('combobox', { name: 'Only documents of set' }).selectOption({ label: 'RT (2)' });
  const inRt = (await api.call('segments.page', { setId: (await api.call('sets.list', {})).find((x) => x.name === 'RT')!.id, limit: 1000 })).total;
  await expect(retrieval.getByRole('status')).toHaveText(`${inRt} segments`);

  // Undoable from the Edit menu like any change.
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await api.call('sets.list', {})).map((s) => s.name)).toEqual(['RT']);
});

test('co-occurrence: the numbers the API computes, a cell drilled down by keyboard to both passages, exported as CSV', async ({ page, api }) => {
  const wb = await readyWorkbench(page);
  const { id } = await codeSample(api);
  const analyse = new Analyse(page);
  const dialog = await analyse.open('Code co-occurrence…');
  const expected = await api.call('analysis.cooccurrence', { unit: 'overlap' });
  const pair = expected.cells.find((c) => [c.a, c.b].sort().join() === [id('casualties/death toll'), id('attribution/blames Russia')].sort().join())!;
  // ana's three documents and ben's one: four overlapping pairs.
  expect(pair.count).toBe(4);
  const cell = analyse.cell(dialog, /^attribution\/blames Russia with casualties\/death toll: 4 \(Jaccard/);
  await expect(cell).toHaveText('4');
  await expect(dialog.getByRole('table')).toContainText('coders: all coders (ana, ben)');
  await expect(dialog.getByRole('columnheader', { name: 'casualties/death toll' })).toBeVisible();
  await shot(page, 'cooccurrence');

  // Keyboard: focus the grid's one tab stop, walk to the cell with the arrows, Enter.
  await dialog.getByRole('table').getByRole('button').first().focus();
  const rows = await dialog.getByRole('table').getByRole('rowheader').allTextContents();
  const cols = await dialog.getByRole('table').getByRole('columnheader').allTextContents();
  const r = rows.indexOf('attribution/blames Russia');
  const c = cols.slice(1).indexOf('casualties/death toll');
  for (let i = 0; i < r; i++) await page.keyboard.press('ArrowDown');
  for (let i = 0; i < c; i++) await page.keyboard.press('ArrowRight');
  await expect(cell).toBeFocused();
  await page.keyboard.press('Enter');
  const passages = dialog.getByRole('region', { name: 'Co-occurring passages' });
  await expect(passages.getByRole('heading')).toHaveText('attribution/blames Russia with casualties/death toll: 4 pairs of overlapping segments');
  await expect(passages.getByRole('listitem')).toHaveCount(4);
  const docs = await api.call('documents.list', {});
  const text = (await api.call('documents.get', { id: docs[0]!.id })).text;
  await expect(passages.getByRole('listitem').first()).toContainText(Array.from(text).slice(40, 120).join('').trim().slice(0, 30));
  await shot(page, 'cooccurrence-passages');

  // Another unit and one coder: the table follows.
  await dialog.getByRole('combobox', { name: 'Co-occur when' }).selectOption('document');
  await dialog.getByRole('combobox', { name: 'Coders' }).selectOption('ben');
  await expect(analyse.cell(dialog, /^attribution\/blames Russia with casualties\/death toll: 1 /)).toBeVisible();

  const download = page.waitForEvent('download');
  await dialog.getByRole('button', { name: 'Export CSV' }).click();
  const file = await (await download).path();
  const rowsCsv = parse(readFileSync(file!, 'utf8'), { columns: true }) as Record<string, string>[];
  const api1 = await api.call('analysis.cooccurrence', { unit: 'document', filter: { coders: ['ben'] } });
  expect(rowsCsv.map((x) => [x.code_a_id, x.code_b_id, Number(x.count)])).toEqual(api1.cells.map((x) => [x.a, x.b, x.count]));

  // Opening a passage closes the dialog and shows its document.
  await dialog.getByRole('combobox', { name: 'Co-occur when' }).selectOption('overlap');
  await analyse.cell(dialog, /^attribution\/blames Russia with casualties\/death toll: 1 /).click();
  await passages.getByRole('button', { name: 'Open' }).first().click();
  await expect(dialog).toBeHidden();
  await expect(wb.document.getByRole('heading', { name: docs[0]!.name, exact: true })).toBeVisible();
});

test('crosstabs: codes × outlet and × documents as the matrix export counts them, drill-down and CSV with row percentages', async ({ page, api }) => {
  const wb = await readyWorkbench(page);
  const { id } = await codeSample(api);
  const analyse = new Analyse(page);
  const dialog = await analyse.open('Crosstabs…');
  await dialog.getByRole('combobox', { name: 'Coders' }).selectOption('ana');
  await dialog.getByRole('combobox', { name: 'Columns' }).selectOption('outlet');
  const t = await api.call('analysis.crosstab', { by: { kind: 'attribute', name: 'outlet' }, filter: { coders: ['ana'] } });
  const row = t.codes.findIndex((c) => c.id === id('casualties/death toll'));
  const col = t.columns.findIndex((c) => c.value === 'RT');
  expect(t.cells[row]![col]).toBe(2);
  await expect(analyse.cell(dialog, /^casualties\/death toll in RT: 2$/)).toBeVisible();
  await expect(dialog.getByRole('columnheader', { name: '(no value)' })).toBeVisible();
  await shot(page, 'crosstab-outlet');

  await analyse.cell(dialog, /^casualties\/death toll in RT: 2$/).click();
  const segs = dialog.getByRole('region', { name: 'Coded segments of the cell' });
  await expect(segs.getByRole('heading')).toHaveText('casualties/death toll in RT: 2 segments');
  await expect(segs.getByRole('listitem')).toHaveCount(2);

  await dialog.getByRole('combobox', { name: 'Percent' }).selectOption('row');
  await expect(analyse.cell(dialog, /^casualties\/death toll in RT: 66\.7%$/)).toBeVisible();
  const download = page.waitForEvent('download');
  await dialog.getByRole('button', { name: 'Export CSV' }).click();
  const rows = parse(readFileSync((await (await download).path())!, 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
  expect(rows.find((r) => r.code_path === 'casualties/death toll')!.RT).toBe('66.7');

  // Codes × documents: the matrix export's columns, the cell named after the document.
  await dialog.getByRole('combobox', { name: 'Percent' }).selectOption('none');
  await dialog.getByRole('combobox', { name: 'Columns' }).selectOption('document');
  await dialog.getByRole('combobox', { name: 'Cells' }).selectOption('presence');
  const docs = await api.call('documents.list', {});
  const matrix = parse(Buffer.from((await api.call('exchange.export', { format: 'matrix', measure: 'presence', filter: { coders: ['ana'] } })).dataBase64, 'base64').toString('utf8'), {
    columns: true,
  }) as Record<string, string>[];
  for (const d of docs) {
    const value = matrix.find((m) => m.document_id === d.id)!['casualties/death toll'];
    await expect(analyse.cell(dialog, new RegExp(`^casualties/death toll in ${escape(d.name)}: ${value}$`))).toBeVisible();
  }
  await shot(page, 'crosstab-documents');
});
