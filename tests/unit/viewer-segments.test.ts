import { describe, expect, it } from 'vitest';
import { openTestProject } from '../helpers/project';
import { coderCondition } from '../../main/core/coders/scope';
import { segmentsOf } from '../../renderer/src/features/viewer/segment-rows';
import type { ViewerSegment } from '../../main/api/contract/workbench';

type T = Awaited<ReturnType<typeof openTestProject>>;
type Scope = { coderIds?: string[]; consensus?: boolean };

/** The viewer's segments as the handler read them through the `segments` view until the answer became rows. */
function viewRead(t: T, documentId: string, scope: Scope = {}): Promise<ViewerSegment[]> {
  return t.project.db.read(async (r) => {
    const who = await coderCondition(r, scope);
    return r.all<ViewerSegment>(
      `SELECT s.id, s.document_id, s.code_id, c.name AS code_name, c.color AS code_color, s.coder_id, k.name AS coder_name,
              s.start, s.end,
              ifnull((SELECT m.text FROM memos m WHERE m.target_kind = 'segment' AND m.target_id = s.id ORDER BY m.created_at LIMIT 1), '') AS memo,
              s.created_at, s.updated_at
       FROM segments s JOIN codes c ON c.id = s.code_id JOIN coders k ON k.id = s.coder_id
       WHERE s.document_id = ? AND ${who.sql}
       ORDER BY s.start, s.end, c.sort_order, s.id`,
      [documentId, ...who.params],
    );
  });
}

const answered = async (t: T, documentId: string, scope: Scope = {}) => segmentsOf(await t.call('workbench.documentSegments', { documentId, ...scope }));

/**
 * ana and ben code the first document: the same span with the same code and with another,
 * spans that share a start, a segment changed after it was made, memos (two on one segment),
 * a segment from another tool (its id and times not in the app's form), and a consensus copy.
 */
async function codedByTwo() {
  const t = await openTestProject({ sample: true, coder: 'ana' });
  const [doc, other] = await t.call('documents.list', {});
  const codes = await t.call('codes.list', {});
  const [a, b, c] = [codes[0]!, codes[1]!, codes[2]!];
  const ana = await t.call('coders.current', {});
  await t.call('segments.create', { documentId: doc!.id, codeId: a.id, start: 0, end: 20 });
  await t.call('segments.create', { documentId: doc!.id, codeId: c.id, start: 0, end: 20 });
  await t.call('segments.create', { documentId: doc!.id, codeId: b.id, start: 0, end: 9 });
  await t.call('segments.create', { documentId: doc!.id, codeId: a.id, start: 40, end: 60 });
  await t.call('segments.create', { documentId: other!.id, codeId: a.id, start: 0, end: 5 });
  const ben = await t.call('coders.setCurrent', { name: 'ben' });
  await t.call('segments.create', { documentId: doc!.id, codeId: a.id, start: 0, end: 20 });
  await t.call('segments.create', { documentId: doc!.id, codeId: b.id, start: 30, end: 80 });
  await t.call('coders.setCurrent', { name: 'ana' });
  await t.call('team.resolve', { documentId: doc!.id, codeId: b.id, start: 30, end: 80, chosenCoderId: ben.id, reason: 'ben is right' });
  const mine = (await viewRead(t, doc!.id)).filter((s) => s.coder_id === ana.id);
  await t.call('segments.update', { id: mine.find((s) => s.start === 40)!.id, end: 64 });
  const memo = (targetId: string, text: string) => t.call('memos.save', { kind: 'segment', targetId, content: JSON.stringify({ text }), text, title: text });
  await memo(mine[0]!.id, 'first word on it');
  const bens = (await viewRead(t, doc!.id, { coderIds: [ben.id] }))[0]!;
  await memo(bens.id, 'ben\u2019s note ✍️');
  // A second memo on a segment (a merged project can hold two): the one written first is shown.
  const another = (targetId: string, text: string, at: string) =>
    t.project.db.sqlite.run(`INSERT INTO memos (id, target_kind, target_id, title, content, text, created_at, updated_at) VALUES (?, 'segment', ?, '', '{}', ?, ?, ?)`, [
      `memo-${text}`,
      targetId,
      text,
      at,
      at,
    ]);
  await another(mine[0]!.id, 'a later word', '2999-01-01T00:00:00.000Z');
  await another(bens.id, 'the older note', '2001-01-01T00:00:00.000Z');
  // As a REFI-QDA project brings them: an id in braces, whole-second times without milliseconds.
  await t.project.db.sqlite.run(
    `INSERT INTO segments (id, document_id, code_id, coder_id, start, end, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 20, ?, ?)`,
    ['{A0B1C2D3-0000-4000-8000-00000000000F}', doc!.id, a.id, ana.id, '2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z'],
  );
  return { t, doc: doc!, ana, ben, codes: { a, b, c } };
}

