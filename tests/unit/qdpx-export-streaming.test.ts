import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { openTestProject } from '../helpers/project';
import { addDocuments } from '../../main/core/documents/documents';
import { FileSink, writeExport } from '../../main/core/exchange/export';
import { importExchangeBytes } from '../../main/core/exchange/qdpx-import';
import { lexicalFromPlain } from '../../main/core/coding/segments';
import { Project } from '../../main/core/project/project';
import type { ProjectDb } from '../../main/core/db/project-db';
import { segmentsOf } from '../../renderer/src/features/viewer/segment-rows';

const SCHEMA = join(__dirname, '../../../shared/refi-qda/Project-mrt2019.xsd');

/** What a project holds, by document name (ids travel too, but names say what went wrong). */
async function contents(db: ProjectDb) {
  return db.read(async (r) => ({
    documents: await r.all<{ name: string; text: string }>(`SELECT name, text FROM documents ORDER BY name`),
    segments: await r.all<{ name: string; start: number; end: number; code: string }>(
      `SELECT d.name, s.start, s."end", c.name AS code FROM segments s JOIN documents d ON d.id = s.document_id JOIN codes c ON c.id = s.code_id ORDER BY d.name, s.start, s."end", c.name`,
    ),
    values: await r.all<{ name: string; variable: string; value: string }>(
      `SELECT d.name, v.name AS variable, dv.value FROM document_values dv JOIN documents d ON d.id = dv.document_id JOIN variables v ON v.id = dv.variable_id ORDER BY d.name, v.name`,
    ),
    memos: await r.all<{ kind: string; text: string }>(`SELECT target_kind AS kind, text FROM memos ORDER BY text`),
  }));
}

describe('a .qdpx written as a stream into the export file', () => {
  it('holds every document of many pages, in order, with its codings, attributes and memos, valid and read back whole', async () => {
    const t = await openTestProject({ coder: 'ana' });
    try {
      // More documents than one page of the writer (500), texts with emoji, CRLF, accents and a leading BOM.
      const texts = Array.from({ length: 1_203 }, (_, i) =>
        i === 7 ? '\uFEFFStarts with a byte order mark. Kyiv.' : `Report ${i}: strike 🙂 on Kyiv,\r\nCafé 👍🏽 closed. ${'more words '.repeat(i % 13)}end.`,
      );
      await t.project.db.transaction((tx) =>
        addDocuments(
          tx,
          texts.map((text, i) => ({ name: `doc ${String(i).padStart(4, '0')}`, text, importedBy: null, attributes: { outlet: i % 3 ? 'BBC' : 'TASS', words: i } })),
        ),
      );
      const code = await t.call('codes.create', { name: 'strike' });
      const docs = await t.project.db.read((r) => r.all<{ id: string; name: string }>(`SELECT id, name FROM documents ORDER BY sort_order, id`));
      expect(docs.length).toBe(1_203);
      for (const d of docs.filter((_, i) => i % 4 === 0 || i > 1_190)) {
        // After the emoji: offsets in code points must survive the trip.
        await t.call('segments.create', { documentId: d.id, codeId: code.id, start: 20, end: 24 });
      }
      const segment = segmentsOf(await t.call('workbench.documentSegments', { documentId: docs[1_200]!.id }))[0]!;
      await t.call('memos.save', { kind: 'document', targetId: docs[600]!.id, content: lexicalFromPlain('x'), text: 'memo on a document of the second page' });
      await t.call('memos.save', { kind: 'segment', targetId: segment.id, content: lexicalFromPlain('x'), text: 'memo on a segment of the last page' });

      // The export job's path: a FileSink on a file.
      const file = join(t.dir, 'streamed.qdpx');
      const fd = openSync(file, 'w');
      try {
        await writeExport(t.project.db, { format: 'qdpx' }, new FileSink(fd));
      } finally {
        closeSync(fd);
      }
      const bytes = readFileSync(file);
      const entries = unzipSync(bytes);
      expect(Object.keys(entries).length).toBe(1 + 1_203);
      const qde = strFromU8(entries['project.qde']!);
      // Sources in document order, each once, across the pages.
      expect([...qde.matchAll(/<TextSource guid="[^"]+" name="([^"]+)"/g)].map((m) => m[1])).toEqual(docs.map((d) => d.name));
      const qdeFile = join(t.dir, 'project.qde');
      writeFileSync(qdeFile, qde);
      execFileSync('xmllint', ['--noout', '--schema', SCHEMA, qdeFile], { stdio: 'pipe' });

      const copy = await Project.create(join(t.dir, 'copy.marginalia'), { name: 'copy' });
      try {
        await importExchangeBytes(copy.db, bytes, 'streamed.qdpx', 'ana');
        const [before, after] = [await contents(t.project.db), await contents(copy.db)];
        expect(after.documents).toEqual(before.documents);
        expect(after.segments.length).toBe(before.segments.length);
        expect(after.segments).toEqual(before.segments);
        expect(after.values).toEqual(before.values);
        expect(after.memos.map((m) => m.text)).toEqual(expect.arrayContaining(before.memos.map((m) => m.text)));
      } finally {
        await copy.close();
      }
    } finally {
      await t.close();
    }
  }, 120_000);
});
