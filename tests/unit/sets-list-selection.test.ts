import { afterEach, describe, expect, it } from 'vitest';
import { openTestProject } from '../helpers/project';
import { addDocuments } from '../../main/core/documents/documents';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** 30 documents: "report 00" … "report 19" and "memo 00" … "memo 09", imported in that order. */
async function project() {
  const t = await openTestProject();
  cleanups.push(() => t.close());
  const names = [...Array.from({ length: 20 }, (_, i) => `report ${String(i).padStart(2, '0')}`), ...Array.from({ length: 10 }, (_, i) => `memo ${String(i).padStart(2, '0')}`)];
  await t.project.db.transaction((tx) => addDocuments(tx, names.map((name) => ({ name, text: `The text of ${name}.`, importedBy: null }))));
  const page = await t.call('documents.page', { limit: 1000 });
  const idOf = new Map(page.documents.map((d) => [d.name, d.id]));
  const nameOf = new Map(page.documents.map((d) => [d.id, d.name]));
  const members = async (setId: string) => (await t.call('sets.members', { setId })).map((id) => nameOf.get(id)!).sort();
  return { t, idOf, members };
}

describe('adding a selection of the document list to a set, by its filter rather than its ids', () => {
  it('adds every document the filtered list shows, or those at the selected positions of its order, less the unticked ones', async () => {
    const { t, idOf, members } = await project();
    const { id: setId } = await t.call('sets.create', { name: 'Chosen' });

    // "Select all 20 matching" with the name filter: no id crosses the bridge.
    expect(await t.call('sets.add', { setId, list: { filter: 'report' } })).toEqual({ added: 20 });
    expect((await members(setId)).length).toBe(20);
    expect((await members(setId)).every((n) => n.startsWith('report'))).toBe(true);

    // Positions in the list as sorted on screen: by name, descending, rows 1–3 and 6 (from 0).
    const { id: second } = await t.call('sets.create', { name: 'Ranges' });
    const shown = (await t.call('documents.page', { filter: 'memo', sort: 'name', descending: true, limit: 100 })).documents.map((d) => d.name);
    const r = await t.call('sets.add', {
      setId: second,
      list: { filter: 'memo', sort: 'name', descending: true, ranges: [{ offset: 1, limit: 3 }, { offset: 6, limit: 1 }] },
      exceptIds: [idOf.get(shown[2]!)!],
    });
    expect(r).toEqual({ added: 3 });
    expect(await members(second)).toEqual([shown[1]!, shown[3]!, shown[6]!].sort());

    // A selection of a set's own list, taken out of it: everything but two unticked rows.
    const out = await t.call('sets.remove', { setId, list: { setId, filter: '1' }, exceptIds: [idOf.get('report 10')!, idOf.get('report 11')!] });
    // report 01, 12–19 (10 and 11 unticked)
    expect(out).toEqual({ removed: 9 });
    expect(await members(setId)).toEqual(
      ['report 00', 'report 02', 'report 03', 'report 04', 'report 05', 'report 06', 'report 07', 'report 08', 'report 09', 'report 10', 'report 11'],
    );
  });

  it('is one undoable step each: undo restores the set exactly, redo does it again', async () => {
    const { t, members } = await project();
    const { id: setId } = await t.call('sets.create', { name: 'Chosen', list: { filter: 'report', ranges: [{ offset: 0, limit: 5 }] } });
    const before = await members(setId);
    expect(before).toEqual(['report 00', 'report 01', 'report 02', 'report 03', 'report 04']);

    await t.call('sets.add', { setId, list: {} });
    expect((await members(setId)).length).toBe(30);
    await t.call('project.undo', {});
    expect(await members(setId)).toEqual(before);

    await t.call('sets.remove', { setId, list: { setId } });
    expect(await members(setId)).toEqual([]);
    await t.call('project.undo', {});
    expect(await members(setId)).toEqual(before);
    await t.call('project.redo', {});
    expect(await members(setId)).toEqual([]);
  });

  it('refuses a selection that names nothing, a set that does not exist, and an attribute sort without its attribute', async () => {
    const { t } = await project();
    const { id: setId } = await t.call('sets.create', { name: 'Chosen' });
    await expect(t.call('sets.remove', { setId })).rejects.toThrow(/name the documents to take out/);
    await expect(t.call('sets.add', { setId, list: { setId: '00000000-0000-4000-8000-000000000000' } })).rejects.toThrow(/not_found.*document set/);
    await expect(t.call('sets.add', { setId, list: { sort: 'attribute' } })).rejects.toThrow(/name the attribute to sort by/);
    expect(await t.call('sets.members', { setId })).toEqual([]);
  });
});
