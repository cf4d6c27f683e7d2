/**
 * REFI-QDA files written by other programs (../shared/refi-qda/vendor-samples/, provenance in
 * its README) imported as their authors meant. Expected values come from an independent
 * reading of each file (tests/helpers/refi_independent_reader.py, Python's xml.etree, written
 * apart from the importer): the coded text of every selection cut from the raw file, every
 * memo, code, coder and attribute, and what cannot come across, counted by kind. Each import
 * is then exported again (.qdpx and .qdc, valid against the schemas) and re-imported unchanged.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { main } from '../../main/cli/index';
import { Project } from '../../main/core/project/project';
import type { ProjectDb } from '../../main/core/db/project-db';
import { exportQdc, exportQdpx } from '../../main/core/exchange/qdpx-export';
import { importExchangeBytes, type ExchangeImportReport } from '../../main/core/exchange/qdpx-import';
import { tempDir } from '../helpers/project';

const REFI = join(__dirname, '../../../shared/refi-qda');
const SAMPLES = join(REFI, 'vendor-samples');
const READER = join(__dirname, '../helpers/refi_independent_reader.py');
const PYTHON = '/usr/bin/python3';
const SCHEMA = { qde: join(REFI, 'Project-mrt2019.xsd'), qdc: join(REFI, 'Codebook-mrt2019.xsd') };
const IMPORTER = 'me';

interface Expected {
  origin: string | null;
  unit: 'utf16' | 'cp';
  users: string[];
  codes: Array<{ id: string; parent: string | null; name: string; color: string | null; description: string }>;
  documents: Array<{ id: string; name: string; text: string }>;
  segments: Array<{ document: string; code: string; coder: string; text: string }>;
  memos: Array<{ kind: string; target: string | null; text: string }>;
  attributes: Record<string, Record<string, string>>;
  dropped: Record<string, number>;
}

function independentReading(file: string): Expected {
  return JSON.parse(execFileSync(PYTHON, [READER, file, IMPORTER], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })) as Expected;
}

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** What a project holds, keyed by the ids a fresh import keeps (the file's GUIDs). */
async function contents(db: ProjectDb) {
  return db.read(async (r) => {
    const sortBy = <T>(xs: T[]) => xs.map((x) => [JSON.stringify(x), x] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((x) => x[1]);
    const values = await r.all<{ document_id: string; name: string; value: string }>(
      `SELECT dv.document_id, v.name, dv.value FROM document_values dv JOIN variables v ON v.id = dv.variable_id`,
    );
    const attributes: Record<string, Record<string, string>> = {};
    for (const v of values) (attributes[v.document_id] ??= {})[v.name] = v.value;
    return {
      documents: sortBy(await r.all<{ id: string; name: string; text: string }>(`SELECT id, name, text FROM documents`)),
      codes: sortBy(await r.all<{ id: string; parent: string | null; name: string; color: string; description: string }>(`SELECT id, parent_id AS parent, name, color, description FROM codes`)),
      coders: (await r.all<{ name: string }>(`SELECT name FROM coders ORDER BY name`)).map((c) => c.name),
      segments: sortBy(
        await r.all<{ id: string; document: string; code: string; coder: string; text: string; start: number; end: number }>(
          // substr counts characters of UTF-8 text: code points, the unit of start and end.
          `SELECT s.id, s.document_id AS document, s.code_id AS code, k.name AS coder, substr(d.text, s.start + 1, s.end - s.start) AS text, s.start, s.end
           FROM segments s JOIN documents d ON d.id = s.document_id JOIN coders k ON k.id = s.coder_id`,
        ),
      ),
      memos: sortBy(await r.all<{ id: string; kind: string; target: string | null; title: string; text: string }>(`SELECT id, target_kind AS kind, target_id AS target, title, text FROM memos`)),
      attributes,
    };
  });
}

const counted = (xs: Array<Record<string, unknown>>) => {
  const m = new Map<string, number>();
  for (const x of xs) m.set(JSON.stringify(x), (m.get(JSON.stringify(x)) ?? 0) + 1);
  return [...m.entries()].sort();
};

function xmllint(schema: string, path: string): string {
  try {
    execFileSync('xmllint', ['--noout', '--schema', schema, path], { stdio: 'pipe' });
    return '';
  } catch (err) {
    return String((err as { stderr?: Buffer }).stderr ?? err);
  }
}

const files = readdirSync(SAMPLES).sort();

describe('REFI-QDA files written by other programs', () => {
  it('has the samples the README lists', () => {
    expect(files).toEqual(
      expect.arrayContaining(['nvivo-mac-12.7-codings.qdpx', 'maxqda-24.7.qdpx', 'atlas-ti-8.4-mac-all-kinds.qdpx', 'qualcoder-4.0b-sample.qdpx', 'qualcoder-4.0b-codebook.qdc', 'taguette-1.4.1.qdc', 'qc-1.2.0-demo.qdpx']),
    );
  });

  for (const name of files) {
    it(`${name}: every coding on its author's text, every memo, code, coder and attribute, and a report that counts what was dropped`, { timeout: 120_000 }, async () => {
      const expected = independentReading(join(SAMPLES, name));
      const { dir, cleanup } = tempDir();
      try {
        const p = join(dir, 'p.marginalia');
        expect((await run('new', p, '--coder', IMPORTER)).code).toBe(0);
        const imported = await run('import', p, join(SAMPLES, name), '--coder', IMPORTER, '--json');
        expect(imported.code, imported.err).toBe(0);
        const report = JSON.parse(imported.out) as ExchangeImportReport;

        const project = await Project.open(p);
        try {
          const got = await contents(project.db);
          expect(got.documents).toEqual([...expected.documents].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)));
          // Each coding on the text the file's author coded (the document, the code, the coder, the words).
          const segs = got.segments.map((s) => ({ document: s.document, code: s.code, coder: s.coder, text: s.text }));
          expect(counted(segs)).toEqual(counted(expected.segments));
          expect(counted(got.memos.map((m) => ({ kind: m.kind, target: m.target, text: m.text })))).toEqual(counted(expected.memos));
          const byId = new Map(expected.codes.map((c) => [c.id, c]));
          expect(got.codes.map((c) => c.id).sort()).toEqual([...byId.keys()].sort());
          for (const c of got.codes) {
            const e = byId.get(c.id)!;
            expect({ parent: c.parent, name: c.name, description: c.description }).toEqual({ parent: e.parent, name: e.name, description: e.description });
            if (e.color !== null) expect(c.color).toBe(e.color);
          }
          for (const u of expected.users) expect(got.coders).toContain(u);
          expect(got.coders.filter((c) => !expected.users.includes(c))).toEqual(got.coders.includes(IMPORTER) && !expected.users.includes(IMPORTER) ? [IMPORTER] : []);
          expect(got.attributes).toEqual(expected.attributes);
          expect(Object.fromEntries(report.dropped.map((d) => [d.what, d.count]))).toEqual(expected.dropped);
          if (expected.unit === 'utf16' && expected.segments.length) {
            expect(report.positions).toEqual({ unit: 'UTF-16 units', reason: 'positions converted from UTF-16 units, as NVivo writes them' });
          }
          console.log(
            `${name}: ${segs.length}/${expected.segments.length} codings on their text, ${got.memos.length} memos, ${got.codes.length} codes, ${got.documents.length} documents, ` +
              `dropped ${JSON.stringify(expected.dropped)}`,
          );

          // Out again (valid .qdpx and .qdc) and into a new project: the same project.
          const qdpx = await project.db.read((r) => exportQdpx(r));
          const qde = join(dir, 'again.qde');
          writeFileSync(qde, unzipSync(qdpx)['project.qde']!);
          expect(xmllint(SCHEMA.qde, qde)).toBe('');
          if (got.codes.length) {
            const qdc = join(dir, 'again.qdc');
            const qdcBytes = await project.db.read((r) => exportQdc(r));
            writeFileSync(qdc, qdcBytes);
            expect(xmllint(SCHEMA.qdc, qdc)).toBe('');
            // The codebook alone, into a new project: the same code tree, colours and descriptions.
            const book = await Project.create(join(dir, 'book.marginalia'), { name: 'book' });
            try {
              const again = await importExchangeBytes(book.db, qdcBytes, 'again.qdc', IMPORTER);
              expect(again.dropped).toEqual([]);
              expect(again.converted).toEqual([]);
              expect((await contents(book.db)).codes).toEqual(got.codes);
            } finally {
              await book.close();
            }
          }
          const copy = await Project.create(join(dir, 'copy.marginalia'), { name: 'copy' });
          try {
            const again = await importExchangeBytes(copy.db, qdpx, 'again.qdpx', IMPORTER);
            expect(again.dropped).toEqual([]);
            expect(again.converted).toEqual([]);
            const back = await contents(copy.db);
            expect(back.documents).toEqual(got.documents);
            expect(back.codes).toEqual(got.codes);
            expect(back.segments).toEqual(got.segments);
            expect(back.memos).toEqual(got.memos);
            expect(back.attributes).toEqual(got.attributes);
            expect(back.coders.filter((c) => c !== IMPORTER)).toEqual(got.coders.filter((c) => c !== IMPORTER));
          } finally {
            await copy.close();
          }
        } finally {
          await project.close();
        }
      } finally {
        cleanup();
      }
    });
  }
});
