import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestProject } from '../helpers/project';
import { touched } from '../../renderer/src/app/use-api';
import type { CountsAfter } from '../../main/api/contract/coding';

type T = Awaited<ReturnType<typeof openTestProject>>;
type Scope = { coderIds?: string[]; consensus?: boolean };

/**
 * A segment write, undo or redo asked with `counts` answers with the counts the views would
 * load next: the codebook as `codes.list` lists it and the touched documents' counts as the
 * document list's rows show them, over the same coders. The renderer applies them instead of
 * reloading, so a wrong answer is a wrong number on screen.
 */
describe('counts answered by segment writes', () => {
  let t: T;
  let docs: string[];
  let codes: string[];
  let alice: string;
  let bob: string;

  beforeEach(async () => {
    t = await openTestProject({ coder: 'alice' });
    const texts = ['The first text, with words to code.', 'The second text, and more words.'];
    await t.call('import.files', { files: texts.map((x, d) => ({ name: `d${d}.txt`, dataBase64: Buffer.from(x).toString('base64') })), keepDuplicates: true });
    docs = (await t.call('documents.page', {})).documents.map((d) => d.id);
    codes = [(await t.call('codes.create', { name: 'casualties' })).id];
    codes.push((await t.call('codes.create', { name: 'civilians', parentId: codes[0] })).id);
    alice = (await t.call('coders.current', {})).id;
    bob = (await t.call('coders.setCurrent', { name: 'bob' })).id;
    await t.call('segments.create', { documentId: docs[0]!, codeId: codes[1]!, start: 0, end: 3 });
    await t.call('coders.setCurrent', { name: 'alice' });
  });
  afterEach(() => t.close());

  /** What the views would load over these coders: the codebook's counts and each document's. */
  async function loaded(scope: Scope) {
    const list = await t.call('codes.list', scope);
    const page = await t.call('documents.page', { ...scope });
    return { codes: list, documents: new Map(page.documents.map((d) => [d.id, d.segment_count])) };
  }

  async function expectAnswerHolds(counts: CountsAfter | undefined, scope: Scope, documentIds: string[]) {
    const now = await loaded(scope);
    expect(counts?.codes).toEqual(now.codes);
    expect(counts?.documents).toEqual(documentIds.map((id) => ({ id, segment_count: now.documents.get(id) })));
  }

  for (const [name, scopeOf] of [
    ['every coder', (): Scope => ({})],
    ['the current coder alone', (): Scope => ({ coderIds: [alice] })],
    ['another coder alone', (): Scope => ({ coderIds: [bob] })],
    ['two coders', (): Scope => ({ coderIds: [alice, bob] })],
  ] as const) {
    it(`match what the codebook and the document list load, over ${name}, through create, change, delete, undo and redo`, async () => {
      const scope = scopeOf();
      const created = await t.call('segments.create', { documentId: docs[0]!, codeId: codes[1]!, start: 4, end: 9, counts: scope });
      await expectAnswerHolds(created.counts, scope, [docs[0]!]);
      if (!scope.coderIds || scope.coderIds.includes(alice)) expect(created.counts!.codes.find((c) => c.id === codes[1])!.segment_count).toBeGreaterThan(0);

      const changed = await t.call('segments.update', { id: created.id, codeId: codes[0]!, counts: scope });
      await expectAnswerHolds(changed.counts, scope, [docs[0]!]);

      const moved = await t.call('segments.update', { id: created.id, start: 5, counts: scope });
      await expectAnswerHolds(moved.counts, scope, [docs[0]!]);

      const second = await t.call('segments.create', { documentId: docs[1]!, codeId: codes[0]!, start: 0, end: 3, counts: scope });
      await expectAnswerHolds(second.counts, scope, [docs[1]!]);

      const deleted = await t.call('segments.delete', { id: created.id, counts: scope });
      await expectAnswerHolds(deleted.counts, scope, [docs[0]!]);

      const undone = await t.call('project.undo', { counts: scope });
      expect(undone.kind).toBe('segment.delete');
      await expectAnswerHolds(undone.counts, scope, [docs[0]!]);

      const undoneAgain = await t.call('project.undo', { counts: scope });
      expect(undoneAgain.kind).toBe('segment.create');
      await expectAnswerHolds(undoneAgain.counts, scope, [docs[1]!]);

      const redone = await t.call('project.redo', { counts: scope });
      expect(redone.kind).toBe('segment.create');
      await expectAnswerHolds(redone.counts, scope, [docs[1]!]);
    });
  }

  it("undo and redo answer with the open document's segments for the viewer when they touched it, and only then", async () => {
    const created = await t.call('segments.create', { documentId: docs[0]!, codeId: codes[0]!, start: 4, end: 9 });
    await t.call('segments.delete', { id: created.id });
    const scope = { coderIds: [alice] };
    const undone = await t.call('project.undo', { counts: scope, openDocumentId: docs[0]! });
    expect(undone.segments).toEqual({ documentId: docs[0]!, segments: await t.call('workbench.documentSegments', { documentId: docs[0]!, ...scope }) });
    expect(undone.segments!.segments.segments.map((s) => s[0])).toContain(created.id);
    const redone = await t.call('project.redo', { counts: scope, openDocumentId: docs[0]! });
    expect(redone.segments!.segments.segments.map((s) => s[0])).not.toContain(created.id);
    // Another document open: its stripes did not move, so none come with the answer.
    expect((await t.call('project.undo', { counts: scope, openDocumentId: docs[1]! })).segments).toBeUndefined();
  });

  it('answer with no counts when not asked, as before', async () => {
    const created = await t.call('segments.create', { documentId: docs[0]!, codeId: codes[0]!, start: 4, end: 9 });
    expect(created.counts).toBeUndefined();
    expect((await t.call('segments.delete', { id: created.id })).counts).toBeUndefined();
    expect((await t.call('project.undo', {})).counts).toBeUndefined();
  });

  it('refuse a counts scope that is not one', async () => {
    const r = await t.callRaw('segments.create', { documentId: docs[0]!, codeId: codes[0]!, start: 0, end: 2, counts: { coderIds: ['nobody'] } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/counts/);
  });

  it("undo and redo of a merge answer with the counts of every document whose segments moved", async () => {
    // A merge logs its moves by segment id and code alone: the documents are looked up.
    await t.call('segments.create', { documentId: docs[1]!, codeId: codes[1]!, start: 4, end: 9 });
    await t.call('segments.create', { documentId: docs[0]!, codeId: codes[0]!, start: 0, end: 3 });
    await t.call('codes.merge', { sourceId: codes[1]!, targetId: codes[0]! });
    const byId = (c: CountsAfter | undefined) => [...(c?.documents ?? [])].sort((a, b) => a.id.localeCompare(b.id));
    const now = async () => {
      const page = await t.call('documents.page', {});
      return page.documents.map((d) => ({ id: d.id, segment_count: d.segment_count })).sort((a, b) => a.id.localeCompare(b.id));
    };
    const undone = await t.call('project.undo', { counts: {} });
    expect(undone.kind).toBe('code.merge');
    expect(byId(undone.counts)).toEqual(await now());
    expect(undone.counts!.codes).toEqual(await t.call('codes.list', {}));
    const redone = await t.call('project.redo', { counts: {} });
    expect(byId(redone.counts)).toEqual(await now());
  });

  it('undo of a code deletion answers with the codebook, and the document list still reloads', async () => {
    await t.call('codes.delete', { id: codes[0]! });
    const undone = await t.call('project.undo', { counts: {} });
    expect(undone.kind).toBe('code.delete');
    await expect(loaded({})).resolves.toMatchObject({ codes: undone.counts!.codes });
    expect(touched('history:code.delete', undone)).toContain('documents');
    expect(touched('history:code.delete', undone)).not.toContain('codes');
  });
});

describe('what a write with counts leaves the views to reload', () => {
  const counts: CountsAfter = { codes: [], documents: [{ id: 'x', segment_count: 1 }] };
  it('neither the codebook nor the document list after a segment write or its undo', () => {
    for (const source of ['segments.create', 'segments.update', 'segments.delete', 'history:segment.delete'] as const) {
      const topics = touched(source, { counts });
      expect(topics).not.toContain('codes');
      expect(topics).not.toContain('documents');
      expect(topics).toContain('segments');
    }
  });
  it('both when the write carried no counts, or too many documents to patch', () => {
    expect(touched('segments.create', { id: 'x' })).toEqual(expect.arrayContaining(['codes', 'documents']));
    expect(touched('history:segment.autocode', { counts: { ...counts, documents: null } })).toContain('documents');
  });
});
