import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { Package } from 'datapackage';
import { openTestProject, tempDir } from '../helpers/project';

describe('dataset bundle read by a Frictionless reader', () => {
  it('loads as a valid tabular data package; every table casts to its declared types and its foreign keys resolve', async () => {
    const t = await openTestProject({ sample: true, coder: 'ana' });
    const out = tempDir();
    try {
      const docs = await t.call('documents.list', {});
      const codes = await t.call('codes.list', {});
      const code = (path: string) => codes.find((c) => c.path === path)!.id;
      await t.call('segments.create', { documentId: docs[2]!.id, codeId: code('attribution/false-flag claim'), start: 0, end: 40, memo: 'headline' });
      await t.call('segments.create', { documentId: docs[0]!.id, codeId: code('casualties/death toll'), start: 10, end: 60 });
      await t.call('memos.save', { kind: 'project', targetId: null, content: '{}', text: 'Pilot coding of five articles.' });

      const bundle = await t.call('exchange.export', { format: 'bundle' });
      for (const [name, bytes] of Object.entries(unzipSync(Buffer.from(bundle.dataBase64, 'base64')))) writeFileSync(join(out.dir, name), bytes);

      // datapackage-js is the Frictionless project's own reader for JavaScript; it validates
      // the descriptor against the Tabular Data Package profile and casts every value.
      const pkg = await Package.load(join(out.dir, 'datapackage.json'));
      expect(pkg.errors.map((e) => e.message)).toEqual([]);
      expect(pkg.valid).toBe(true);
      expect(pkg.resources.map((r) => r.name).sort()).toEqual(['codebook', 'documents', 'matrix', 'memos', 'segments']);

      const segments = await pkg.getResource('segments')!.read({ keyed: true, cast: true, relations: true });
      expect(segments).toHaveLength(2);
      const headline = segments.find((s) => s.memo === 'headline')!;
      expect(headline.start).toBe(0);
      expect(headline.end).toBe(40);
      expect(headline.length).toBe(40);
      expect(headline.author).toBe('Stephen Karganovic');
      expect(headline.created_at).toBeInstanceOf(Date);
      expect((await pkg.getResource('documents')!.read({ keyed: true, cast: true })).map((d) => d.date)).toContainEqual(new Date('2024-03-23T00:00:00Z'));
      const codebook = await pkg.getResource('codebook')!.read({ keyed: true, cast: true, relations: true });
      expect(codebook).toHaveLength(codes.length);
      expect(codebook.find((c) => c.code_path === 'casualties/death toll')!.segment_count).toBe(1);
      const memos = await pkg.getResource('memos')!.read({ keyed: true, cast: true });
      expect(memos.map((m) => m.target_kind).sort()).toEqual(['project', 'segment']);
      expect(await pkg.getResource('matrix')!.read({ keyed: true, cast: true })).toHaveLength(docs.length);
    } finally {
      out.cleanup();
      await t.close();
    }
  });
});
