import { randomUUID } from 'node:crypto';
import type { Reader, Tx } from '../db/project-db';
import { MarginaliaError, invalid, notFound } from '../errors';
import { listCodes } from '../codebook/codebook';
import { findOrCreateCoder } from '../coders/coders';
import { createSegments, spanProblem } from '../coding/segments';
import { createMemo } from '../memos/memos';
import { sliceCodePoints } from '../text/normalise';
import { coverage, type Span } from './units';
import { hiddenAmong } from './blind-scope';

/** The coder that settled disagreements are copied to, so the consensus exports like any coder. */
export const CONSENSUS_CODER = 'consensus';

export interface ConsensusDecision {
  id: string;
  start: number;
  end: number;
  chosen_coder_id: string | null;
  chosen_coder_name: string | null;
  reason: string;
  decided_at: string;
}

/** A passage where the compared coders did not all apply a code the same way. */
export interface Disagreement {
  /** Stable within one listing: "<code id>:<start>:<end>". */
  id: string;
  code_id: string;
  code_path: string;
  code_color: string;
  start: number;
  end: number;
  text: string;
  /** Per compared coder: did they code this passage, and with which segments (ids). */
  coders: { coder_id: string; coder_name: string; coded: boolean; segment_ids: string[] }[];
  /** The latest consensus decision overlapping this passage, if any. */
  decision: ConsensusDecision | null;
}

interface SegRow {
  id: string;
  code_id: string;
  coder_id: string;
  start: number;
  end: number;
}

/**
 * Disagreements of two or more coders in one document: the stretches of text, per code,
 * that some of them coded and others did not, in reading order.
 */
export async function listDisagreements(r: Reader, input: { documentId: string; coderIds: string[]; codeIds?: string[] }): Promise<Disagreement[]> {
  const doc = await r.get<{ id: string; text: string; length: number }>(`SELECT id, text, length FROM documents WHERE id = ?`, [input.documentId]);
  if (!doc) throw notFound('document', input.documentId);
  const coderIds = [...new Set(input.coderIds)];
  if (coderIds.length < 2) throw invalid('coderIds', 'choose at least two coders to compare.');
  const coders: { id: string; name: string }[] = [];
  for (const id of coderIds) {
    const c = await r.get<{ id: string; name: string }>(`SELECT id, name FROM coders WHERE id = ?`, [id]);
    if (!c) throw notFound('coder', id);
    coders.push(c);
  }
  // Under blind coding a hidden coder's work reads as none: every passage would look disputed.
  const hidden = await hiddenAmong(r, coderIds);
  if (hidden.length > 0) {
    const names = coders.filter((c) => hidden.includes(c.id)).map((c) => `"${c.name}"`).join(' and ');
    throw invalid('coderIds', `the coding of ${names} is hidden from you while a reliability round you code in is open, so the passages coded differently cannot be listed yet. Compare once the round is closed, or as a coder outside the round.`);
  }
  const codes = await listCodes(r);
  const wanted = input.codeIds && input.codeIds.length > 0 ? new Set(input.codeIds) : null;
  const segs = await r.all<SegRow>(
    `SELECT id, code_id, coder_id, start, end FROM segments WHERE document_id = ? AND coder_id IN (${coders.map(() => '?').join(',')}) ORDER BY start, end`,
    [doc.id, ...coders.map((c) => c.id)],
  );
  const decisions = await r.all<ConsensusDecision & { code_id: string }>(
    `SELECT d.id, d.code_id, d.start, d.end, d.chosen_coder_id, k.name AS chosen_coder_name, d.reason, d.decided_at
     FROM consensus_decisions d LEFT JOIN coders k ON k.id = d.chosen_coder_id WHERE d.document_id = ? ORDER BY d.decided_at DESC`,
    [doc.id],
  );
  const out: Disagreement[] = [];
  for (const code of codes) {
    if (wanted && !wanted.has(code.id)) continue;
    const mine = segs.filter((s) => s.code_id === code.id);
    if (mine.length === 0) continue;
    const per = coders.map((c) => coverage(mine.filter((s) => s.coder_id === c.id)));
    for (const span of disagreeingSpans(per)) {
      out.push({
        id: `${code.id}:${span.start}:${span.end}`,
        code_id: code.id,
        code_path: code.path,
        code_color: code.color,
        start: span.start,
        end: span.end,
        text: sliceCodePoints(doc.text, span.start, span.end),
        coders: coders.map((c, i) => ({
          coder_id: c.id,
          coder_name: c.name,
          coded: per[i]!.some((s) => s.start < span.end && s.end > span.start),
          segment_ids: mine.filter((s) => s.coder_id === c.id && s.start < span.end && s.end > span.start).map((s) => s.id),
        })),
        decision: decisions.find((d) => d.code_id === code.id && d.start < span.end && d.end > span.start) ?? null,
      });
    }
  }
  return out.sort((a, b) => a.start - b.start || a.end - b.end || a.code_path.localeCompare(b.code_path));
}

/** Stretches where some but not all coverages hold; neighbouring stretches join into one passage. */
export function disagreeingSpans(per: readonly Span[][]): Span[] {
  const points = new Set<number>();
  for (const c of per) for (const s of c) points.add(s.start).add(s.end);
  const sorted = [...points].sort((a, b) => a - b);
  const out: Span[] = [];
  for (let k = 0; k + 1 < sorted.length; k++) {
    const p = sorted[k]!;
    const q = sorted[k + 1]!;
    const n = per.filter((c) => c.some((s) => s.start <= p && s.end > p)).length;
    if (n === 0 || n === per.length) continue;
    const last = out[out.length - 1];
    if (last && last.end === p) last.end = q;
    else out.push({ start: p, end: q });
  }
  return out;
}

