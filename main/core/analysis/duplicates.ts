import type { ProjectDb, Reader } from '../db/project-db';
import { invalid, notFound } from '../errors';
import { decodeValue, type AttributeValue, type VariableType } from '../documents/documents';
import { BANDS, HASHES, bandKeysInto, signature, similarity, toBlob, viewBlob } from './minhash';
import { diffTexts, type TextDiff } from './text-diff';

/** The similarity two texts need to be the same story, unless the researcher chooses another. */
export const DEFAULT_THRESHOLD = 0.8;
/** Pairs kept in the project: a threshold below this would miss pairs, so it is refused. */
export const MIN_THRESHOLD = 0.5;
/** Documents signed per transaction while indexing. */
const PAGE = 500;

export interface IndexResult {
  /** Documents given a signature now. */
  indexed: number;
  /** Near-duplicate pairs found among them and with the documents indexed before. */
  pairs: number;
}

/**
 * Signs every document that has no signature yet and compares it with all the others through
 * LSH bands. Incremental: an import signs only its own documents, builds the band buckets of
 * those, and streams the stored signatures once to find earlier documents in the same buckets.
 * Derived data, so written outside the undo history.
 */
export function indexDuplicates(db: ProjectDb, round = ROUND): Promise<IndexResult> {
  // One indexing run per project at a time: the list's counts and the view's groups often ask
  // together, and on a project just opened at 100,000 documents the first run signs them all.
  const running = indexing.get(db);
  if (running) return running.then(() => indexDuplicates(db, round));
  const run = indexNow(db, round).finally(() => indexing.delete(db));
  indexing.set(db, run);
  return run;
}

const indexing = new WeakMap<ProjectDb, Promise<IndexResult>>();

/**
 * Documents signed and compared per round. Memory is bounded by a round, not by the import:
 * the round's signatures in one typed array (512 bytes a document) and its band buckets as
 * sorted typed arrays (8 bytes a document a band), about 40 MB for 50,000 documents. A
 * million-row CSV signs in 20 rounds, each comparing its documents with every signature
 * stored before it.
 */
const ROUND = 50_000;

async function indexNow(db: ProjectDb, roundSize: number): Promise<IndexResult> {
  // Signatures leave with their documents (ON DELETE CASCADE), so equal counts mean every
  // document is signed: two index counts, however large the project.
  const counts = await db.read((r) => r.get<{ docs: number; signed: number }>(`SELECT (SELECT count(*) FROM documents) AS docs, (SELECT count(*) FROM document_fingerprints) AS signed`));
  const total: IndexResult = { indexed: 0, pairs: 0 };
  if (!counts || counts.docs === counts.signed) return total;
  // The unsigned documents a round at a time, in id order: never every id of a million-row
  // import in memory at once. Ids only: the id index covers this, where a scan of the table
  // would read every text.
  let after = '';
  for (;;) {
    const ids = await db.read(async (r) =>
      (
        await r.all<{ id: string }>(
          `SELECT id FROM documents d WHERE d.id > ? AND NOT EXISTS (SELECT 1 FROM document_fingerprints f WHERE f.document_id = d.id) ORDER BY d.id LIMIT ?`,
          [after, roundSize],
        )
      ).map((x) => x.id),
    );
    if (ids.length === 0) break;
    after = ids[ids.length - 1]!;
    const round = await indexRound(db, ids);
    total.indexed += round.indexed;
    total.pairs += round.pairs;
    if (ids.length < roundSize) break;
  }
  return total;
}

/** Band buckets packed as key × 2^21 + index, sorted: a round holds at most 2^21 documents. */
const INDEX_SPAN = 2 ** 21;

