import { Tx, type Reader } from '../db/project-db';

/*
 * A word's documents and positions read straight from the FTS5 index's own pages (the table's
 * `_data` and `_idx` shadow tables), in the format of FTS5's fts5_index.c (file format 4):
 * what the fts5vocab "instance" view gives, one row per position, but decoded here in one pass
 * over typed arrays. "the" has 7 million positions at 100,000 articles: the view handed them
 * over row by row in about 1.5 s of CPU; its pages decode here in about a tenth of that.
 *
 * The format, as far as read here:
 * - the structure record (id 10): a 4-byte cookie (then "\xFF\x00\x00\x01" in version 2), the
 *   number of levels and segments, a write counter, then per level the segments (id, first and
 *   last leaf page; version 2 adds origins and tombstone counts);
 * - a segment's leaf page p has id (segment << 37) + p and begins with two big-endian u16: the
 *   offset of the first rowid that starts on the page (0: none before its first term) and the
 *   size of its data; after the data, its page index: varints, the offset of its first term and
 *   the distances to the next ones;
 * - a term: the first on a page as varint length and bytes, the others as varint bytes shared
 *   with the term before, varint new bytes, the new bytes. Terms of the main index begin with
 *   the byte '0';
 * - a term's doclist follows it: a rowid (absolute), then for each document its poslist (varint
 *   size × 2 + delete flag, then positions), and the next rowid as a difference, except the first
 *   rowid on a page, which is absolute;
 * - positions: per column, varint position + 2, then differences + 2; 0x01 and a varint column
 *   number switch column (positions start again from 0);
 * - `_idx` (segid, term, pgno × 2 + flag) points at the leaf a term would be on.
 * Segments overlap: for a rowid in several, the newest holds it (level 0 first, and within a level
 * the last segment), and an entry without positions means the document has left the index.
 *
 * Anything else (another format version, a table with `detail=` other than full, tombstones of a
 * contentless table, a write transaction whose changes FTS5 may still hold in memory) is not read
 * here: `readPostings` answers null and the caller asks fts5vocab.
 */

/**
 * A term's documents in one column: `docs` ascending, document i's positions
 * `offsets[ends[i-1] .. ends[i])`, ascending. Read without positions, `offsets` is empty and
 * `ends` still counts them (document i has `ends[i] - ends[i-1]`).
 */
export interface Postings {
  docs: Int32Array;
  ends: Int32Array;
  offsets: Int32Array;
}

interface Segment {
  id: number;
  first: number;
  last: number;
}

/** An Int32Array that grows. */
class Ints {
  a: Int32Array;
  n = 0;
  constructor(size = 1024) {
    this.a = new Int32Array(size);
  }
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  /** Appends a run of numbers at once. */
  append(run: Int32Array): void {
    if (this.n + run.length > this.a.length) {
      const b = new Int32Array(Math.max(this.a.length * 2, this.n + run.length));
      b.set(this.a.subarray(0, this.n));
      this.a = b;
    }
    this.a.set(run, this.n);
    this.n += run.length;
  }
  done(): Int32Array {
    return this.a.subarray(0, this.n);
  }
}

/**
 * SQLite's varint (FTS5 writes every number so): big-endian groups of 7 bits, the ninth byte
 * whole. The value and where the next number starts.
 */
function varint(data: Uint8Array, i: number): [number, number] {
  let b = data[i++]!;
  if (b < 0x80) return [b, i];
  let v = b & 0x7f;
  for (let k = 1; k < 9; k++) {
    b = data[i++]!;
    if (k === 8) return [v * 256 + b, i];
    v = v * 128 + (b & 0x7f);
    if (b < 0x80) return [v, i];
  }
  return [v, i];
}

/** Where the number `varintAt` read last ends. */
let varintEnd = 0;

/** `varint` without the pair: the value, its end left in `varintEnd`. */
function varintAt(data: Uint8Array, i: number): number {
  let b = data[i++]!;
  if (b < 0x80) {
    varintEnd = i;
    return b;
  }
  let v = b & 0x7f;
  for (let k = 1; k < 9; k++) {
    b = data[i++]!;
    if (k === 8) {
      v = v * 256 + b;
      break;
    }
    v = v * 128 + (b & 0x7f);
    if (b < 0x80) break;
  }
  varintEnd = i;
  return v;
}