export interface ResolveInput {
  documentId: string;
  codeId: string;
  start: number;
  end: number;
  /** The coder whose coding is kept; null settles the passage as not coded. */
  chosenCoderId: string | null;
  reason: string;
  decidedBy: string | null;
}

export interface ResolveResult {
  decision_id: string;
  consensus_coder_id: string;
  /** Consensus segments created (copies of the chosen coder's segments). */
  created: string[];
  /** Earlier consensus segments of this code in the passage that the decision replaced. */
  removed: number;
}

/**
 * Settles one disagreement: the chosen coder's segments of the code that touch the passage
 * are copied, whole, to the consensus coder, with a memo giving the reason; earlier
 * consensus segments there are replaced. Run inside one action, so Undo reverts it.
 */
export async function resolveDisagreement(tx: Tx, input: ResolveInput): Promise<ResolveResult> {
  const reason = input.reason.trim();
  if (!reason) throw invalid('reason', 'say why this coding was chosen; the memo is what a reader of the consensus will see.');
  const doc = await tx.get<{ name: string; length: number }>(`SELECT name, length FROM documents WHERE id = ?`, [input.documentId]);
  if (!doc) throw notFound('document', input.documentId);
  if (!(await tx.get(`SELECT 1 FROM codes WHERE id = ?`, [input.codeId]))) throw notFound('code', input.codeId);
  if (spanProblem(doc, input.start, input.end)) {
    throw invalid('end', `[${input.start}, ${input.end}) is not a passage of "${doc.name}" (${doc.length} characters).`);
  }
  let chosenName: string | null = null;
  if (input.chosenCoderId !== null) {
    const c = await tx.get<{ name: string }>(`SELECT name FROM coders WHERE id = ?`, [input.chosenCoderId]);
    if (!c) throw notFound('coder', input.chosenCoderId);
    chosenName = c.name;
  }
  const consensusId = (await findOrCreateCoder(tx, CONSENSUS_CODER)).id;
  if (input.chosenCoderId === consensusId) throw invalid('chosenCoderId', 'choose one of the compared coders, not the consensus itself.');
  const overlapping = `document_id = ? AND code_id = ? AND coder_id = ? AND start < ? AND end > ?`;
  const chosen = input.chosenCoderId
    ? await tx.all<{ start: number; end: number }>(`SELECT start, end FROM segments WHERE ${overlapping} ORDER BY start`, [
        input.documentId,
        input.codeId,
        input.chosenCoderId,
        input.end,
        input.start,
      ])
    : [];
  if (input.chosenCoderId && chosen.length === 0) {
    throw new MarginaliaError('invalid_input', `chosenCoderId: ${chosenName} did not code this passage with this code; to settle it as not coded, choose "not coded".`);
  }
  const previous = await tx.all<{ id: string; start: number; end: number }>(`SELECT id, start, end FROM segments WHERE ${overlapping}`, [
    input.documentId,
    input.codeId,
    consensusId,
    input.end,
    input.start,
  ]);
  const keep = new Set(chosen.map((s) => `${s.start}:${s.end}`));
  let removed = 0;
  for (const p of previous) {
    if (keep.has(`${p.start}:${p.end}`)) continue;
    await tx.remove('memos', { target_kind: 'segment', target_id: p.id });
    await tx.remove('segments', { id: p.id });
    removed++;
  }
  const now = new Date().toISOString();
  const memoText = input.chosenCoderId ? `Consensus: kept ${chosenName}'s coding. ${reason}` : `Consensus: not coded here. ${reason}`;
  const memo = (kind: 'segment' | 'document', targetId: string) =>
    createMemo(tx, { kind, targetId, authorId: input.decidedBy, title: 'Consensus decision', text: memoText, createdAt: now });
  // The copies go through the coding rules like any segment: a chosen segment that is not a
  // passage of its document (a damaged or hand-edited file) refuses the decision instead of
  // being copied. An earlier consensus segment of the same span is the same coding and stays.
  const copies = await createSegments(
    tx,
    chosen.map((s) => ({ documentId: input.documentId, codeId: input.codeId, coderId: consensusId, start: s.start, end: s.end, createdAt: now })),
    { duplicates: 'skip' },
  );
  const created: string[] = [];
  for (const [i, copy] of copies.entries()) {
    if (copy.status === 'refused') {
      const s = chosen[i]!;
      throw new MarginaliaError(
        'invalid_input',
        `chosenCoderId: ${chosenName}'s segment [${s.start}, ${s.end}) cannot be copied to the consensus (${copy.error.message}) Correct or delete that segment, then settle the passage again.`,
      );
    }
    if (copy.status === 'created') {
      await memo('segment', copy.id);
      created.push(copy.id);
    }
  }
  // A passage settled as not coded has no segment to carry the memo: the document carries it.
  if (created.length === 0) await memo('document', input.documentId);
  const decisionId = randomUUID();
  await tx.insert('consensus_decisions', {
    id: decisionId,
    document_id: input.documentId,
    code_id: input.codeId,
    start: input.start,
    end: input.end,
    chosen_coder_id: input.chosenCoderId,
    reason,
    decided_by: input.decidedBy,
    decided_at: now,
  });
  return { decision_id: decisionId, consensus_coder_id: consensusId, created, removed };
}
