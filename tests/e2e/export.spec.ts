import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { unzipSync, strFromU8 } from 'fflate';
import type { Locator, Page } from '@playwright/test';
import { test, expect, type Api } from './fixtures';
import { Workbench } from './pages/workbench';
import { shot } from './shots';

const EMOJI_TEXT = 'Intro 😀 with 🎉🎉 before the passage.\nThe 💥 strike killed 17 people at the market, witnesses said.\n🕊️ After: calm — 👩‍👩‍👧 family.';
const NVIVO_SAMPLE = resolve(__dirname, '../../../shared/refi-qda/vendor-samples/nvivo-mac-15.qdpx');

/** Code point offsets of the first occurrence of `words`. */
function span(text: string, words: string): { start: number; end: number } {
  const at = text.indexOf(words);
  if (at < 0) throw new Error(`"${words}" is not in the text`);
  const start = Array.from(text.slice(0, at)).length;
  return { start, end: start + Array.from(words).length };
}

const cpSlice = (text: string, start: number, end: number) => Array.from(text).slice(start, end).join('');

async function importEmoji(api: Api): Promise<{ id: string; text: string }> {
  await api.call('import.files', { files: [{ name: 'emoji.txt', dataBase64: Buffer.from(EMOJI_TEXT).toString('base64') }] });
  const doc = (await api.call('documents.list', {})).find((d) => d.name === 'emoji')!;
  return { id: doc.id, text: (await api.call('documents.get', { id: doc.id })).text };
}

/** Codes a few passages as two coders: alice in the emoji document and the first sample document, bob in both too. */
async function codeAsTwoCoders(api: Api) {
  const emoji = await importEmoji(api);
  const docs = await api.call('documents.list', {});
  const other = docs.find((d) => d.id !== emoji.id)!;
  const otherText = (await api.call('documents.get', { id: other.id })).text;
  const codes = await api.call('codes.list', {});
  const child = codes.find((c) => c.parent_id)!;
  const parent = codes.find((c) => c.id === child.parent_id)!;
  const unrelated = codes.find((c) => c.id !== child.id && c.id !== parent.id && c.parent_id !== parent.id && !codes.some((x) => x.parent_id === c.id))!;

  await api.call('coders.setCurrent', { name: 'alice' });
  await api.call('segments.create', { documentId: emoji.id, codeId: child.id, ...span(emoji.text, 'killed 17 people') });
  await api.call('segments.create', { documentId: emoji.id, codeId: unrelated.id, ...span(emoji.text, '💥 strike'), memo: '=HYPERLINK("http://x.example","click")' });
  await api.call('segments.create', { documentId: other.id, codeId: parent.id, ...span(otherText, otherText.slice(0, 20).trim()) });
  await api.call('coders.setCurrent', { name: 'bob' });
  await api.call('segments.create', { documentId: emoji.id, codeId: parent.id, ...span(emoji.text, '🕊️ After: calm — 👩‍👩‍👧 family') });
  await api.call('segments.create', { documentId: other.id, codeId: unrelated.id, ...span(otherText, otherText.slice(0, 30).trim()) });
  await api.call('coders.setCurrent', { name: 'tester' });
  return { emoji, other, child, parent, unrelated };
}

async function openExport(page: Page): Promise<Locator> {
  const wb = new Workbench(page);
  await wb.ready();
  await wb.menu('File', 'Export…');
  const dialog = page.getByRole('dialog', { name: 'Export' });
  await expect(dialog).toBeVisible();
  return dialog;
}

async function save(page: Page, dialog: Locator): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Save export' }).click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), bytes: readFileSync(path) };
}

const csv = (bytes: Buffer, delimiter = ','): string[][] => parse(bytes.toString('utf8'), { delimiter, bom: true, relax_column_count: false });