/** The segments of the index, newest first (level 0 first, the last of a level first); null when the structure is one not read here. */
function segmentsOf(block: Uint8Array): Segment[] | null {
  let i = 4;
  const next = (): number => {
    const [v, j] = varint(block, i);
    i = j;
    return v;
  };
  const v2 = block[4] === 0xff && block[5] === 0 && block[6] === 0 && block[7] === 1;
  if (v2) i += 4;
  const levels = next();
  next(); // segments in all
  next(); // write counter
  const byLevel: Segment[][] = [];
  for (let l = 0; l < levels; l++) {
    next(); // segments being merged into the next level
    const count = next();
    const segs: Segment[] = [];
    for (let s = 0; s < count; s++) {
      const id = next();
      const first = next();
      const last = next();
      if (v2) {
        next(); // origins
        next();
        const tombstonePages = next();
        next(); // tombstone entries
        next(); // entries
        if (tombstonePages > 0) return null;
      }
      segs.push({ id, first, last });
    }
    byLevel.push(segs);
  }
  if (i > block.length) return null;
  return byLevel.flatMap((segs) => [...segs].reverse());
}

/** Whether an FTS5 table's index is read here (format 4, positions kept in full), known once per connection and table. */
const readable = new WeakMap<object, Map<string, boolean>>();

/**
 * Whether `readPostings` reads this table's index through this reader: not inside a write
 * transaction (whose changes FTS5 may still hold in memory), and an index of the format read here.
 */
