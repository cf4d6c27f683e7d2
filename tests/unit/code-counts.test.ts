import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openTestProject, tempDir } from '../helpers/project';
import { projectFileAtSchema } from '../helpers/old-schema';
import { openProjectDb } from '../../main/core/db/open';
import { listCodes } from '../../main/core/codebook/codebook';
import type { Reader } from '../../main/core/db/project-db';
import type { DocumentPage } from '../../main/core/documents/documents';

type T = Awaited<ReturnType<typeof openTestProject>>;
type Counts = Record<string, [segments: number, documents: number]>;

/** What the codebook must show, counted from the segments themselves. */
async function recount(r: Reader, where: string, params: string[] = []): Promise<Counts> {
  const rows = await r.all<{ code_id: string; s: number; d: number }>(
    `SELECT code_id, count(*) AS s, count(DISTINCT document_id) AS d FROM main.segments WHERE ${where} GROUP BY code_id`,
    params,
  );
  return Object.fromEntries(rows.map((x) => [x.code_id, [x.s, x.d]]));
}

/** What `codes.list` shows, codes without segments left out. */
async function shown(r: Reader, options: Parameters<typeof listCodes>[1]): Promise<Counts> {
  const codes = await listCodes(r, options);
  return Object.fromEntries(codes.filter((c) => c.segment_count > 0).map((c) => [c.id, [c.segment_count, c.document_count]]));
}

const NOT_CONSENSUS = `coder_id NOT IN (SELECT id FROM main.coders WHERE name = 'consensus')`;

async function expectCountsHold(t: T): Promise<void> {
  await t.project.db.read(async (r) => {
    const coders = (await r.all<{ id: string; name: string }>(`SELECT id, name FROM coders ORDER BY name`)).filter((c) => c.name !== 'consensus');
    expect(await shown(r, {})).toEqual(await recount(r, NOT_CONSENSUS));
    for (const c of coders) expect(await shown(r, { coderId: c.id })).toEqual(await recount(r, 'coder_id = ?', [c.id]));
    if (coders.length >= 2) {
      const two = coders.slice(0, 2).map((c) => c.id);
      expect(await shown(r, { coderIds: two })).toEqual(await recount(r, 'coder_id IN (?, ?)', two));
    }
    expect(await shown(r, { consensus: true })).toEqual(await recount(r, `coder_id IN (SELECT id FROM main.coders WHERE name = 'consensus')`));
  });
  // The document list by segment count, walked two rows a page by cursor in both directions.
  const perDocument = await t.project.db.read((r) =>
    r.all<{ id: string; n: number }>(`SELECT d.id, (SELECT count(*) FROM main.segments s WHERE s.document_id = d.id AND ${NOT_CONSENSUS}) AS n FROM documents d`),
  );
  for (const descending of [false, true]) {
    const expected = [...perDocument].sort((a, b) => (descending ? b.n - a.n : a.n - b.n) || (a.id < b.id ? -1 : 1)).map((d) => [d.id, d.n]);
    const seen: Array<[string, number]> = [];
    let after: { key: string | number | null; id: string } | null = null;
    do {
      const page: DocumentPage = await t.call('documents.page', { sort: 'segments', descending, limit: 2, after });
      seen.push(...page.documents.map((d): [string, number] => [d.id, d.segment_count]));
      after = page.next;
    } while (after);
    expect(seen).toEqual(expected);
  }
  // Retrieval's total, which reads the same counts: every code with its subcodes, all coders and one.
  const codes = await t.call('codes.list', {});
  const anna = (await t.call('coders.list', {})).find((c) => c.name === 'anna');
  for (const code of codes.filter((c) => c.depth === 0)) {
    for (const coderIds of [undefined, anna ? [anna.id] : undefined]) {
      const page = await t.call('segments.page', { codeId: code.id, includeSubcodes: true, coderIds, limit: 5 });
      const all = await t.call('segments.list', { codeId: code.id, includeSubcodes: true, coderIds });
      expect(page.total).toBe(all.length);
    }
  }
}

const op = fc.oneof(
  // Few codes, so that a code's segments fall in several documents and by several coders.
  fc.record({ kind: fc.constant('code' as const), coder: fc.integer({ min: 0, max: 2 }), doc: fc.nat(), code: fc.nat({ max: 3 }), start: fc.nat({ max: 400 }), len: fc.integer({ min: 1, max: 60 }) }),
  fc.record({ kind: fc.constantFrom('delete' as const, 'recode' as const, 'undo' as const, 'redo' as const, 'merge' as const, 'deleteCode' as const, 'deleteDoc' as const), pick: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant('consensus' as const), doc: fc.nat(), code: fc.nat({ max: 3 }), start: fc.nat({ max: 400 }) }),
  fc.record({ kind: fc.constant('rename' as const), coder: fc.integer({ min: 0, max: 2 }) }),
);