/** Where the documents whose band key is `key` start in one band's sorted packed array (they run while the key is the same). */
function bucketStart(band: Float64Array, key: number): number {
  const lowest = key * INDEX_SPAN;
  let lo = 0;
  let hi = band.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (band[mid]! < lowest) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Signs `ids`, finds their near-duplicates among themselves and among every signed document, stores both. */
async function indexRound(db: ProjectDb, ids: string[]): Promise<IndexResult> {
  if (ids.length > INDEX_SPAN) throw new Error(`a duplicate-indexing round holds at most ${INDEX_SPAN} documents`);
  // The round's signatures, one after another in one array; `freshIds[i]` is the document of the i-th.
  const sigs = new Uint32Array(ids.length * HASHES);
  const freshIds: string[] = [];
  const unsigned: string[] = [];
  for (let i = 0; i < ids.length; i += PAGE) {
    const chunk = ids.slice(i, i + PAGE);
    const page = await db.read((r) => r.all<{ id: string; text: string }>(`SELECT id, text FROM documents WHERE id IN (${chunk.map(() => '?').join(',')})`, chunk));
    for (const d of page) {
      const sig = signature(d.text);
      if (sig) {
        sigs.set(sig, freshIds.length * HASHES);
        freshIds.push(d.id);
      } else unsigned.push(d.id);
    }
  }
  if (freshIds.length === 0 && unsigned.length === 0) return { indexed: 0, pairs: 0 };
  const sigOf = (i: number) => sigs.subarray(i * HASHES, (i + 1) * HASHES);

  // Buckets of the new documents, one sorted array per band.
  const buckets = Array.from({ length: BANDS }, () => new Float64Array(freshIds.length));
  const keys = new Uint32Array(BANDS);
  for (let i = 0; i < freshIds.length; i++) {
    bandKeysInto(sigOf(i), keys);
    for (let band = 0; band < BANDS; band++) buckets[band]![i] = keys[band]! * INDEX_SPAN + i;
  }
  for (const band of buckets) band.sort();
  const pairs = new Map<string, { a: string; b: string; similarity: number }>();
  const consider = (a: string, sa: Uint32Array, b: string, sb: Uint32Array) => {
    const [x, y] = a < b ? [a, b] : [b, a];
    const key = `${x}\u0000${y}`;
    if (pairs.has(key) || x === y) return;
    const s = similarity(sa, sb);
    if (s >= MIN_THRESHOLD) pairs.set(key, { a: x, b: y, similarity: s });
  };
  // New against new: runs of equal keys in each band.
  for (const band of buckets) {
    for (let start = 0; start < band.length; ) {
      const key = Math.floor(band[start]! / INDEX_SPAN);
      let end = start + 1;
      while (end < band.length && Math.floor(band[end]! / INDEX_SPAN) === key) end++;
      for (let i = start; i < end; i++) {
        for (let j = i + 1; j < end; j++) {
          const x = band[i]! - key * INDEX_SPAN;
          const y = band[j]! - key * INDEX_SPAN;
          consider(freshIds[x]!, sigOf(x), freshIds[y]!, sigOf(y));
        }
      }
      start = end;
    }
  }
  // New against those indexed before: one pass over the stored signatures, a page at a time.
  if (freshIds.length) {
    let last = '';
    for (;;) {
      const page = await db.read((r) =>
        r.all<{ document_id: string; signature: Uint8Array }>(
          `SELECT document_id, signature FROM document_fingerprints WHERE document_id > ? AND signature IS NOT NULL ORDER BY document_id LIMIT 2000`,
          [last],
        ),
      );
      if (page.length === 0) break;
      last = page[page.length - 1]!.document_id;
      // Read in place and keyed into one reused array: a pass over a million stored
      // signatures allocates no copy of each.
      for (const row of page) {
        const sig = viewBlob(row.signature);
        bandKeysInto(sig, keys);
        for (let band = 0; band < BANDS; band++) {
          const packed = buckets[band]!;
          const lowest = keys[band]! * INDEX_SPAN;
          for (let at = bucketStart(packed, keys[band]!); at < packed.length && packed[at]! < lowest + INDEX_SPAN; at++) {
            const i = packed[at]! - lowest;
            consider(row.document_id, sig, freshIds[i]!, sigOf(i));
          }
        }
      }
    }
  }

  await db.transaction(async (tx) => {
    const rows = [...freshIds.map((id, i) => [id, toBlob(sigOf(i)), 1] as const), ...unsigned.map((id) => [id, null, 0] as const)];
    for (let i = 0; i < rows.length; i += 300) {
      const chunk = rows.slice(i, i + 300);
      // OR IGNORE: a document signed meanwhile by another indexing run keeps its row.
      // A document deleted meanwhile (an undo while this ran) is left out rather than failing the rest.
      await tx.run(
        `INSERT OR IGNORE INTO document_fingerprints (document_id, signature, shingles) SELECT column1, column2, column3 FROM (VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}) WHERE EXISTS (SELECT 1 FROM documents WHERE id = column1)`,
        chunk.flat(),
      );
    }
    const list = [...pairs.values()];
    for (let i = 0; i < list.length; i += 300) {
      const chunk = list.slice(i, i + 300);
      await tx.run(
        `INSERT OR REPLACE INTO near_duplicates (document_id, other_id, similarity) SELECT column1, column2, column3 FROM (VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}) WHERE EXISTS (SELECT 1 FROM documents WHERE id = column1) AND EXISTS (SELECT 1 FROM documents WHERE id = column2)`,
        chunk.flatMap((p) => [p.a, p.b, p.similarity]),
      );
    }
  });
  return { indexed: freshIds.length + unsigned.length, pairs: pairs.size };
}

export interface DuplicateMember {
  id: string;
  name: string;
  /** Attributes, for telling outlets apart (outlet, date, url…). */
  attributes: Record<string, AttributeValue>;
  /** Similarity to the group's first document (estimated Jaccard of 5-word shingles), 1 for the first itself. */
  similarity: number | null;
  /** The text is character for character the same as another member's (imported with keep duplicates). */
  identicalTo: string | null;
  sortOrder: number;
}

export interface DuplicateGroup {
  /** The id of the group's first document: its earliest by date when members have a date attribute, else the first imported. */
  firstId: string;
  members: DuplicateMember[];
}

export interface DuplicateGroups {
  threshold: number;
  groups: DuplicateGroup[];
  /** Documents in some group. */
  documents: number;
  /** Documents the duplicate index covers (all of them once indexing has caught up). */
  indexed: number;
}

function checkThreshold(threshold: number): void {
  if (!(threshold >= MIN_THRESHOLD && threshold <= 1)) {
    throw invalid('threshold', `${threshold} is outside ${MIN_THRESHOLD}–1. Choose a Jaccard similarity from ${MIN_THRESHOLD} (loose) to 1 (identical wording).`);
  }
}

/** Connected components of the pairs at or above the threshold: document id -> its group's members. */
async function components(r: Reader, threshold: number): Promise<{ pairs: { a: string; b: string; s: number }[]; groups: string[][] }> {
  const pairs = await r.all<{ a: string; b: string; s: number }>(`SELECT document_id AS a, other_id AS b, similarity AS s FROM near_duplicates WHERE similarity >= ?`, [threshold - 1e-9]);
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    while (x !== root) {
      const next = parent.get(x)!;
      parent.set(x, root);
      x = next;
    }
    return root;
  };
  for (const p of pairs) {
    if (!parent.has(p.a)) parent.set(p.a, p.a);
    if (!parent.has(p.b)) parent.set(p.b, p.b);
    const ra = find(p.a);
    const rb = find(p.b);
    if (ra !== rb) parent.set(ra, rb);
  }
  const byRoot = new Map<string, string[]>();
  for (const id of parent.keys()) {
    const root = find(id);
    const list = byRoot.get(root);
    if (list) list.push(id);
    else byRoot.set(root, [id]);
  }
  return { pairs, groups: [...byRoot.values()] };
}

