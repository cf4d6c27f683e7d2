import { randomInt, randomUUID } from 'node:crypto';
import type { Reader, Tx } from '../db/project-db';
import { MarginaliaError, invalid, notFound } from '../errors';
import { agreementFromProject, type AgreementReport } from './agreement';
import type { AgreementUnit } from './units';
import { CONSENSUS_CODER } from './consensus';

export type SampleSpec = { kind: 'share'; value: number } | { kind: 'count'; value: number };

/** A reliability round: a sample of documents coded independently by named coders. */
export interface ReliabilityRound {
  id: string;
  name: string;
  status: 'open' | 'closed';
  sample: SampleSpec;
  /** The seed the sample was drawn with: the same seed over the same documents draws the same sample. */
  seed: number;
  documents: { id: string; name: string }[];
  coders: { id: string; name: string }[];
  unit: AgreementUnit;
  threshold: number;
  created_at: string;
  created_by: string | null;
  closed_at: string | null;
  results: AgreementReport | null;
}

/** mulberry32: a small, well-mixed 32-bit PRNG, so a recorded seed reproduces a sample anywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Draws `n` of `ids` with a seeded Fisher–Yates shuffle. The ids are sorted first so the
 * draw depends only on which documents there are, not on the order they were listed in.
 */
export function drawSample(ids: readonly string[], n: number, seed: number): string[] {
  const pool = [...ids].sort();
  const rand = seededRandom(seed);
  for (let i = 0; i < Math.min(n, pool.length); i++) {
    const j = i + Math.floor(rand() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, n);
}

/** How many documents a sample spec asks for out of `total`. */
export function sampleSize(spec: SampleSpec, total: number): number {
  if (spec.kind === 'share') {
    if (!(spec.value > 0 && spec.value <= 1)) throw invalid('sample', `a share must be more than 0 and at most 1 (0.2 means 20%); got ${spec.value}.`);
    return Math.max(1, Math.round(spec.value * total));
  }
  if (!Number.isInteger(spec.value) || spec.value < 1) throw invalid('sample', `a number of documents must be a whole number from 1; got ${spec.value}.`);
  if (spec.value > total) throw invalid('sample', `asks for ${spec.value} documents but only ${total} are there to draw from.`);
  return spec.value;
}

interface RoundRow {
  id: string;
  name: string;
  status: 'open' | 'closed';
  sample_spec: string;
  seed: number;
  document_ids: string;
  coder_ids: string;
  unit: AgreementUnit;
  threshold: number;
  created_at: string;
  created_by: string | null;
  closed_at: string | null;
  results: string | null;
}

async function toRound(r: Reader, row: RoundRow): Promise<ReliabilityRound> {
  const docIds = JSON.parse(row.document_ids) as string[];
  const coderIds = JSON.parse(row.coder_ids) as string[];
  const names = async (table: 'documents' | 'coders', ids: string[]) => {
    const found = new Map((await r.all<{ id: string; name: string }>(`SELECT id, name FROM ${table} WHERE id IN (${ids.map(() => '?').join(',') || "''"})`, ids)).map((x) => [x.id, x.name]));
    return ids.map((id) => ({ id, name: found.get(id) ?? '(deleted)' }));
  };
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    sample: JSON.parse(row.sample_spec) as SampleSpec,
    seed: row.seed,
    documents: await names('documents', docIds),
    coders: await names('coders', coderIds),
    unit: row.unit,
    threshold: row.threshold,
    created_at: row.created_at,
    created_by: row.created_by,
    closed_at: row.closed_at,
    results: row.results ? (JSON.parse(row.results) as AgreementReport) : null,
  };
}

export async function listRounds(r: Reader): Promise<ReliabilityRound[]> {
  const rows = await r.all<RoundRow>(`SELECT * FROM reliability_rounds ORDER BY created_at DESC`);
  const out: ReliabilityRound[] = [];
  for (const row of rows) out.push(await toRound(r, row));
  return out;
}

export async function getRound(r: Reader, id: string): Promise<ReliabilityRound> {
  const row = await r.get<RoundRow>(`SELECT * FROM reliability_rounds WHERE id = ?`, [id]);
  if (!row) throw notFound('reliability round', id);
  return toRound(r, row);
}

export interface NewRound {
  name: string;
  sample: SampleSpec;
  /** Recorded with the round; a random one is drawn and recorded when absent. */
  seed?: number;
  coderIds: string[];
  /** Documents to draw from; all documents when absent or empty. */
  documentIds?: string[];
  unit: AgreementUnit;
  threshold: number;
  createdBy: string | null;
}