export async function readsIndex(r: Reader, table: string): Promise<boolean> {
  if (r instanceof Tx) return false;
  let known = readable.get(r.connection);
  if (!known) readable.set(r.connection, (known = new Map()));
  const seen = known.get(table);
  if (seen !== undefined) return seen;
  const sql = (await r.get<{ sql: string }>(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, [table]))?.sql ?? '';
  const version = (await r.get<{ v: number }>(`SELECT v FROM "${table}_config" WHERE k = 'version'`))?.v;
  const ok = /using\s+fts5\s*\(/i.test(sql) && !/\b(detail|contentless_delete|prefix)\s*=/i.test(sql) && version === 4;
  known.set(table, ok);
  return ok;
}

/** A term's entries in one segment, rowids ascending, with their positions in the column asked for. */
interface SegmentEntries {
  rowids: Int32Array;
  ends: Int32Array;
  offsets: Int32Array;
  /** 1 where the entry has no positions at all: the document left the index (which hides it in older segments). */
  gone: Uint8Array;
}

/** A doclist's entries; `absolute`: where a rowid written whole (not as a difference) starts, besides the first. */
/**
 * Scratch arrays a doclist is decoded into, kept between calls: sized for the worst case (every
 * entry takes at least two bytes, every position one), which is several times what a doclist
 * holds, so made once and grown, and only what was decoded copied out.
 */
let scratch = { rowids: new Int32Array(0), ends: new Int32Array(0), gone: new Uint8Array(0), offsets: new Int32Array(0) };

function decodeDoclist(bytes: Uint8Array, absolute: readonly number[], col: number, positions: boolean): SegmentEntries {
  if (scratch.offsets.length < bytes.length + 1) {
    const size = Math.max(bytes.length + 1, scratch.offsets.length * 2);
    scratch = { rowids: new Int32Array((size >> 1) + 1), ends: new Int32Array((size >> 1) + 1), gone: new Uint8Array((size >> 1) + 1), offsets: new Int32Array(size) };
  }
  const { rowids, ends, gone, offsets } = scratch;
  let n = 0;
  /** Positions in the column so far. */
  let counted = 0;
  let i = 0;
  let rowid = 0;
  let nextAbsolute = 0;
  // Varints read by \`varintAt\` (no pair made per number): a doclist of "the" has 7 million of them.
  while (i < bytes.length) {
    let whole = i === 0;
    if (nextAbsolute < absolute.length && absolute[nextAbsolute] === i) {
      whole = true;
      nextAbsolute++;
    }
    const v = varintAt(bytes, i);
    i = varintEnd;
    rowid = whole ? v : rowid + v;
    const size = varintAt(bytes, i);
    i = varintEnd;
    const end = i + Math.floor(size / 2);
    gone[n] = end === i ? 1 : 0;
    let column = 0;
    let prev = 0;
    while (i < end) {
      let b = bytes[i]!;
      if (b < 0x80) i++;
      else {
        b = varintAt(bytes, i);
        i = varintEnd;
      }
      if (b === 1) {
        column = varintAt(bytes, i);
        i = varintEnd;
        prev = 0;
        continue;
      }
      prev += b - 2;
      if (column === col) {
        if (positions) offsets[counted] = prev;
        counted++;
      }
    }
    rowids[n] = rowid;
    ends[n++] = counted;
  }
  return { rowids: rowids.slice(0, n), ends: ends.slice(0, n), offsets: offsets.slice(0, positions ? counted : 0), gone: gone.slice(0, n) };
}

/**
 * Every term from `lo` to `hi` (the index's bytes, '0' first; both included) in one segment,
 * each with its doclist's entries.
 */
async function readSegment(r: Reader, table: string, seg: Segment, lo: Buffer, hi: Buffer, col: number, positions: boolean, onTerm: (term: string, entries: SegmentEntries) => void): Promise<void> {
  const at = await r.get<{ pgno: number }>(`SELECT pgno FROM "${table}_idx" WHERE segid = ? AND term <= ? ORDER BY term DESC LIMIT 1`, [seg.id, lo]);
  let pageNo = Math.max(seg.first, at ? Math.floor(at.pgno / 2) : seg.first);
  const base = seg.id * 2 ** 37;
  // Pages fetched in growing batches: a common word's doclist runs over thousands of them.
  const cache = new Map<number, Uint8Array>();
  let batch = 2;
  const page = async (p: number): Promise<Uint8Array | null> => {
    if (p > seg.last) return null;
    const got = cache.get(p);
    if (got) return got;
    cache.clear();
    const to = Math.min(seg.last, p + batch - 1);
    batch = Math.min(batch * 4, 2048);
    for (const row of await r.all<{ id: number; block: Buffer }>(`SELECT id, block FROM "${table}_data" WHERE id >= ? AND id <= ? ORDER BY id`, [base + p, base + to])) {
      cache.set(row.id - base, row.block);
    }
    return cache.get(p) ?? null;
  };
  let data = await page(pageNo);
  let term = Buffer.alloc(0);
  while (data) {
    const size = (data[2]! << 8) | data[3]!;
    const termsAt: number[] = [];
    for (let i = size, off = 0; i < data.length; ) {
      let v: number;
      [v, i] = varint(data, i);
      off += v;
      termsAt.push(off);
    }
    let ranOn = false;
    for (let t = 0; t < termsAt.length; t++) {
      let i = termsAt[t]!;
      let shared = 0;
      if (t > 0) [shared, i] = varint(data, i);
      let fresh: number;
      [fresh, i] = varint(data, i);
      const next = Buffer.allocUnsafe(shared + fresh);
      term.copy(next, 0, 0, shared);
      next.set(data.subarray(i, i + fresh), shared);
      term = next;
      i += fresh;
      if (Buffer.compare(term, lo) < 0) continue;
      if (Buffer.compare(term, hi) > 0) return;
      const word = term.toString('utf8', 1);
      if (t + 1 < termsAt.length) {
        onTerm(word, decodeDoclist(data.subarray(i, termsAt[t + 1]), [], col, positions));
        continue;
      }
      // The page's last term: its doclist runs on over the pages without a term, into the first of the next page that has one.
      const parts: Uint8Array[] = [data.subarray(i, size)];
      let length = size - i;
      const absolute: number[] = [];
      for (;;) {
        data = await page(++pageNo);
        if (!data) break;
        const s = (data[2]! << 8) | data[3]!;
        const firstTerm = s < data.length ? varint(data, s)[0] : s;
        const rowidAt = (data[0]! << 8) | data[1]!;
        if (rowidAt >= 4 && rowidAt < firstTerm) absolute.push(length + rowidAt - 4);
        parts.push(data.subarray(4, firstTerm));
        length += firstTerm - 4;
        if (firstTerm < s) break;
      }
      const joined = new Uint8Array(length);
      let k = 0;
      for (const p of parts) {
        joined.set(p, k);
        k += p.length;
      }
      onTerm(word, decodeDoclist(joined, absolute, col, positions));
      ranOn = true;
      break;
    }
    // After a doclist that ran on, `data` is the page where the next term is (or null at the segment's end).
    if (!ranOn) data = await page(++pageNo);
  }
}

/** One term's entries over every segment: for a rowid in several, the newest segment's entry. */
function mergeSegments(lists: SegmentEntries[], positions: boolean): Postings {
  if (lists.length === 1 && !lists[0]!.gone.some((g) => g)) return dropEmpty(lists[0]!);
  // Documents imported in order fill segments of rowids apart: then one after the other, whole.
  const apart = [...lists].sort((a, b) => a.rowids[0]! - b.rowids[0]!);
  if (apart.every((l, k) => !l.gone.some((g) => g) && (k === 0 || apart[k - 1]!.rowids[apart[k - 1]!.rowids.length - 1]! < l.rowids[0]!))) {
    return joinApart(apart.map(dropEmpty), positions);
  }
  const docs = new Ints();
  const ends = new Ints();
  const offsets = new Ints(4096);
  let counted = 0;
  const at = new Int32Array(lists.length);
  for (;;) {
    let min = Infinity;
    for (let s = 0; s < lists.length; s++) if (at[s]! < lists[s]!.rowids.length && lists[s]!.rowids[at[s]!]! < min) min = lists[s]!.rowids[at[s]!]!;
    if (min === Infinity) break;
    let winner = -1;
    for (let s = 0; s < lists.length; s++) {
      const l = lists[s]!;
      if (at[s]! < l.rowids.length && l.rowids[at[s]!] === min) {
        // Lists are newest first: the first holding the rowid wins.
        if (winner < 0) winner = s;
        else at[s]!++;
      }
    }
    const l = lists[winner]!;
    const k = at[winner]!++;
    if (l.gone[k]) continue;
    const from = k === 0 ? 0 : l.ends[k - 1]!;
    const to = l.ends[k]!;
    if (to === from) continue;
    docs.push(min);
    if (positions) offsets.append(l.offsets.subarray(from, to));
    else counted += to - from;
    ends.push(positions ? offsets.n : counted);
  }
  return { docs: docs.done(), ends: ends.done(), offsets: offsets.done() };
}

/** Postings of rowids apart, in order: one after the other. */
function joinApart(lists: Postings[], positions: boolean): Postings {
  const size = (f: (p: Postings) => Int32Array) => lists.reduce((n, p) => n + f(p).length, 0);
  const docs = new Int32Array(size((p) => p.docs));
  const ends = new Int32Array(docs.length);
  const offsets = new Int32Array(positions ? size((p) => p.offsets) : 0);
  let d = 0;
  let o = 0;
  for (const p of lists) {
    docs.set(p.docs, d);
    for (let k = 0; k < p.ends.length; k++) ends[d + k] = p.ends[k]! + o;
    if (positions) offsets.set(p.offsets, o);
    d += p.docs.length;
    o += p.ends.length ? p.ends[p.ends.length - 1]! : 0;
  }
  return { docs, ends, offsets };
}

/** A segment's entries as postings: without the documents that have no position in the column. */
function dropEmpty(l: SegmentEntries): Postings {
  let keep = 0;
  for (let k = 0; k < l.rowids.length; k++) if (l.ends[k]! > (k === 0 ? 0 : l.ends[k - 1]!)) keep++;
  if (keep === l.rowids.length) return { docs: l.rowids, ends: l.ends, offsets: l.offsets };
  const docs = new Int32Array(keep);
  const ends = new Int32Array(keep);
  let n = 0;
  for (let k = 0; k < l.rowids.length; k++) {
    if (l.ends[k]! > (k === 0 ? 0 : l.ends[k - 1]!)) {
      docs[n] = l.rowids[k]!;
      ends[n++] = l.ends[k]!;
    }
  }
  return { docs, ends, offsets: l.offsets };
}

/** Several terms' postings as one (a word*): documents ascending, each one's positions merged in order. */
export function unionPostings(lists: readonly Postings[], positions: boolean): Postings {
  if (lists.length === 1) return lists[0]!;
  // Many terms (z* has thousands): in halves, so each document is met once per level, not once per term.
  if (lists.length > 8) {
    const half = lists.length >> 1;
    return unionPostings([unionPostings(lists.slice(0, half), positions), unionPostings(lists.slice(half), positions)], positions);
  }
  const docs = new Ints();
  const ends = new Ints();
  const offsets = new Ints(4096);
  let counted = 0;
  const at = new Int32Array(lists.length);
  for (;;) {
    let min = Infinity;
    for (let s = 0; s < lists.length; s++) if (at[s]! < lists[s]!.docs.length && lists[s]!.docs[at[s]!]! < min) min = lists[s]!.docs[at[s]!]!;
    if (min === Infinity) break;
    const from = offsets.n;
    let parts = 0;
    for (let s = 0; s < lists.length; s++) {
      const l = lists[s]!;
      const k = at[s]!;
      if (k < l.docs.length && l.docs[k] === min) {
        if (positions) offsets.append(l.offsets.subarray(k === 0 ? 0 : l.ends[k - 1]!, l.ends[k]!));
        else counted += l.ends[k]! - (k === 0 ? 0 : l.ends[k - 1]!);
        at[s]!++;
        parts++;
      }
    }
    if (parts > 1 && positions) offsets.a.subarray(from, offsets.n).sort();
    docs.push(min);
    ends.push(positions ? offsets.n : counted);
  }
  return { docs: docs.done(), ends: ends.done(), offsets: offsets.done() };
}

/**
 * The postings of a term (`prefix`: of every term starting with it, as one) in column `col` of
 * FTS5 table `table`, read from the index's pages; null where this index is not one read here
 * (the caller then asks fts5vocab, which gives the same).
 */
export async function readPostings(r: Reader, table: string, col: number, term: string, prefix: boolean, positions = true): Promise<Postings | null> {
  if (!(await readsIndex(r, table))) return null;
  const structure = await r.get<{ block: Buffer }>(`SELECT block FROM "${table}_data" WHERE id = 10`);
  if (!structure) return null;
  const segments = segmentsOf(structure.block);
  if (!segments) return null;
  const lo = Buffer.from(`0${term}`, 'utf8');
  const hi = prefix ? Buffer.concat([lo, Buffer.from([0xff])]) : lo;
  // Each term's entries, segment by segment (newest first); the segments read at once.
  const found = await Promise.all(
    segments.map(async (seg) => {
      const terms = new Map<string, SegmentEntries>();
      await readSegment(r, table, seg, lo, hi, col, positions, (word, entries) => terms.set(word, entries));
      return terms;
    }),
  );
  const words = [...new Set(found.flatMap((terms) => [...terms.keys()]))].sort();
  const byTerm = words.map((w) => mergeSegments(found.flatMap((terms) => (terms.has(w) ? [terms.get(w)!] : [])), positions));
  if (byTerm.length === 0) return { docs: new Int32Array(0), ends: new Int32Array(0), offsets: new Int32Array(0) };
  return unionPostings(byTerm, positions);
}

/**
 * About how many leaf pages the doclist of a term (`prefix`: of every term starting with it)
 * covers in FTS5 table `table`, summed over the segments: from the structure record and the
 * `_idx` entries around the term, without reading a page. What counting its documents would
 * read (fts5vocab walks every entry: "the" at 100,000 articles, 70 ms, about 4,000 pages);
 * null where this index is not one read here.
 */
export async function doclistPages(r: Reader, table: string, term: string, prefix: boolean): Promise<number | null> {
  if (!(await readsIndex(r, table))) return null;
  const structure = await r.get<{ block: Buffer }>(`SELECT block FROM "${table}_data" WHERE id = 10`);
  const segments = structure ? segmentsOf(structure.block) : null;
  if (!segments) return null;
  const lo = Buffer.from(`0${term}`, 'utf8');
  const hi = prefix ? Buffer.concat([lo, Buffer.from([0xff])]) : lo;
  // The page where the term would begin and the page where the next term begins, in each segment, in one statement.
  const rows = await r.all<{ seg: number; from: number | null; to: number | null }>(
    `SELECT s.value AS seg,
       (SELECT pgno FROM "${table}_idx" WHERE segid = s.value AND term <= ? ORDER BY term DESC LIMIT 1) AS "from",
       (SELECT pgno FROM "${table}_idx" WHERE segid = s.value AND term > ? ORDER BY term LIMIT 1) AS "to"
     FROM json_each(?) s`,
    [lo, hi, JSON.stringify(segments.map((seg) => seg.id))],
  );
  const byId = new Map(segments.map((seg) => [seg.id, seg]));
  let pages = 0;
  for (const row of rows) {
    const seg = byId.get(row.seg)!;
    const first = row.from === null ? seg.first : Math.floor(row.from / 2);
    const last = row.to === null ? seg.last : Math.floor(row.to / 2);
    pages += Math.max(0, last - first);
  }
  return pages;
}