/** For the document list: how many other documents tell the same story, per document in a group. */
export async function duplicateCounts(r: Reader, threshold = DEFAULT_THRESHOLD): Promise<Record<string, number>> {
  checkThreshold(threshold);
  const { groups } = await components(r, threshold);
  const out: Record<string, number> = {};
  for (const g of groups) for (const id of g) out[id] = g.length - 1;
  return out;
}

/** Every group of near-duplicate documents at the threshold, largest first. */
export async function duplicateGroups(r: Reader, threshold = DEFAULT_THRESHOLD): Promise<DuplicateGroups> {
  checkThreshold(threshold);
  const { pairs, groups } = await components(r, threshold);
  const ids = groups.flat();
  const docs = new Map<string, { id: string; name: string; sort_order: number; text_sha256: string }>();
  const attrs = new Map<string, Record<string, AttributeValue>>();
  const dates = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const marks = chunk.map(() => '?').join(',');
    for (const d of await r.all<{ id: string; name: string; sort_order: number; text_sha256: string }>(`SELECT id, name, sort_order, text_sha256 FROM documents WHERE id IN (${marks})`, chunk)) docs.set(d.id, d);
    const values = await r.all<{ document_id: string; name: string; type: VariableType; value: string }>(
      `SELECT dv.document_id, v.name, v.type, dv.value FROM document_values dv JOIN variables v ON v.id = dv.variable_id WHERE dv.document_id IN (${marks}) ORDER BY v.sort_order, v.name`,
      chunk,
    );
    for (const v of values) {
      let a = attrs.get(v.document_id);
      if (!a) attrs.set(v.document_id, (a = Object.create(null) as Record<string, AttributeValue>));
      a[v.name] = decodeValue(v.type, v.value);
      if (v.type === 'date' && !dates.has(v.document_id)) dates.set(v.document_id, v.value);
    }
  }
  const sim = new Map<string, number>();
  for (const p of pairs) sim.set(`${p.a}\u0000${p.b}`, p.s);
  const simOf = (x: string, y: string) => (x === y ? 1 : (sim.get(x < y ? `${x}\u0000${y}` : `${y}\u0000${x}`) ?? null));

  const out: DuplicateGroup[] = groups
    .map((g) => {
      const members = g.filter((id) => docs.has(id)).sort((x, y) => {
        const dx = dates.get(x) ?? '\uffff';
        const dy = dates.get(y) ?? '\uffff';
        return dx !== dy ? (dx < dy ? -1 : 1) : docs.get(x)!.sort_order - docs.get(y)!.sort_order;
      });
      const first = members[0]!;
      const firstBySha = new Map<string, string>();
      return {
        firstId: first,
        members: members.map((id) => {
          const d = docs.get(id)!;
          const same = firstBySha.get(d.text_sha256) ?? null;
          if (!same) firstBySha.set(d.text_sha256, id);
          return { id, name: d.name, attributes: attrs.get(id) ?? {}, similarity: simOf(first, id), identicalTo: same, sortOrder: d.sort_order };
        }),
      };
    })
    .filter((g) => g.members.length > 1)
    .sort((a, b) => b.members.length - a.members.length || a.members[0]!.sortOrder - b.members[0]!.sortOrder);
  const indexed = (await r.get<{ n: number }>(`SELECT count(*) AS n FROM document_fingerprints`))?.n ?? 0;
  return { threshold, groups: out, documents: out.reduce((n, g) => n + g.members.length, 0), indexed };
}

