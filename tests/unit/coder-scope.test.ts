import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { unzipSync, strFromU8 } from 'fflate';
import { openTestProject, tempDir } from '../helpers/project';
import { main } from '../../main/cli/index';
import { Package } from 'datapackage';
import { segmentsOf } from '../../renderer/src/features/viewer/segment-rows';

type T = Awaited<ReturnType<typeof openTestProject>>;

/**
 * ana and ben code the same span of the first document with code A; ben alone codes code B
 * elsewhere, and that disagreement is settled with ben's coding, so the consensus layer holds
 * a copy of it. 3 coders' segments, 1 consensus copy.
 */
async function twoCodersAndConsensus() {
  const t = await openTestProject({ sample: true, coder: 'ana' });
  const [doc] = await t.call('documents.list', {});
  const codes = await t.call('codes.list', {});
  const [a, b] = [codes[0]!, codes[1]!];
  await t.call('segments.create', { documentId: doc!.id, codeId: a.id, start: 0, end: 20 });
  const ben = await t.call('coders.setCurrent', { name: 'ben' });
  await t.call('segments.create', { documentId: doc!.id, codeId: a.id, start: 0, end: 20 });
  await t.call('segments.create', { documentId: doc!.id, codeId: b.id, start: 30, end: 80 });
  await t.call('coders.setCurrent', { name: 'ana' });
  await t.call('team.resolve', { documentId: doc!.id, codeId: b.id, start: 30, end: 80, chosenCoderId: ben.id, reason: 'ben is right' });
  return { t, doc: doc!, a, b };
}

async function csv(t: T, input: Record<string, unknown>) {
  const out = await t.call('exchange.export', input as never);
  const rows = parse(Buffer.from(out.dataBase64, 'base64').toString('utf8'), { columns: true }) as Record<string, string>[];
  return { rows, scope: out.scope };
}

