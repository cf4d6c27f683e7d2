import { describe, expect, it } from 'vitest';
import { openTestProject } from '../helpers/project';
import { segmentsOf } from '../../renderer/src/features/viewer/segment-rows';

describe('blind coding during a reliability round', () => {
  it('hides the other coders of an open round from segment views, and shows them again once it closes', async () => {
    const t = await openTestProject({ sample: true, coder: 'ana' });
    try {
      const [doc] = await t.call('documents.list', {});
      const [code] = await t.call('codes.list', {});
      const ana = await t.call('coders.current', {});
      await t.call('segments.create', { documentId: doc!.id, codeId: code!.id, start: 0, end: 10 });
      const ben = await t.call('coders.setCurrent', { name: 'ben' });
      await t.call('segments.create', { documentId: doc!.id, codeId: code!.id, start: 5, end: 20 });
      await t.call('coders.setCurrent', { name: 'ana' });

      const round = await t.call('team.rounds.create', { name: 'Pilot', sample: { kind: 'count', value: 2 }, seed: 7, coderIds: [ana.id, ben.id] });
      expect((await t.call('segments.list', {})).map((s) => s.coder_name)).toEqual(['ana']);
      expect(segmentsOf(await t.call('workbench.documentSegments', { documentId: doc!.id })).map((s) => s.coder_name)).toEqual(['ana']);
      expect(await t.call('team.visibleCoders', {})).toMatchObject({ restricted: true, hidden_coder_ids: [ben.id] });
      // Counts would give ben's coding away too.
      expect((await t.call('codes.list', {})).find((c) => c.id === code!.id)!.segment_count).toBe(1);
      expect((await t.call('documents.list', {})).find((d) => d.id === doc!.id)!.segment_count).toBe(1);

      await t.call('team.rounds.close', { id: round.id });
      expect((await t.call('segments.list', {})).map((s) => s.coder_name).sort()).toEqual(['ana', 'ben']);
      expect((await t.call('codes.list', {})).find((c) => c.id === code!.id)!.segment_count).toBe(2);
    } finally {
      await t.close();
    }
  });

  it('refuses agreement and disagreements with a hidden coder (their work would read as none), and gives them outside the round and once it closes', async () => {
    const t = await openTestProject({ sample: true, coder: 'ana' });
    try {
      const [doc] = await t.call('documents.list', {});
      const [code] = await t.call('codes.list', {});
      const ana = await t.call('coders.current', {});
      await t.call('segments.create', { documentId: doc!.id, codeId: code!.id, start: 0, end: 10 });
      const ben = await t.call('coders.setCurrent', { name: 'ben' });
      await t.call('segments.create', { documentId: doc!.id, codeId: code!.id, start: 0, end: 10 });
      const carl = await t.call('coders.setCurrent', { name: 'carl' });
      await t.call('segments.create', { documentId: doc!.id, codeId: code!.id, start: 0, end: 10 });
      await t.call('coders.setCurrent', { name: 'ana' });
      const round = await t.call('team.rounds.create', { name: 'Pilot', sample: { kind: 'count', value: 2 }, seed: 7, coderIds: [ana.id, ben.id] });

      for (const method of ['team.agreement', 'team.agreementCsv'] as const) {
        const r = await t.callRaw(method, { coderIds: [ana.id, ben.id] });
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error.message).toBe(
          'coders: the coding of "ben" is hidden from you while a reliability round you code in is open, so agreement with that coder cannot be computed yet. Compare once the round is closed, or as a coder outside the round.',
        );
      }
      const listed = await t.callRaw('team.disagreements', { documentId: doc!.id, coderIds: [ana.id, ben.id] });
      expect(listed.ok ? 'listed' : listed.error.message).toMatch(/^coderIds: the coding of "ben" is hidden from you while a reliability round you code in is open/);
      expect(await t.call('team.disagreements', { documentId: doc!.id, coderIds: [ana.id, carl.id] })).toEqual([]);
      // carl is outside the round: visible, and compared as usual (the same span: full agreement).
      expect((await t.call('team.agreement', { coderIds: [ana.id, carl.id], codeIds: [code!.id] })).codes[0]!.counts.both).toBe(10);
      // carl sees both of the round's coders and gets the true figure.
      await t.call('coders.setCurrent', { name: 'carl' });
      expect((await t.call('team.agreement', { coderIds: [ana.id, ben.id], codeIds: [code!.id] })).codes[0]!.percent_agreement).toBe(100);
      await t.call('coders.setCurrent', { name: 'ana' });
      await t.call('team.rounds.close', { id: round.id });
      expect((await t.call('team.agreement', { coderIds: [ana.id, ben.id], codeIds: [code!.id] })).codes[0]!.counts.both).toBe(10);
    } finally {
      await t.close();
    }
  });
});