export interface AlignedMember extends DuplicateMember {
  /** What this member changed relative to the first: nothing for the first itself. */
  diff: TextDiff | null;
  text: string;
}

export interface AlignedGroup {
  threshold: number;
  firstId: string;
  members: AlignedMember[];
}

/** The group a document belongs to, each member's text aligned with the first's and its changes marked. */
export async function alignedGroup(r: Reader, documentId: string, threshold = DEFAULT_THRESHOLD): Promise<AlignedGroup> {
  const all = await duplicateGroups(r, threshold);
  const group = all.groups.find((g) => g.members.some((m) => m.id === documentId));
  if (!group) {
    const exists = await r.get(`SELECT 1 FROM documents WHERE id = ?`, [documentId]);
    if (!exists) throw notFound('document', documentId);
    throw invalid('document', `no other document tells the same story at similarity ${threshold}. Lower the threshold, or choose a document marked "same story as".`);
  }
  const texts = new Map<string, string>();
  for (const m of group.members) texts.set(m.id, (await r.get<{ text: string }>(`SELECT text FROM documents WHERE id = ?`, [m.id]))!.text);
  const first = group.members[0]!;
  return {
    threshold,
    firstId: group.firstId,
    members: group.members.map((m) => ({
      ...m,
      text: texts.get(m.id)!,
      diff: m.id === first.id ? null : diffTexts({ headline: first.name, text: texts.get(first.id)! }, { headline: m.name, text: texts.get(m.id)! }),
    })),
  };
}

/**
 * For each of `ids` (documents just imported) whose exact text an earlier document already has
 * (imported again because the user asked to keep duplicates): that earlier document, the
 * earliest with the text. Asked a batch at a time, so an import never holds all its ids.
 */
export async function sameTextAsEarlier(db: ProjectDb, ids: readonly string[]): Promise<Map<string, { id: string; name: string }>> {
  const found = new Map<string, { id: string; name: string }>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = await db.read((r) =>
      r.all<{ id: string; other: string; name: string }>(
        `SELECT n.id, o.id AS other, o.name FROM documents n JOIN documents o ON o.text_sha256 = n.text_sha256 AND o.sort_order < n.sort_order
         WHERE n.id IN (${chunk.map(() => '?').join(',')}) ORDER BY o.sort_order DESC`,
        chunk,
      ),
    );
    // Descending: the earliest document with the text is the one named.
    for (const row of rows) found.set(row.id, { id: row.other, name: row.name });
  }
  return found;
}

/**
 * The import's hook: indexes the new documents for near-duplicates, a round at a time.
 * Indexing that fails (a full disk) does not undo the import: the documents are indexed the
 * next time duplicates are looked at.
 */
export async function afterImport(db: ProjectDb): Promise<void> {
  await indexDuplicates(db).catch(() => undefined);
}