describe('the viewer\u2019s segments of a document', () => {
  it('give back, field for field and in the same order, what the segments view gave: memos, several coders, same spans, ids and times from elsewhere', async () => {
    const { t, doc, ana, ben } = await codedByTwo();
    try {
      for (const scope of [{}, { consensus: true }, { coderIds: [ben.id] }, { coderIds: [ana.id, ben.id] }] satisfies Scope[]) {
        const before = await viewRead(t, doc.id, scope);
        expect(await answered(t, doc.id, scope)).toEqual(before);
      }
      const all = await answered(t, doc.id);
      expect(all.map((s) => `${s.start}-${s.end} ${s.code_name}`)).toEqual([
        '0-9 death toll',
        '0-20 casualties',
        '0-20 casualties',
        '0-20 casualties',
        '0-20 injured count',
        '30-80 death toll',
        '40-64 casualties',
      ]);
      expect(all.filter((s) => s.memo).map((s) => s.memo).sort()).toEqual(['first word on it', 'the older note']);
      const braced = all.find((s) => s.id.startsWith('{'))!;
      expect(braced).toMatchObject({ id: '{A0B1C2D3-0000-4000-8000-00000000000F}', created_at: '2024-01-01T00:00:00Z', updated_at: '2024-02-01T00:00:00Z' });
      const changed = all.find((s) => s.start === 40)!;
      expect(changed.updated_at > changed.created_at).toBe(true);
      expect(await answered(t, '00000000-0000-4000-8000-000000000000')).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('leave out the coders a blind round hides, as the segments view did', async () => {
    const { t, doc, ana, ben } = await codedByTwo();
    try {
      await t.call('team.rounds.create', { name: 'Pilot', sample: { kind: 'count', value: 2 }, seed: 7, coderIds: [ana.id, ben.id] });
      const seen = await answered(t, doc.id);
      expect(seen).toEqual(await viewRead(t, doc.id));
      expect(new Set(seen.map((s) => s.coder_name))).toEqual(new Set(['ana']));
      expect((await t.call('workbench.documentSegments', { documentId: doc.id })).coders.map((c) => c.name)).toEqual(['ana']);
      expect(seen.filter((s) => s.memo).map((s) => s.memo)).toEqual(['first word on it']);
    } finally {
      await t.close();
    }
  });

  it('name each code and coder once, however many segments point at them', async () => {
    const { t, doc } = await codedByTwo();
    try {
      const answer = await t.call('workbench.documentSegments', { documentId: doc.id });
      expect(answer.codes.map((c) => c.id)).toEqual([...new Set(answer.codes.map((c) => c.id))]);
      expect(answer.coders.map((c) => c.name).sort()).toEqual(['ana', 'ben']);
      expect(answer.segments.length).toBe(7);
      // Unchanged segments carry one time; the changed one and the imported one carry both.
      expect(answer.segments.filter((s) => s[7] !== null).length).toBe(2);
    } finally {
      await t.close();
    }
  });
});