test.describe('export', () => {
  test('segments table filtered by one coder: preview, then the saved CSV matches the database', async ({ page, api }) => {
    const { emoji } = await codeAsTwoCoders(api);
    await page.reload();
    const dialog = await openExport(page);
    await dialog.getByRole('combobox', { name: 'Format' }).selectOption('segments');
    await dialog.getByRole('group', { name: 'Coders' }).getByRole('checkbox', { name: 'alice', exact: true }).check();

    const preview = dialog.getByRole('region', { name: 'Preview' });
    await expect(preview.getByRole('row')).toHaveCount(1 + 3);
    await expect(preview.getByRole('heading')).toHaveText('Preview: all 3 rows');
    const headers = await preview.getByRole('columnheader').allTextContents();
    for (const c of ['segment_id', 'document_name', 'code_path', 'coder', 'start', 'end', 'text']) expect(headers).toContain(c);
    await expect(preview.getByRole('cell', { name: 'killed 17 people', exact: true })).toBeVisible();
    await expect(preview.getByRole('cell', { name: 'bob', exact: true })).toHaveCount(0);
    await shot(page, 'export-preview');

    const file = await save(page, dialog);
    expect(file.name).toMatch(/segments\.csv$/);
    expect(file.bytes.subarray(0, 3).toString('hex')).not.toBe('efbbbf');
    const [header, ...rows] = csv(file.bytes);
    expect(header).toEqual(headers);
    const alice = (await api.call('coders.list', {})).find((c) => c.name === 'alice')!;
    const inDb = await api.call('segments.list', { coderIds: [alice.id] });
    expect(rows).toHaveLength(inDb.length);
    expect(rows).toHaveLength(3);
    const col = (n: string) => header!.indexOf(n);
    const texts = new Map<string, string>();
    for (const row of rows) {
      expect(row[col('coder')]).toBe('alice');
      const docId = row[col('document_id')]!;
      if (!texts.has(docId)) texts.set(docId, (await api.call('documents.get', { id: docId })).text);
      const seg = inDb.find((s) => s.id === row[col('segment_id')])!;
      expect(seg).toBeTruthy();
      expect(Number(row[col('start')])).toBe(seg.start);
      expect(Number(row[col('end')])).toBe(seg.end);
      expect(row[col('text')]).toBe(cpSlice(texts.get(docId)!, seg.start, seg.end));
    }
    // The emoji passages come through whole, not cut in a surrogate pair.
    expect(rows.filter((r) => r[col('document_id')] === emoji.id).map((r) => r[col('text')])).toEqual(['💥 strike', 'killed 17 people']);
    await expect(dialog.getByText(/^Saved .*segments\.csv/)).toBeVisible();
  });

  test('matrix with presence and subcodes rolled up into their parents', async ({ page, api }) => {
    await codeAsTwoCoders(api);
    await page.reload();
    const dialog = await openExport(page);
    await dialog.getByRole('combobox', { name: 'Format' }).selectOption('matrix');
    await dialog.getByRole('combobox', { name: 'Cell value' }).selectOption('presence');
    await dialog.getByRole('checkbox', { name: 'Roll subcodes up into their parents' }).check();
    const preview = dialog.getByRole('region', { name: 'Preview' });
    await expect(preview.getByRole('columnheader', { name: 'document_name', exact: true })).toBeVisible();
    // Two coders have coded: the matrix says so and counts each apart, never their sum.
    await expect(dialog.getByRole('status', { name: 'Coder scope' })).toHaveText('Coders: all coders (alice, bob), each counted apart.');
    await expect(preview.getByRole('columnheader', { name: 'coder', exact: true })).toBeVisible();

    const file = await save(page, dialog);
    expect(file.name).toMatch(/matrix\.csv$/);
    await expect(dialog.getByText(/^Saved .*matrix\.csv .*; coders: all coders \(alice, bob\), each counted apart\.$/)).toBeVisible();
    const [header, ...rows] = csv(file.bytes);
    const codes = await api.call('codes.list', {});
    const segs = await api.call('segments.list', {});
    const docs = await api.call('documents.list', {});
    expect(rows).toHaveLength(docs.length * 2);
    const ancestors = (id: string): string[] => {
      const out: string[] = [];
      for (let c = codes.find((x) => x.id === id); c; c = codes.find((x) => x.id === c!.parent_id)) out.push(c.id);
      return out;
    };
    let ones = 0;
    for (const row of rows) {
      const docId = row[header!.indexOf('document_id')]!;
      const coder = row[header!.indexOf('coder')]!;
      for (const c of codes) {
        const expected = segs.some((s) => s.document_id === docId && s.coder_name === coder && ancestors(s.code_id).includes(c.id)) ? '1' : '0';
        expect(row[header!.indexOf(c.path)], `${c.path} in ${row[header!.indexOf('document_name')]}`).toBe(expected);
        if (expected === '1') ones++;
      }
    }
    expect(ones).toBeGreaterThanOrEqual(5);
  });

  test('Excel option: byte order mark and semicolons; a formula-like memo is neutralised unless raw values', async ({ page, api }) => {
    await codeAsTwoCoders(api);
    await page.reload();
    const dialog = await openExport(page);
    await dialog.getByRole('combobox', { name: 'Format' }).selectOption('memos');
    await dialog.getByRole('combobox', { name: 'Delimiter' }).selectOption('semicolon');
    await dialog.getByRole('checkbox', { name: /For Excel/ }).check();
    const preview = dialog.getByRole('region', { name: 'Preview' });
    await expect(preview.getByRole('columnheader', { name: 'text', exact: true })).toBeVisible();

    const file = await save(page, dialog);
    expect(file.bytes.subarray(0, 3).toString('hex')).toBe('efbbbf');
    const firstLine = file.bytes.toString('utf8').slice(1).split('\r\n')[0]!;
    expect(firstLine.split(';')).toContain('text');
    expect(firstLine).not.toContain(',');
    const [header, ...rows] = csv(file.bytes, ';');
    const memo = rows.map((r) => r[header!.indexOf('text')]).find((t) => t!.includes('HYPERLINK'));
    expect(memo).toBe('\'=HYPERLINK("http://x.example","click")');

    await dialog.getByRole('checkbox', { name: /Raw values/ }).check();
    const raw = await save(page, dialog);
    const [rh, ...rr] = csv(raw.bytes, ';');
    expect(rr.map((r) => r[rh!.indexOf('text')]).find((t) => t!.includes('HYPERLINK'))).toBe('=HYPERLINK("http://x.example","click")');
  });

  test('the dataset bundle holds datapackage.json, every table and README.txt', async ({ page, api }) => {
    await codeAsTwoCoders(api);
    await page.reload();
    const dialog = await openExport(page);
    await dialog.getByRole('combobox', { name: 'Format' }).selectOption('bundle');
    const file = await save(page, dialog);
    expect(file.name).toMatch(/\.zip$/);
    const entries = unzipSync(new Uint8Array(file.bytes));
    expect(Object.keys(entries).sort()).toEqual(['README.txt', 'codebook.csv', 'datapackage.json', 'documents.csv', 'matrix.csv', 'memos.csv', 'segments.csv']);
    const pkg = JSON.parse(strFromU8(entries['datapackage.json']!)) as { resources: Array<{ path: string; schema: { fields: Array<{ name: string }> } }> };
    expect(pkg.resources.map((r) => r.path).sort()).toEqual(['codebook.csv', 'documents.csv', 'matrix.csv', 'memos.csv', 'segments.csv']);
    // Every table's header is the one its schema describes.
    for (const res of pkg.resources) {
      const [header] = csv(Buffer.from(entries[res.path]!));
      expect(header, res.path).toEqual(res.schema.fields.map((f) => f.name));
    }
    const segments = csv(Buffer.from(entries['segments.csv']!));
    expect(segments.length - 1).toBe((await api.call('segments.list', {})).length);
    expect(strFromU8(entries['README.txt']!)).toContain('segments.csv');
  });

  test('REFI-QDA: a .qdpx export imported back matches what is there and doubles nothing', async ({ page, api }) => {
    await codeAsTwoCoders(api);
    await page.reload();
    const dialog = await openExport(page);
    await dialog.getByRole('combobox', { name: 'Format' }).selectOption('qdpx');
    await expect(dialog.getByRole('region', { name: 'Preview' })).toHaveCount(0);
    const file = await save(page, dialog);
    expect(file.name).toMatch(/\.qdpx$/);
    expect(Object.keys(unzipSync(new Uint8Array(file.bytes)))).toContain('project.qde');
    await dialog.getByRole('button', { name: 'Close' }).click();

    const before = {
      documents: (await api.call('documents.list', {})).length,
      codes: (await api.call('codes.list', {})).length,
      segments: (await api.call('segments.list', {})).length,
      coders: (await api.call('coders.list', {})).length,
    };
    const wb = new Workbench(page);
    await wb.menu('File', 'Import REFI-QDA…');
    const importer = page.getByRole('dialog', { name: /Import REFI-QDA/ });
    await importer.getByLabel('REFI-QDA file').setInputFiles({ name: file.name, mimeType: 'application/zip', buffer: file.bytes });
    await importer.getByRole('button', { name: 'Import', exact: true }).click();
    const report = importer.getByRole('region', { name: 'Import report' });
    await expect(report).toBeVisible();
    await expect(report).toContainText('Nothing new was imported.');
    await expect(report).toContainText(`Already in the project, so matched rather than added: ${before.documents} documents, ${before.codes} codes and ${before.coders} coders.`);
    await expect(report.getByRole('list', { name: 'Not imported' })).toContainText('coding already in the project');
    await shot(page, 'refi-roundtrip');
    expect((await api.call('documents.list', {})).length).toBe(before.documents);
    expect((await api.call('codes.list', {})).length).toBe(before.codes);
    expect((await api.call('segments.list', {})).length).toBe(before.segments);
    expect((await api.call('coders.list', {})).length).toBe(before.coders);
  });

  test('REFI-QDA for NVivo: positions in UTF-16 units, and the import says how it read them', async ({ page, api }) => {
    const { emoji } = await codeAsTwoCoders(api);
    await page.reload();
    const dialog = await openExport(page);
    await dialog.getByRole('combobox', { name: 'Format' }).selectOption('qdpx');
    await dialog.getByRole('combobox', { name: 'Program' }).selectOption('nvivo');
    const file = await save(page, dialog);
    const qde = strFromU8(unzipSync(new Uint8Array(file.bytes))['project.qde']!);
    expect(qde).toContain('for NVivo (positions in UTF-16 units)');
    // "killed 17 people" after two emoji and a 💥: its UTF-16 start is past its code point start.
    const killed = span(emoji.text, 'killed 17 people');
    const units = emoji.text.indexOf('killed 17 people');
    expect(units).toBeGreaterThan(killed.start);
    expect(qde).toContain(`startPosition="${units}" endPosition="${units + 'killed 17 people'.length}"`);
    await dialog.getByRole('button', { name: 'Close' }).click();

    const wb = new Workbench(page);
    await wb.menu('File', 'Import REFI-QDA…');
    const importer = page.getByRole('dialog', { name: /Import REFI-QDA/ });
    await importer.getByLabel('REFI-QDA file').setInputFiles({ name: 'for-nvivo.qdpx', mimeType: 'application/zip', buffer: file.bytes });
    await importer.getByRole('button', { name: 'Import', exact: true }).click();
    const report = importer.getByRole('region', { name: 'Import report' });
    await expect(report).toContainText('Positions converted from UTF-16 units, as NVivo writes them.');
    // Read back as UTF-16 units, every coding is the one already here.
    await expect(report).toContainText('Nothing new was imported.');
    await expect(report.getByRole('list', { name: 'Not imported' })).toContainText('coding already in the project');
  });

  test('REFI-QDA: an NVivo project shows what came in and what was dropped; its codes appear in the tree', async ({ page, api }) => {
    const wb = new Workbench(page);
    await wb.ready();
    const codesBefore = new Set((await api.call('codes.list', {})).map((c) => c.path));
    await wb.menu('File', 'Import REFI-QDA…');
    const importer = page.getByRole('dialog', { name: /Import REFI-QDA/ });
    await importer.getByLabel('REFI-QDA file').setInputFiles(NVIVO_SAMPLE);
    await importer.getByRole('button', { name: 'Import', exact: true }).click();
    const report = importer.getByRole('region', { name: 'Import report' });
    await expect(report).toBeVisible();
    await expect(report).toContainText(/NVivo/);
    const added = (await api.call('codes.list', {})).filter((c) => !codesBefore.has(c.path));
    expect(added.length).toBeGreaterThan(0);
    await expect(report).toContainText(`Imported ${added.length} codes and 2 coders.`);
    await expect(importer.getByRole('button', { name: 'Import', exact: true })).toHaveCount(0);
    await expect(report.getByRole('list', { name: 'Not imported' })).toBeVisible();
    await shot(page, 'refi-nvivo');
    await importer.getByRole('button', { name: 'Done' }).click();
    await expect(importer).toHaveCount(0);
    for (const c of added.filter((x) => x.depth === 0).slice(0, 3)) await expect(wb.code(c.name)).toBeVisible();
  });
});
