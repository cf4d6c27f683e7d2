import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strToU8 } from 'fflate';
import { openTestProject } from '../helpers/project';
import { makeDocx, makePdf, makeXlsx } from '../fixtures/import/make-fixtures';
import { importPaths } from '../../main/core/import/import-files';
import { main } from '../../main/cli/index';

const b64 = (bytes: Uint8Array | string) => Buffer.from(typeof bytes === 'string' ? strToU8(bytes) : bytes).toString('base64');
const file = (name: string, bytes: Uint8Array | string) => ({ name, dataBase64: b64(bytes) });

/** A zip whose directory claims an entry of 300 MB, as a zip bomb's does. */
function zipBomb(): Uint8Array {
  const zip = makeDocx(['tiny']);
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  for (let i = 0; i + 46 <= zip.length; i++) {
    if (view.getUint32(i, true) === 0x02014b50) view.setUint32(i + 24, 300 * 1024 * 1024, true);
  }
  return zip;
}

describe('a batch of files', () => {
  it('imports the good files and lists every bad one with a reason, without stopping', async () => {
    const t = await openTestProject();
    try {
      const corrupt = makeDocx(['x']).slice(0, 60);
      const report = await t.call('import.files', {
        files: [
          file('a.txt', 'First article.'),
          file('broken.docx', corrupt),
          file('empty.txt', ''),
          file('blank.txt', '   \n  '),
          file('scan.pdf', makePdf([null, null])),
          file('image.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 1])),
          file('bomb.docx', zipBomb()),
          file('b.txt', 'Second article.'),
        ],
      });
      const byFile = Object.fromEntries(report.outcomes.map((o) => [o.file, o]));
      expect(report.outcomes.map((o) => o.status)).toEqual(['imported', 'failed', 'failed', 'failed', 'failed', 'failed', 'failed', 'imported']);
      expect(byFile['broken.docx']).toMatchObject({ reason: expect.stringMatching(/not a valid Word document.*damaged/) });
      expect(byFile['empty.txt']).toMatchObject({ reason: 'the file is empty.' });
      expect(byFile['blank.txt']).toMatchObject({ reason: 'has no text in it.' });
      expect(byFile['scan.pdf']).toMatchObject({ reason: expect.stringMatching(/^needs OCR/) });
      expect(byFile['image.png']).toMatchObject({ reason: expect.stringMatching(/\.png files are not a format/) });
      expect(byFile['bomb.docx']).toMatchObject({ reason: expect.stringMatching(/expands to 900 MB in 3 parts.*zip bomb/) });
      expect((await t.call('documents.list', {})).map((d) => d.name)).toEqual(['a', 'b']);
    } finally {
      await t.close();
    }
  });

  it('skips a document whose text is already in the project and names the one it duplicates', async () => {
    const t = await openTestProject();
    try {
      await t.call('import.files', { files: [file('original.txt', 'Same text.\n')] });
      const report = await t.call('import.files', { files: [file('copy.txt', 'Same text.\r\n'), file('copy2.md', '\uFEFFSame text.\n'), file('other.txt', 'Different.')] });
      const original = (await t.call('documents.list', {})).find((d) => d.name === 'original')!;
      expect(report.outcomes.slice(0, 2)).toEqual([
        { file: 'copy.txt', status: 'duplicate', duplicateOf: { id: original.id, name: 'original' } },
        { file: 'copy2.md', status: 'duplicate', duplicateOf: { id: original.id, name: 'original' } },
      ]);
      expect(report).toMatchObject({ imported: 1, duplicates: 2, failed: 0 });
      expect(await t.call('documents.list', {})).toHaveLength(2);
    } finally {
      await t.close();
    }
  });

  it('imports folders recursively; a file name never becomes a path', async () => {
    const t = await openTestProject();
    try {
      const root = join(t.dir, 'in');
      mkdirSync(join(root, 'sub', 'deeper'), { recursive: true });
      writeFileSync(join(root, 'one.txt'), 'One.');
      writeFileSync(join(root, 'sub', 'two.html'), '<title>Two</title><p>Two.</p>');
      writeFileSync(join(root, 'sub', 'deeper', 'three.docx'), makeDocx(['Three.']));
      writeFileSync(join(root, '.hidden.txt'), 'hidden');
      const report = await importPaths(t.project, [root], { importedBy: null });
      expect(report.outcomes.map((o) => [o.file, o.status])).toEqual([
        ['in/one.txt', 'imported'],
        ['in/sub/deeper/three.docx', 'imported'],
        ['in/sub/two.html', 'imported'],
      ]);
      const evil = await t.call('import.files', { files: [file('../../etc/passwd.txt', 'not a path'), file('C:\\Windows\\x.txt', 'nor this')] });
      expect(evil.outcomes.map((o) => (o.status === 'imported' ? o.name : o.status))).toEqual(['passwd', 'x']);
    } finally {
      await t.close();
    }
  });

  it('writes documents in batches but each import is undoable', async () => {
    const t = await openTestProject();
    try {
      await t.call('import.files', { files: [file('a.txt', 'A.'), file('b.txt', 'B.')] });
      expect(await t.call('documents.list', {})).toHaveLength(2);
      await t.call('project.undo', {});
      expect(await t.call('documents.list', {})).toHaveLength(0);
    } finally {
      await t.close();
    }
  });
});

describe('import as a job the UI polls', () => {
  it('reports progress, takes files in parts, and cancelling keeps what was imported', async () => {
    const t = await openTestProject();
    try {
      const first = Array.from({ length: 5 }, (_, i) => file(`part1-${i}.txt`, `Article ${i} of part one.`));
      let p = await t.call('import.start', { files: first, more: true });
      expect(p).toMatchObject({ total: 5, finished: false });
      p = await t.call('import.add', { jobId: p.jobId, files: [file('part2.txt', 'Part two.')], more: false });
      expect(p.total).toBe(6);
      while (!(p = await t.call('import.progress', { jobId: p.jobId })).finished) await new Promise((r) => setTimeout(r, 5));
      const report = await t.call('import.finish', { jobId: p.jobId });
      expect(report).toMatchObject({ imported: 6, failed: 0, cancelled: false });
      expect((await t.callRaw('import.progress', { jobId: p.jobId })).ok).toBe(false);

      // Cancel a large job right after it starts: what went in stays, the rest is counted as not read.
      const many = Array.from({ length: 400 }, (_, i) => file(`bulk-${i}.txt`, `Bulk article number ${i}.`));
      const job = await t.call('import.start', { files: many, more: true });
      await t.call('import.cancel', { jobId: job.jobId });
      let q = job;
      while (!(q = await t.call('import.progress', { jobId: job.jobId })).finished) await new Promise((r) => setTimeout(r, 5));
      const cancelled = await t.call('import.finish', { jobId: job.jobId });
      expect(cancelled.cancelled).toBe(true);
      expect(cancelled.imported + cancelled.notRead).toBe(400);
      expect(cancelled.notRead).toBeGreaterThan(0);
      const docs = await t.call('documents.list', {});
      expect(docs).toHaveLength(6 + cancelled.imported);
      for (const o of cancelled.outcomes) expect(o.status).toBe('imported');
    } finally {
      await t.close();
    }
  });
});

describe('spreadsheets of articles', () => {
  const csv = [
    'headline,body,published,outlet,words,paywalled',
    '"Market hit","Sixteen people were killed, officials said.",12.09.2023,Kyiv Independent,812,no',
    'Second,"Another ""quoted"" article.",2023-09-07,Reuters,430,yes',
    'Bad date,This row has a date that is not one.,31.02.2023,AP,100,no',
    'No text,,2023-09-08,AP,1,no',
  ].join('\r\n');

  it('previews columns with detected types and suggests a mapping', async () => {
    const t = await openTestProject();
    try {
      const preview = await t.call('import.preview', { file: file('articles.csv', csv) });
      expect(preview.columns.map((c) => c.name)).toEqual(['headline', 'body', 'published', 'outlet', 'words', 'paywalled']);
      expect(preview.rowCount).toBe(4);
      expect(preview.rows[1]).toEqual(['Second', 'Another "quoted" article.', '2023-09-07', 'Reuters', '430', 'yes']);
      expect(preview.suggested).toMatchObject({ textColumn: 'body', nameColumn: 'headline' });
      expect(preview.columns.find((c) => c.name === 'words')?.detectedType).toBe('number');
    } finally {
      await t.close();
    }
  });

  it('imports one document per row with typed attributes, reporting a bad date by row and column', async () => {
    const t = await openTestProject();
    try {
      const report = await t.call('import.files', {
        files: [file('articles.csv', csv)],
        mapping: {
          textColumn: 'body',
          nameColumn: 'headline',
          attributes: [
            { column: 'published', type: 'date' },
            { column: 'outlet', type: 'text' },
            { column: 'words', type: 'number' },
            { column: 'paywalled', type: 'boolean' },
          ],
        },
      });
      expect(report.outcomes.map((o) => [o.row, o.status])).toEqual([
        [2, 'imported'],
        [3, 'imported'],
        [4, 'failed'],
        [5, 'failed'],
      ]);
      expect(report.outcomes[2]).toMatchObject({ file: 'articles.csv', reason: expect.stringMatching(/^row 4, column "published": "31\.02\.2023" is not a date/) });
      expect(report.outcomes[3]).toMatchObject({ reason: 'row 5: the text column "body" is empty.' });
      const docs = await t.call('documents.list', {});
      expect(docs.map((d) => [d.name, d.attributes])).toEqual([
        ['Market hit', { published: '2023-09-12', outlet: 'Kyiv Independent', words: 812, paywalled: false }],
        ['Second', { published: '2023-09-07', outlet: 'Reuters', words: 430, paywalled: true }],
      ]);
      expect((await t.call('documents.get', { id: docs[1]!.id })).text).toBe('Another "quoted" article.');
      expect((await t.call('variables.list', {})).map((v) => [v.name, v.type])).toEqual([
        ['published', 'date'],
        ['outlet', 'text'],
        ['words', 'number'],
        ['paywalled', 'boolean'],
      ]);
    } finally {
      await t.close();
    }
  });

  it('names a missing column and lists the ones there are', async () => {
    const t = await openTestProject();
    try {
      const report = await t.call('import.files', { files: [file('articles.csv', csv)], mapping: { textColumn: 'content' } });
      expect(report.outcomes).toEqual([
        { file: 'articles.csv', status: 'failed', reason: 'has no column "content" for the text; its columns are "headline", "body", "published", "outlet", "words", "paywalled".' },
      ]);
    } finally {
      await t.close();
    }
  });

  it('reads .tsv, .xlsx and .jsonl the same way', async () => {
    const t = await openTestProject();
    try {
      const tsv = 'title\ttext\tdate\nTSV one\tText from a TSV.\t03/25/2022\n';
      const xlsx = makeXlsx([
        ['title', 'text', 'date'],
        ['XLSX one', 'Text from Excel.', '12 March 2022'],
      ]);
      const jsonl = '{"title":"JSON one","text":"Text from JSON lines.","date":"March 1, 2022"}\n\n{not json}\n';
      const mapping = { textColumn: 'text', nameColumn: 'title', attributes: [{ column: 'date', type: 'date' as const }] };
      const report = await t.call('import.files', { files: [file('a.tsv', tsv), file('b.xlsx', xlsx), file('c.jsonl', jsonl)], mapping });
      expect(report.outcomes.map((o) => [o.file, o.row, o.status])).toEqual([
        ['a.tsv', 2, 'imported'],
        ['b.xlsx', 2, 'imported'],
        ['c.jsonl', 1, 'imported'],
        ['c.jsonl', 3, 'failed'],
      ]);
      const docs = await t.call('documents.list', {});
      expect(docs.map((d) => [d.name, d.attributes.date])).toEqual([
        ['TSV one', '2022-03-25'],
        ['XLSX one', '2022-03-12'],
        ['JSON one', '2022-03-01'],
      ]);
    } finally {
      await t.close();
    }
  });
});

describe('attributes in bulk from a CSV keyed by document name', () => {
  it('sets typed attributes, leaves blanks alone, and parses day-first dates, and reports an unknown document by row', async () => {
    const t = await openTestProject();
    try {
      await t.call('import.files', { files: [file('Alpha.txt', 'Alpha text.'), file('Beta.txt', 'Beta text.')] });
      await t.call('documents.setAttributes', { id: (await t.call('documents.list', {}))[1]!.id, attributes: { outlet: 'Kept' } });
      const sheet = 'document,outlet,published,words\nalpha,BBC,2023-01-02,10\nBeta,,02.01.2023,20\nGamma,CNN,2023-01-03,5\n';
      const report = await t.call('attributes.import', { file: file('attrs.csv', sheet) });
      expect(report.updated).toBe(2);
      expect(report.attributes).toEqual([
        { name: 'outlet', type: 'text' },
        { name: 'published', type: 'date' },
        { name: 'words', type: 'number' },
      ]);
      expect(report.failed).toEqual([{ row: 4, reason: 'row 4: no document is named "Gamma"; check the spelling against the document list.' }]);
      const docs = await t.call('documents.list', {});
      expect(docs.map((d) => d.attributes)).toEqual([
        { outlet: 'BBC', published: '2023-01-02', words: 10 },
        { outlet: 'Kept', published: '2023-01-02', words: 20 },
      ]);
    } finally {
      await t.close();
    }
  });

  it('parses dates into an existing date attribute and names the row and column of a bad one', async () => {
    const t = await openTestProject();
    try {
      await t.call('import.files', { files: [file('Alpha.txt', 'Alpha text.')] });
      const id = (await t.call('documents.list', {}))[0]!.id;
      await t.call('documents.setAttributes', { id, attributes: { published: '2020-01-01' }, types: { published: 'date' } });
      const report = await t.call('attributes.import', { file: file('attrs.csv', 'name,published\nAlpha,31.02.2023\n') });
      expect(report.failed).toEqual([{ row: 2, reason: 'row 2, column "published": "31.02.2023" is not a date in the form YYYY-MM-DD.' }]);
      const ok = await t.call('attributes.import', { file: file('attrs.csv', 'name,published\nAlpha,March 3 2023\n') });
      expect(ok.updated).toBe(1);
      expect((await t.call('documents.list', {}))[0]!.attributes).toEqual({ published: '2023-03-03' });
    } finally {
      await t.close();
    }
  });
});

describe('the command line', () => {
  it('imports with a column mapping, prints every outcome, and exits 1 when any failed', async () => {
    const t = await openTestProject();
    try {
      const path = t.path;
      await t.session.setProject(null);
      const dir = join(t.dir, 'cli');
      mkdirSync(dir);
      writeFileSync(join(dir, 'articles.csv'), 'headline;body;date\nOne;First body.;2023-01-02\nTwo;Second body.;yesterday\n');
      writeFileSync(join(dir, 'note.txt'), 'A note.');
      const out: string[] = [];
      const err: string[] = [];
      const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
      const code = await main(['import', path, dir, '--text-column', 'body', '--name-column', 'headline', '--attribute', 'date:date', '--coder', 'cli'], io);
      expect(code).toBe(1);
      expect(out).toContain('imported   cli/articles.csv row 2 as "One"');
      expect(err).toEqual(['failed     cli/articles.csv row 3: row 3, column "date": "yesterday" is not a date; write it as YYYY-MM-DD (or 12 March 2022, 12.03.2022, 03/12/2022).']);
      expect(out.at(-1)).toBe('2 imported, 0 duplicates, 1 failed.');

      const again: string[] = [];
      expect(await main(['import', path, join(dir, 'note.txt')], { out: (l) => again.push(l), err: (l) => again.push(l) })).toBe(0);
      expect(again[0]).toBe('duplicate  note.txt (same text as "note")');

      writeFileSync(join(dir, 'attrs.csv'), 'document,outlet\nOne,BBC\n');
      const attrOut: string[] = [];
      expect(await main(['attributes', path, join(dir, 'attrs.csv'), '--json'], { out: (l) => attrOut.push(l), err: (l) => attrOut.push(l) })).toBe(0);
      expect(JSON.parse(attrOut.join('\n'))).toMatchObject({ updated: 1, failed: [] });
      expect(await main(['import', path, dir, '--attribute', 'date:datetime'], io)).toBe(2);
    } finally {
      await t.close();
    }
  });
});