describe('coder scope of counts, views and exports', () => {
  it('never adds the consensus layer to the coders, and counts it only when chosen', async () => {
    const { t, doc, a, b } = await twoCodersAndConsensus();
    try {
      const count = async (scope: Record<string, unknown>) => (await t.call('documents.list', scope as never)).find((d) => d.id === doc.id)!.segment_count;
      expect(await count({})).toBe(3); // ana 1 + ben 2; the consensus copy is not a fourth
      expect(await count({ consensus: true })).toBe(1);
      const ana = (await t.call('coders.list', {})).find((c) => c.name === 'ana')!;
      expect(await count({ coderIds: [ana.id] })).toBe(1);
      const codeB = async (scope: Record<string, unknown>) => (await t.call('codes.list', scope as never)).find((c) => c.id === b.id)!.segment_count;
      expect(await codeB({})).toBe(1);
      expect(await codeB({ consensus: true })).toBe(1);
      expect(await codeB({ coderId: ana.id })).toBe(0);
      const stripes = segmentsOf(await t.call('workbench.documentSegments', { documentId: doc.id }));
      expect(stripes.map((s) => s.coder_name).sort()).toEqual(['ana', 'ben', 'ben']);
      expect(segmentsOf(await t.call('workbench.documentSegments', { documentId: doc.id, consensus: true })).map((s) => s.coder_name)).toEqual(['consensus']);

      // The matrix over all coders: a row per document and coder, and code A is 1 for each, never 2.
      const all = await csv(t, { format: 'matrix' });
      expect(all.scope).toBe('all coders (ana, ben), each counted apart; the consensus layer left out');
      const first = all.rows.filter((r) => r.document_id === doc.id);
      expect(first.map((r) => [r.coder, r[a.path], r[b.path]])).toEqual([
        ['ana', '1', '0'],
        ['ben', '1', '1'],
      ]);
      const consensus = await csv(t, { format: 'matrix', filter: { consensus: true } });
      expect(consensus.scope).toBe('the consensus layer (settled codings) only');
      expect(consensus.rows.find((r) => r.document_id === doc.id)!).toMatchObject({ [a.path]: '0', [b.path]: '1' });
      expect(Object.keys(consensus.rows[0]!)).not.toContain('coder');
      const one = await csv(t, { format: 'matrix', filter: { coders: ['ben'] } });
      expect(one.scope).toBe('one coder: ben');
      const segments = await csv(t, { format: 'segments' });
      expect(segments.rows.map((r) => r.coder).sort()).toEqual(['ana', 'ben', 'ben']);

      // The consensus layer is a scope of its own.
      await expect(t.call('exchange.export', { format: 'matrix', filter: { coders: ['ana', 'consensus'] } })).rejects.toThrow(/scope of its own/);
      await expect(t.call('exchange.export', { format: 'matrix', filter: { coders: ['ana'], consensus: true } })).rejects.toThrow(/scope of its own/);
      expect((await t.call('exchange.preview', { format: 'codebook' })).scope).toMatch(/^all coders \(ana, ben\)/);

      const bundle = await t.call('exchange.export', { format: 'bundle' });
      const files = unzipSync(new Uint8Array(Buffer.from(bundle.dataBase64, 'base64')));
      const readme = strFromU8(files['README.txt']!);
      // The data dictionary keys the matrix by document and coder, and each pair is one row.
      const pkg = JSON.parse(strFromU8(files['datapackage.json']!)) as { resources: { name: string; schema: { primaryKey: string | string[] } }[] };
      expect(pkg.resources.find((r) => r.name === 'matrix')!.schema.primaryKey).toEqual(['document_id', 'coder_id']);
      const matrixRows = parse(strFromU8(files['matrix.csv']!), { columns: true }) as Record<string, string>[];
      expect(new Set(matrixRows.map((r) => `${r.document_id}|${r.coder_id}`)).size).toBe(matrixRows.length);
      expect(readme).toContain('Coders: all coders (ana, ben), each counted apart; the consensus layer left out.');
      expect(readme).toContain('matrix.csv        one row per document and coder');
    } finally {
      await t.close();
    }
  });

  it('says the scope on the command line, and takes --consensus alone', async () => {
    const { t, doc, b } = await twoCodersAndConsensus();
    try {
      await t.session.setProject(null);
      const lines: string[] = [];
      const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
      const out = join(t.dir, 'c.csv');
      expect(await main(['export', t.path, '--format', 'matrix', '--consensus', '--out', out], io), lines.join('\n')).toBe(0);
      expect(lines.at(-1)).toBe('Coders: the consensus layer (settled codings) only.');
      const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
      expect(rows.find((r) => r.document_id === doc.id)![b.path]).toBe('1');
      expect(await main(['export', t.path, '--format', 'matrix', '--consensus', '--coder', 'ana', '--out', out], io)).toBe(2);
      expect(lines.at(-1)).toMatch(/--consensus is a scope of its own/);
      expect(await main(['export', t.path, '--format', 'segments', '--out', out, '--json'], io)).toBe(0);
      expect(JSON.parse(lines.at(-1)!).scope).toBe('all coders (ana, ben), each counted apart; the consensus layer left out');
    } finally {
      await t.close();
    }
  });

  it('writes a bundle a Frictionless reader validates, the matrix keyed by document and coder', async () => {
    const { t } = await twoCodersAndConsensus();
    const out = tempDir();
    try {
      const docs = await t.call('documents.list', {});
      const bundle = await t.call('exchange.export', { format: 'bundle' });
      for (const [name, bytes] of Object.entries(unzipSync(Buffer.from(bundle.dataBase64, 'base64')))) writeFileSync(join(out.dir, name), bytes);
      const pkg = await Package.load(join(out.dir, 'datapackage.json'));
      expect(pkg.errors.map((e) => e.message)).toEqual([]);
      expect(pkg.valid).toBe(true);
      const matrix = await pkg.getResource('matrix')!.read({ keyed: true, cast: true });
      expect(matrix).toHaveLength(docs.length * 2);
    } finally {
      out.cleanup();
      await t.close();
    }
  });
});
