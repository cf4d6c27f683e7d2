/**
 * Marginalia's .qdpx as QualCoder reads it: tests/helpers/qualcoder_refi_reader.py does what
 * QualCoder's REFI-QDA import (qualcoder/refi.py) does with the standard library: codings by
 * PlainTextSelection offsets into the exported sources/*.txt, memos from Description.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lexicalFromPlain } from '../../main/core/memos/memos';
import { describeMemos } from '../../main/core/exchange/refi-memos';
import { openTestProject } from '../helpers/project';

const READER = join(__dirname, '../helpers/qualcoder_refi_reader.py');

interface QualCoderProject {
  project_memo: string | null;
  codes: Record<string, { name: string; memo: string }>;
  sources: Array<{ name: string; memo: string; fulltext: string }>;
  codings: Array<{ source: string; code: string | null; owner: string; seltext: string; memo: string }>;
}

const readAsQualCoder = (file: string): QualCoderProject => JSON.parse(execFileSync('/usr/bin/python3', [READER, file], { encoding: 'utf8' })) as QualCoderProject;

describe('Marginalia exports read by QualCoder', () => {
  it('puts every coding on its text and brings every segment, document and project memo', async () => {
    const t = await openTestProject({ sample: true, coder: 'ana' });
    try {
      // Emoji, a decomposed accent and CRLF before the codings: where code points, UTF-16 units and line ends disagree.
      const text = 'Interview 😀 one\r\nCafe\u0301 and 𝄞 music: the market was hit twice.\r\nSecond line.';
      await t.call('import.files', { files: [{ name: 'interview.txt', dataBase64: Buffer.from(text).toString('base64') }] });
      const docs = await t.call('documents.list', {});
      const doc = docs.find((d) => d.name.startsWith('interview'))!;
      const stored = (await t.call('documents.get', { id: doc.id })).text;
      const at = (words: string) => {
        const cps = Array.from(stored);
        const start = Array.from(stored.slice(0, stored.indexOf(words))).length;
        return { start, end: start + Array.from(words).length, cps };
      };
      const codes = await t.call('codes.list', {});
      const code = codes.find((c) => c.path === 'casualties/death toll')!;
      const market = at('the market was hit twice');
      await t.call('segments.create', { documentId: doc.id, codeId: code.id, start: market.start, end: market.end, memo: 'Two strikes, one count.' });
      const music = at('music');
      await t.call('segments.create', { documentId: doc.id, codeId: codes.find((c) => c.path === 'rhetoric')!.id, start: music.start, end: music.end, memo: 'Line one\nline two & <more>' });
      await t.call('memos.save', { kind: 'document', targetId: doc.id, content: lexicalFromPlain('An interview memo.'), text: 'An interview memo.', title: 'Interview' });
      await t.call('memos.save', { kind: 'project', targetId: null, content: lexicalFromPlain('Project memo.'), text: 'Project memo.' });

      const out = await t.call('exchange.export', { format: 'qdpx' });
      const file = join(t.dir, 'for-qualcoder.qdpx');
      writeFileSync(file, Buffer.from(out.dataBase64, 'base64'));
      const qc = readAsQualCoder(file);

      // Every coding on the same words, under the same code and coder, with its memo.
      const segments = await t.call('segments.list', {});
      const memos = await t.call('memos.list', {});
      const memoOf = (kind: string, id: string | null) => describeMemos(memos.filter((m) => m.target_kind === kind && m.target_id === id));
      const expected = segments.map((s) => ({ source: s.document_name, code: s.code_name, owner: s.coder_name, seltext: s.text, memo: memoOf('segment', s.id) }));
      const sortKey = (x: object) => JSON.stringify(x);
      expect(qc.codings.map((c) => ({ source: c.source, code: c.code, owner: c.owner, seltext: c.seltext, memo: c.memo })).sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1))).toEqual(
        expected.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1)),
      );
      const segmentMemos = segments.filter((s) => memoOf('segment', s.id) !== '');
      const arrived = qc.codings.filter((c) => c.memo !== '');
      expect(arrived.length).toBe(segmentMemos.length);
      expect(segmentMemos.length).toBeGreaterThanOrEqual(2);

      // Document memos on their sources, the project's description and memos as its memo.
      for (const d of docs) expect(qc.sources.find((s) => s.name === d.name)?.memo ?? '').toBe(memoOf('document', d.id));
      expect(qc.sources.find((s) => s.name === doc.name)!.memo).toBe('Interview\nAn interview memo.');
      const info = await t.call('project.info', {});
      expect(qc.project_memo).toBe([info.description, memoOf('project', null)].filter((x) => x !== '').join('\n\n'));
      expect(qc.project_memo).toContain('Project memo.');
      console.log(`QualCoder's reading: ${qc.codings.length}/${segments.length} codings on their text, ${arrived.length}/${segmentMemos.length} segment memos, document and project memos from Description`);
    } finally {
      await t.close();
    }
  });

  it('reads an export without documents (QualCoder stops when the sources folder is missing)', async () => {
    const t = await openTestProject({ coder: 'ana' });
    try {
      await t.call('codes.create', { name: 'only a code' });
      const out = await t.call('exchange.export', { format: 'qdpx' });
      const file = join(t.dir, 'codes-only.qdpx');
      writeFileSync(file, Buffer.from(out.dataBase64, 'base64'));
      expect(Object.values(readAsQualCoder(file).codes).map((c) => c.name)).toEqual(['only a code']);
    } finally {
      await t.close();
    }
  });
});
