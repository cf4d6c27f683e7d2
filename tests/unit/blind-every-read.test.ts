import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { unzipSync, strFromU8 } from 'fflate';
import { contract, type Method } from '../../main/api/contract';
import { dispatch } from '../../main/api/dispatch';
import { Project } from '../../main/core/project/project';
import { openTestProject, tempDir } from '../helpers/project';

const SECRET_MEMO = 'BEN-SECRET-MEMO';
const SECRET_REASON = 'BEN-CHOSEN-REASON';

/** Everything in an output, as text: base64 files decoded, zip archives opened. */
function textOf(value: unknown): string {
  const parts = [JSON.stringify(value)];
  const visit = (v: unknown) => {
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o.dataBase64 === 'string') {
      const bytes = Buffer.from(o.dataBase64, 'base64');
      if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
        for (const [name, data] of Object.entries(unzipSync(new Uint8Array(bytes)))) parts.push(name, strFromU8(data));
      } else parts.push(bytes.toString('utf8'));
    }
    for (const x of Object.values(o)) visit(x);
  };
  visit(value);
  return parts.join('\n');
}

describe('blind coding is enforced for every read method', () => {
  it('shows a coder in an open round no trace of the other coder or of the consensus layer', async () => {
    const t = await openTestProject({ sample: true, coder: 'lead' });
    const other = tempDir();
    try {
      const docs = await t.call('documents.list', {});
      const codes = await t.call('codes.list', {});
      const doc = docs[0]!;
      const [codeA, codeB] = [codes[0]!, codes[1]!];

      const ben = await t.call('coders.setCurrent', { name: 'ben' });
      const { id: benSegment } = await t.call('segments.create', { documentId: doc.id, codeId: codeB.id, start: 30, end: 80 });
      await t.call('memos.save', { kind: 'segment', targetId: benSegment, content: '{}', text: `${SECRET_MEMO} on a segment` });
      await t.call('memos.save', { kind: 'document', targetId: doc.id, content: '{}', text: `${SECRET_MEMO} on a document` });
      await t.call('memos.save', { kind: 'code', targetId: codeB.id, content: '{}', text: `${SECRET_MEMO} on a code` });

      const ana = await t.call('coders.setCurrent', { name: 'ana' });
      await t.call('segments.create', { documentId: doc.id, codeId: codeA.id, start: 0, end: 20 });
      await t.call('memos.save', { kind: 'project', targetId: null, content: '{}', text: 'ana project memo' });

      // The lead settles a disagreement with ben's coding: a consensus copy and a decision naming ben.
      await t.call('coders.setCurrent', { name: 'lead' });
      await t.call('team.resolve', { documentId: doc.id, codeId: codeB.id, start: 30, end: 80, chosenCoderId: ben.id, reason: SECRET_REASON });
      const consensus = (await t.call('coders.list', {})).find((c) => c.name === 'consensus')!;
      const consensusSegments = (await t.call('segments.list', { coderIds: [consensus.id] })).map((s) => s.id);
      expect(consensusSegments).toHaveLength(1);
      await t.call('team.rounds.create', { name: 'Pilot', sample: { kind: 'count', value: 2 }, seed: 3, coderIds: [ana.id, ben.id], documentIds: [doc.id, docs[1]!.id] });

      await t.call('coders.setCurrent', { name: 'ana' });
      const anaCodes = await t.call('codes.list', {});
      expect(anaCodes.find((c) => c.id === codeB.id)!.segment_count).toBe(0);
      expect((await t.call('documents.list', {})).find((d) => d.id === doc.id)!.segment_count).toBe(1);

      const emptyFile = join(other.dir, 'empty.marginalia');
      await (await Project.create(emptyFile, { name: 'Empty' })).close();
      const csv = Buffer.from('name,text\nA,Some text\n').toString('base64');
      const missing = '00000000-0000-4000-8000-000000000999';
      const exports = ['segments', 'matrix', 'codebook', 'documents', 'memos', 'bundle', 'qdpx', 'qdc'] as const;
      const tables = ['segments', 'matrix', 'codebook', 'documents', 'memos'] as const;
      // Every read method with the inputs that would show the most. A new read method fails the
      // first assertion below until it is added here, and so is walked too.
      const inputs: Partial<Record<Method, unknown[]>> = {
        'codes.list': [{}, { coderId: ben.id }, { consensus: true }, { coderIds: [ben.id, consensus.id] }],
        'codes.deleteImpact': [{ id: codeB.id }],
        'segments.list': [{}, { coderIds: [ben.id, consensus.id] }, { documentId: doc.id, context: 200 }],
        'memos.list': [{}, { kind: 'segment', targetId: benSegment }, { kind: 'document', targetId: doc.id }],
        'documents.list': [{}, { consensus: true }, { coderIds: [ben.id] }],
        'documents.get': [{ id: doc.id }],
        'documents.page': [{}, { consensus: true }, { coderIds: [ben.id] }, { sort: 'segments', descending: true }],
        'documents.summary': [{ id: doc.id }, { id: doc.id, consensus: true }, { id: doc.id, coderIds: [ben.id] }],
        'segments.page': [{}, { coderIds: [ben.id, consensus.id] }, { codeId: codeB.id, includeSubcodes: true, context: 200 }],
        'variables.list': [{}],
        'search.hits': [{ query: 'the' }, { query: 'the', regex: true, pageSize: 500 }],
        'search.first': [{ query: 'the' }, { query: 'the', regex: true, pageSize: 500 }],
        'search.documentHits': [{ query: 'the', documentId: doc.id }],
        'autocode.preview': [{ query: 'the', codeId: codeB.id, extend: 'paragraph' }],
        'exchange.preview': [
          ...tables.map((format) => ({ format, limit: 200 })),
          ...tables.map((format) => ({ format, limit: 200, filter: { coders: ['ben', 'consensus'] } })),
        ],
        'exchange.export': [...exports.map((format) => ({ format })), { format: 'matrix', filter: { coders: ['ben'] } }],
        'exchange.exportStart': [{ format: 'segments' }, { format: 'matrix', filter: { coders: ['ben'] } }],
        'exchange.exportProgress': [{ jobId: missing }],
        'exchange.exportCancel': [{ jobId: missing }],
        'import.progress': [{ jobId: missing }],
        'import.preview': [{ file: { name: 'a.csv', dataBase64: csv } }],
        'project.info': [{}],
        'project.historyState': [{}],
        'project.history': [{ limit: 10_000 }],
        'project.saveState': [{}],
        'project.save': [{}],
        'project.shareCopy': [{}],
        'project.files': [{}],
        'project.opening': [{}],
        'coders.list': [{}],
        'coders.current': [{}],
        'team.agreement': [{ coderIds: [ana.id, ben.id] }, { coderIds: [ana.id, consensus.id] }],
        'team.agreementCsv': [{ coderIds: [ana.id, ben.id] }],
        'team.agreementStart': [{ coderIds: [ana.id, ben.id] }],
        'team.agreementCsvStart': [{ coderIds: [ana.id, ben.id] }],
        'team.agreementProgress': [{ jobId: missing }],
        'team.agreementCancel': [{ jobId: missing }],
        'team.mergePreview': [{ fileName: 'empty.marginalia', dataBase64: readFileSync(emptyFile).toString('base64') }],
        'team.mergeCancel': [{ uploadId: missing }],
        'team.disagreements': [{ documentId: doc.id, coderIds: [ana.id, ben.id] }],
        'team.rounds.list': [{}],
        'team.visibleCoders': [{}],
        'workbench.documentSegments': [{ documentId: doc.id }, { documentId: doc.id, consensus: true }, { documentId: doc.id, coderIds: [ben.id] }],
        'sets.list': [{}],
        'sets.members': [{ setId: missing }],
        'analysis.cooccurrence': [{}, { unit: 'document' }, { unit: 'paragraph', filter: { coders: ['ben'] } }, { filter: { consensus: true } }],
        'analysis.cooccurrencePassages': [{ a: codeA.id, b: codeB.id }, { unit: 'document', a: codeA.id, b: codeB.id }, { unit: 'paragraph', a: codeB.id, b: codeA.id }],
        'analysis.cooccurrenceCsv': [{ unit: 'document' }],
        'analysis.crosstab': [{ by: { kind: 'document' } }, { by: { kind: 'document' }, filter: { coders: ['ben', 'consensus'] } }, { by: { kind: 'attribute', name: 'outlet' } }],
        'analysis.crosstabPassages': [{ by: { kind: 'document' }, codeId: codeB.id, column: { document_id: doc.id, value: null, coder_id: null } }],
        'analysis.crosstabCsv': [{ by: { kind: 'document' } }, { by: { kind: 'attribute', name: 'outlet' } }],
        'words.frequency': [{}, { n: 3, stopwords: false, top: 100_000 }],
        'words.csv': [{ n: 2 }],
        'words.stopwords': [{ language: 'en' }],
        'words.start': [{}],
        'words.progress': [{ jobId: missing }],
        'words.cancel': [{ jobId: missing }],
        'words.attributes': [{}],
        'analysis.cooccurrenceStart': [{}, { unit: 'paragraph' }],
        'analysis.cooccurrenceProgress': [{ jobId: missing }],
        'analysis.crosstabStart': [{ by: { kind: 'attribute', name: 'outlet' } }],
        'analysis.crosstabProgress': [{ jobId: missing }],
        'analysis.cancel': [{ jobId: missing }],
        'duplicates.groups': [{ threshold: 0.5 }],
        'duplicates.counts': [{ threshold: 0.5 }],
        'duplicates.group': [{ documentId: doc.id, threshold: 0.5 }],
      };
      const reads = (Object.keys(contract) as Method[]).filter((m) => !contract[m].mutates);
      expect(reads.filter((m) => !inputs[m])).toEqual([]);

      // These take the hidden coders as input or name the round's coders; they may name them, never show their work.
      const mayName = new Set<Method>(['coders.list', 'team.rounds.list', 'team.visibleCoders', 'team.agreement', 'team.agreementCsv', 'team.disagreements']);
      const work = [benSegment, ...consensusSegments, SECRET_MEMO, SECRET_REASON];
      const names = [ben.id, consensus.id, '"ben"', '"consensus"', ',ben,', ',consensus,'];
      let walked = 0;
      for (const method of reads) {
        for (const input of inputs[method]!) {
          const r = await dispatch({ session: t.session }, method, input);
          // A REFI-QDA file lists the project's coders as <User>s (names, as coders.list gives them); never their work.
          const text = (r.ok ? textOf(r.value) : r.error.message).replace(/<User\b[^>]*\/>/g, '');
          for (const token of [...work, ...(mayName.has(method) ? [] : names)]) {
            expect(text.includes(token), `${method} ${JSON.stringify(input).slice(0, 80)} shows ${token}`).toBe(false);
          }
          // Agreement with a hidden coder (or the hidden consensus layer) is refused, not computed as if they coded nothing.
          if (method === 'team.agreement' || method === 'team.agreementCsv') expect(r.ok ? 'computed' : r.error.message).toMatch(/is hidden from you while a reliability round/);
          if ((method === 'documents.list' || method === 'codes.list') && r.ok) {
            // Only ben and the consensus layer used code B; ana has one segment in the document.
            const items = r.value as { id: string; segment_count: number }[];
            expect(items.find((x) => x.id === codeB.id)?.segment_count ?? 0).toBe(0);
            expect(items.find((x) => x.id === doc.id)?.segment_count ?? 0).toBeLessThanOrEqual(1);
          }
          if (method === 'team.disagreements') expect(r.ok ? 'listed' : r.error.message).toMatch(/is hidden from you while a reliability round/);
          walked++;
        }
      }
      expect(walked).toBeGreaterThan(40);

      // The lead, outside the round, still sees everything; and ana does once the round is closed.
      await t.call('coders.setCurrent', { name: 'lead' });
      expect((await t.call('memos.list', {})).some((m) => m.text.includes(SECRET_MEMO))).toBe(true);
    } finally {
      other.cleanup();
      await t.close();
    }
  });

  it("refuses to undo or redo a hidden coder's change, which would show and alter their work", async () => {
    const t = await openTestProject({ sample: true, coder: 'ana' });
    try {
      const [doc] = await t.call('documents.list', {});
      const [code] = await t.call('codes.list', {});
      const ana = await t.call('coders.current', {});
      const ben = await t.call('coders.setCurrent', { name: 'ben' });
      await t.call('team.rounds.create', { name: 'Pilot', sample: { kind: 'count', value: 1 }, seed: 1, coderIds: [ana.id, ben.id], documentIds: [doc!.id] });
      await t.call('segments.create', { documentId: doc!.id, codeId: code!.id, start: 0, end: 10 });
      await t.call('coders.setCurrent', { name: 'ana' });
      const r = await t.callRaw('project.undo', {});
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(/hidden from you/);
      await t.call('coders.setCurrent', { name: 'ben' });
      expect((await t.call('project.undo', {})).undone).toMatch(/^Code /);
    } finally {
      await t.close();
    }
  });
});
