import { openTestProject } from './project';
import { addDocuments } from '../../main/core/documents/documents';
import { createCode } from '../../main/core/codebook/codebook';
import { findOrCreateCoder } from '../../main/core/coders/coders';
import { createSegments, type NewSegment } from '../../main/core/coding/segments';
import { seededRandom } from '../../main/core/team/rounds';

/** A small seeded generator (mulberry32): the same project on every run. (the one in main/core/team/rounds.ts, which draws reliability samples). */
export const random = seededRandom;

export interface GeneratedSegment {
  id: string;
  document_id: string;
  code_id: string;
  coder_id: string;
  start: number;
  end: number;
}

const WORDS = ['missile', 'strike', 'Kyiv', 'officials', 'said', 'according', 'to', 'the', 'ministry', 'claimed', 'civilians', 'were', 'killed', 'ракета', 'удар', 'заявили', '😀', 'naïve', 'provocation', 'NATO'];
const OUTLETS = ['RT', 'BBC', 'TASS', 'Guardian'];

/**
 * A project of `documents` articles of a few paragraphs (one with an emoji before its
 * segments), a two-level codebook, three coders and the consensus layer, and segments that
 * overlap at random, some spanning two paragraphs. Attributes: outlet (text) and date.
 */
export async function analysisProject(seed: number, documents = 24) {
  const t = await openTestProject({ coder: 'ana' });
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const db = t.project.db;
  const built = await db.action({ kind: 'test', summary: 'Generate', coderId: null }, async (tx) => {
    const coders = [await findOrCreateCoder(tx, 'ana'), await findOrCreateCoder(tx, 'ben'), await findOrCreateCoder(tx, 'consensus')];
    const themes = [await createCode(tx, { name: 'casualties' }), await createCode(tx, { name: 'attribution' })];
    const codes = [
      ...themes,
      await createCode(tx, { name: 'civilian', parentId: themes[0] }),
      await createCode(tx, { name: 'military', parentId: themes[0] }),
      await createCode(tx, { name: 'blames Russia', parentId: themes[1] }),
      await createCode(tx, { name: 'blames Ukraine', parentId: themes[1] }),
      await createCode(tx, { name: '=HYPERLINK("x")' }),
    ];
    const texts = Array.from({ length: documents }, (_, i) => {
      const paragraphs = Array.from({ length: 2 + Math.floor(rnd() * 4) }, () => Array.from({ length: 8 + Math.floor(rnd() * 20) }, () => pick(WORDS)).join(' '));
      return { name: `Article ${i + 1}${i % 7 === 3 ? ' 😀' : ''}`, text: paragraphs.join('\n\n') };
    });
    const results = await addDocuments(
      tx,
      texts.map((d, i) => ({
        ...d,
        importedBy: coders[0]!.id,
        attributes: { outlet: i % 9 === 8 ? null : pick(OUTLETS), date: `2024-0${1 + Math.floor(rnd() * 4)}-${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}` },
        attributeTypes: { date: 'date' },
      })),
    );
    const docs = results.map((r, i) => {
      if (r.status !== 'imported') throw new Error(`document ${i} not imported`);
      return { id: r.id, length: Array.from(texts[i]!.text).length };
    });
    const segs: NewSegment[] = [];
    for (const d of docs) {
      const n = Math.floor(rnd() * 9);
      for (let k = 0; k < n; k++) {
        const start = Math.floor(rnd() * (d.length - 2));
        const end = Math.min(d.length, start + 1 + Math.floor(rnd() * 60));
        segs.push({ documentId: d.id, codeId: pick(codes), coderId: pick(coders).id, start, end });
      }
    }
    await createSegments(tx, segs);
    return { coders, codes, docs };
  });
  const segments = await db.read((r) => r.all<GeneratedSegment>(`SELECT id, document_id, code_id, coder_id, start, end FROM segments`));
  return { ...t, ...built, segments };
}