describe('the codebook and document list counts maintained by the writes (migrations 9 and 11)', () => {
  it('equal a recount of the segments after any run of codings, recodings, deletions, merges, undo, redo, consensus copies and renames', async () => {
    const names = ['anna', 'ben', 'chen'];
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 10, maxLength: 30 }), async (ops) => {
        const t = await openTestProject({ sample: true, coder: 'anna' });
        try {
          for (const o of ops) {
            const docs = await t.call('documents.list', {});
            const codes = await t.call('codes.list', {});
            const segments = await t.project.db.read((r) => r.all<{ id: string }>(`SELECT id FROM segments ORDER BY id`));
            if (docs.length === 0 || codes.length < 2) break;
            switch (o.kind) {
              case 'code': {
                await t.call('coders.setCurrent', { name: names[o.coder]! });
                const d = docs[o.doc % docs.length]!;
                const start = Math.min(o.start, d.length - 1);
                await t.call('segments.create', { documentId: d.id, codeId: codes[o.code % codes.length]!.id, start, end: Math.min(d.length, start + o.len) });
                break;
              }
              case 'consensus': {
                // The consensus layer is written by settling disagreements; here straight into the table.
                const d = docs[o.doc % docs.length]!;
                await t.project.db.transaction(async (tx) => {
                  let k = await tx.get<{ id: string }>(`SELECT id FROM coders WHERE name = 'consensus'`);
                  if (!k) await tx.insert('coders', (k = { id: randomUUID(), name: 'consensus', created_at: '2024-01-01T00:00:00Z' } as { id: string }));
                  const start = Math.min(o.start, d.length - 1);
                  await tx.insert('segments', { id: randomUUID(), document_id: d.id, code_id: codes[o.code % codes.length]!.id, coder_id: k.id, start, end: start + 1, created_at: 'x', updated_at: 'x' });
                });
                break;
              }
              case 'rename': {
                const coders = await t.call('coders.list', {});
                const c = coders.find((x) => x.name === names[o.coder]) ?? coders[0]!;
                // "consensus" is reserved in the app; a file edited elsewhere may still hold it.
                await t.project.db.transaction((tx) => tx.run(`UPDATE coders SET name = CASE name WHEN 'consensus' THEN 'back' ELSE 'consensus' END WHERE id = ?`, [c.id]));
                break;
              }
              case 'delete':
                if (segments.length) await t.call('segments.delete', { id: segments[o.pick % segments.length]!.id });
                break;
              case 'recode':
                if (segments.length) await t.callRaw('segments.update', { id: segments[o.pick % segments.length]!.id, codeId: codes[o.other % codes.length]!.id });
                break;
              case 'merge': {
                const a = codes[o.pick % codes.length]!;
                const b = codes[o.other % codes.length]!;
                await t.callRaw('codes.merge', { sourceId: a.id, targetId: b.id });
                break;
              }
              case 'deleteCode':
                await t.call('codes.delete', { id: codes[o.pick % codes.length]!.id });
                break;
              case 'deleteDoc':
                await t.call('documents.delete', { id: docs[o.pick % docs.length]!.id });
                break;
              case 'undo':
                await t.callRaw('project.undo', {});
                break;
              case 'redo':
                await t.callRaw('project.redo', {});
                break;
            }
          }
          await expectCountsHold(t);
        } finally {
          await t.close();
        }
      }),
      { numRuns: 25 },
    );
  }, 240_000);

  it('after a merge of a code with a clashing subcode, its undo and its redo, equal a recount (the merge recounts in bulk, migration 12)', async () => {
    const t = await openTestProject({ sample: true, coder: 'anna' });
    try {
      const docs = await t.call('documents.list', {});
      const source = await t.call('codes.create', { name: 'source' });
      const target = await t.call('codes.create', { name: 'target' });
      const sourceSub = await t.call('codes.create', { name: 'sub', parentId: source.id });
      const targetSub = await t.call('codes.create', { name: 'Sub', parentId: target.id });
      const code = async (codeId: string, d: number, start: number) => t.call('segments.create', { documentId: docs[d]!.id, codeId, start, end: start + 5 });
      for (const d of [0, 1, 2]) await code(source.id, d, 10 * d);
      await code(target.id, 1, 10); // the same span as anna's source segment in document 1: a duplicate
      await code(sourceSub.id, 0, 3);
      await code(targetSub.id, 2, 3);
      await t.call('coders.setCurrent', { name: 'ben' });
      await code(source.id, 1, 10); // ben's: not a duplicate of anna's
      await code(target.id, 3, 0);
      await t.project.db.transaction(async (tx) => {
        const k = { id: randomUUID(), name: 'consensus', created_at: '2024-01-01T00:00:00Z' };
        await tx.insert('coders', k);
        await tx.insert('segments', { id: randomUUID(), document_id: docs[0]!.id, code_id: source.id, coder_id: k.id, start: 0, end: 5, created_at: 'x', updated_at: 'x' });
      });
      const heldOff = () => t.project.db.read((r) => r.all(`SELECT * FROM code_counts_deferred`));
      await t.call('codes.merge', { sourceId: source.id, targetId: target.id });
      const merged = (await t.call('codes.list', {})).find((c) => c.id === target.id)!;
      expect([merged.segment_count, merged.document_count]).toEqual([5, 4]);
      await expectCountsHold(t);
      await t.call('project.undo', {});
      await expectCountsHold(t);
      await t.call('project.redo', {});
      await expectCountsHold(t);
      expect(await heldOff()).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('hide a coder in a blind round: their codings count for nobody else in the codebook, and count again when it closes', async () => {
    const t = await openTestProject({ sample: true, coder: 'anna' });
    try {
      const docs = await t.call('documents.list', {});
      const [code] = await t.call('codes.list', {});
      // anna codes two documents, ben one of them and a third.
      for (const [i, d] of docs.slice(0, 2).entries()) await t.call('segments.create', { documentId: d.id, codeId: code!.id, start: 0, end: 10 + i });
      await t.call('coders.setCurrent', { name: 'ben' });
      for (const d of [docs[1]!, docs[2]!]) await t.call('segments.create', { documentId: d.id, codeId: code!.id, start: 20, end: 30 });
      const count = async () => {
        const c = (await t.call('codes.list', {})).find((x) => x.id === code!.id)!;
        return [c.segment_count, c.document_count];
      };
      expect(await count()).toEqual([4, 3]);
      const coders = await t.call('coders.list', {});
      const round = await t.call('team.rounds.create', { name: 'pilot', sample: { kind: 'share', value: 1 }, coderIds: coders.filter((c) => c.name !== 'tester').map((c) => c.id) });
      // ben sees his own two codings in two documents, not anna's.
      expect(await count()).toEqual([2, 2]);
      const anna = coders.find((c) => c.name === 'anna')!;
      expect((await t.call('codes.list', { coderIds: [anna.id] })).find((x) => x.id === code!.id)!.segment_count).toBe(0);
      expect((await t.call('segments.page', { codeId: code!.id })).total).toBe(2);
      await t.call('team.rounds.close', { id: round.id });
      expect(await count()).toEqual([4, 3]);
      expect((await t.call('segments.page', { codeId: code!.id })).total).toBe(4);
    } finally {
      await t.close();
    }
  });

  it('upgrades a version-8 project: the counts start from the segments already there, a document without any included', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'v8.marginalia');
      const old = await projectFileAtSchema(path, 8);
      const T0 = '2024-01-01T00:00:00Z';
      await old.exec(`
        INSERT INTO coders (id, name, created_at) VALUES ('k1', 'anna', '${T0}'), ('k2', 'consensus', '${T0}'), ('k3', 'ben', '${T0}');
        INSERT INTO documents (id, name, text, text_sha256, length, imported_at, sort_order) VALUES
          ('d1', 'Article', 'Five people were killed.', 'x', 24, '${T0}', 1),
          ('d2', 'Other', 'Nobody was hurt.', 'y', 16, '${T0}', 2);
        INSERT INTO codes (id, name, color, created_at) VALUES ('c1', 'casualties', '#d1495b', '${T0}'), ('c2', 'rhetoric', '#2e86ab', '${T0}');
        INSERT INTO segments (id, document_id, code_id, coder_id, start, end, created_at, updated_at) VALUES
          ('s1', 'd1', 'c1', 'k1', 0, 11, '${T0}', '${T0}'),
          ('s2', 'd1', 'c1', 'k1', 5, 11, '${T0}', '${T0}'),
          ('s3', 'd2', 'c1', 'k3', 0, 6, '${T0}', '${T0}'),
          ('s4', 'd2', 'c1', 'k2', 0, 6, '${T0}', '${T0}'),
          ('s5', 'd2', 'c2', 'k2', 0, 6, '${T0}', '${T0}');
      `);
      await old.close();
      const db = await openProjectDb(path);
      try {
        const counts = (codes: Awaited<ReturnType<typeof listCodes>>) => codes.map((c) => [c.name, c.segment_count, c.document_count]);
        expect(counts(await db.read((r) => listCodes(r)))).toEqual([['casualties', 3, 2], ['rhetoric', 0, 0]]);
        expect(counts(await db.read((r) => listCodes(r, { coderId: 'k1' })))).toEqual([['casualties', 2, 1], ['rhetoric', 0, 0]]);
        expect(counts(await db.read((r) => listCodes(r, { consensus: true })))).toEqual([['casualties', 1, 1], ['rhetoric', 1, 1]]);
        expect(await db.read((r) => r.all(`SELECT document_id, segments FROM document_counts ORDER BY document_id`))).toEqual([
          { document_id: 'd1', segments: 2 },
          { document_id: 'd2', segments: 1 },
        ]);
      } finally {
        await db.close();
      }
    } finally {
      cleanup();
    }
  });
});