export async function createRound(tx: Tx, input: NewRound): Promise<string> {
  const name = input.name.trim();
  if (!name) throw invalid('name', 'a round needs a name, such as "Pilot, March".');
  const coderIds = [...new Set(input.coderIds)];
  if (coderIds.length < 2) throw invalid('coderIds', 'a reliability round needs at least two coders.');
  for (const id of coderIds) if (!(await tx.get(`SELECT 1 FROM coders WHERE id = ?`, [id]))) throw notFound('coder', id);
  let pool = (await tx.all<{ id: string }>(`SELECT id FROM documents`)).map((d) => d.id);
  if (input.documentIds && input.documentIds.length > 0) {
    const all = new Set(pool);
    for (const id of input.documentIds) if (!all.has(id)) throw notFound('document', id);
    pool = [...new Set(input.documentIds)];
  }
  if (pool.length === 0) throw new MarginaliaError('invalid_input', 'sample: there are no documents to draw from. Import documents first.');
  if (!(input.threshold > 0 && input.threshold <= 1)) throw invalid('threshold', `must be more than 0 and at most 1; got ${input.threshold}.`);
  const seed = input.seed ?? randomInt(0, 2 ** 31);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw invalid('seed', `must be a whole number from 0 to 4294967295; got ${seed}.`);
  const sample = drawSample(pool, sampleSize(input.sample, pool.length), seed);
  const id = randomUUID();
  await tx.insert('reliability_rounds', {
    id,
    name,
    status: 'open',
    sample_spec: JSON.stringify(input.sample),
    seed,
    document_ids: JSON.stringify(sample),
    coder_ids: JSON.stringify(coderIds),
    unit: input.unit,
    threshold: input.threshold,
    created_at: new Date().toISOString(),
    created_by: input.createdBy,
    closed_at: null,
    results: null,
  });
  return id;
}

/** Closes a round: computes agreement on exactly its sample and coders, and keeps the results. */
export async function closeRound(tx: Tx, id: string): Promise<AgreementReport> {
  const round = await getRound(tx, id);
  if (round.status === 'closed') throw new MarginaliaError('conflict', `The round "${round.name}" is already closed; its results are kept with it.`);
  const results = await agreementFromProject(tx, {
    coderIds: round.coders.map((c) => c.id),
    documentIds: round.documents.filter((d) => d.name !== '(deleted)').map((d) => d.id),
    unit: round.unit,
    threshold: round.threshold,
  });
  await tx.update('reliability_rounds', { id }, { status: 'closed', closed_at: new Date().toISOString(), results: JSON.stringify(results) });
  return results;
}

export interface VisibleCoders {
  /** True while an open round hides other coders' work from this coder. */
  restricted: boolean;
  /** Coders whose segments and memos this coder may see. */
  visible_coder_ids: string[];
  hidden_coder_ids: string[];
  /** The open rounds this coder takes part in. */
  rounds: { id: string; name: string }[];
}

/**
 * Which coders' work the given coder may see. While a round they take part in is open, the
 * other coders of that round and the consensus layer are hidden, so each codes the sample
 * independently. Every read obeys this through the read scope of core/team/blind.ts.
 */
export async function visibleCoders(r: Reader, coderId: string): Promise<VisibleCoders> {
  const all = (await r.all<{ id: string }>(`SELECT id FROM coders`)).map((c) => c.id);
  const open = await r.all<{ id: string; name: string; coder_ids: string }>(`SELECT id, name, coder_ids FROM reliability_rounds WHERE status = 'open' ORDER BY created_at`);
  const hidden = new Set<string>();
  const rounds: { id: string; name: string }[] = [];
  for (const round of open) {
    const ids = JSON.parse(round.coder_ids) as string[];
    if (!ids.includes(coderId)) continue;
    rounds.push({ id: round.id, name: round.name });
    for (const id of ids) if (id !== coderId) hidden.add(id);
  }
  // The consensus layer is hidden too: its codings are copies of someone's work.
  if (hidden.size > 0) for (const c of await r.all<{ id: string }>(`SELECT id FROM coders WHERE name = ? AND id <> ?`, [CONSENSUS_CODER, coderId])) hidden.add(c.id);
  return { restricted: hidden.size > 0, visible_coder_ids: all.filter((id) => !hidden.has(id)), hidden_coder_ids: [...hidden], rounds };
}
