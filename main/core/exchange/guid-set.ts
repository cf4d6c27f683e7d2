/**
 * A set of GUIDs, compact: each one in the usual layout (8-4-4-4-12 hex digits, either case)
 * is held as its 128 bits in one typed array (open addressing, linear probing), anything else
 * as a string. A .qdpx of 1,000,000 segments defines about 2,100,000 GUIDs (each segment and
 * its coding); as strings in a Set they held about 200 MB of the export's heap, here 64 MB.
 */
export class GuidSet {
  /** Four 32-bit words a slot; a slot of four zeros is empty (the nil GUID goes to `others`). */
  private slots = new Uint32Array(4 << 12);
  private mask = (1 << 12) - 1;
  private count = 0;
  private readonly others = new Set<string>();
  private readonly words = new Uint32Array(4);

  /** Adds a GUID; false when it was there already (compared without regard to case). */
  add(guid: string): boolean {
    if (!this.parse(guid)) {
      const g = guid.toLowerCase();
      if (this.others.has(g)) return false;
      this.others.add(g);
      return true;
    }
    const at = this.find();
    if (this.slots[at * 4] !== 0 || this.slots[at * 4 + 1] !== 0 || this.slots[at * 4 + 2] !== 0 || this.slots[at * 4 + 3] !== 0) return false;
    this.slots.set(this.words, at * 4);
    // Grown at three quarters full, so a probe stays short.
    if (++this.count * 4 > (this.mask + 1) * 3) this.grow();
    return true;
  }

  has(guid: string): boolean {
    if (!this.parse(guid)) return this.others.has(guid.toLowerCase());
    const at = this.find();
    return this.slots[at * 4] !== 0 || this.slots[at * 4 + 1] !== 0 || this.slots[at * 4 + 2] !== 0 || this.slots[at * 4 + 3] !== 0;
  }

  /** The slot holding `words`, or the empty slot where it would go. */
  private find(): number {
    const w = this.words;
    const a = w[0]!;
    const b = w[1]!;
    const c = w[2]!;
    const d = w[3]!;
    // GUIDs made from a clock share their first digits: every word goes into the hash.
    let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1) ^ Math.imul(c, 0x85ebca6b) ^ Math.imul(d, 0xc2b2ae35), 0x27d4eb2f);
    h ^= h >>> 15;
    let at = h & this.mask;
    const s = this.slots;
    for (;;) {
      const i = at * 4;
      if (s[i] === a && s[i + 1] === b && s[i + 2] === c && s[i + 3] === d) return at;
      if (s[i] === 0 && s[i + 1] === 0 && s[i + 2] === 0 && s[i + 3] === 0) return at;
      at = (at + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.mask = this.mask * 2 + 1;
    for (let i = 0; i < old.length; i += 4) {
      if (old[i] === 0 && old[i + 1] === 0 && old[i + 2] === 0 && old[i + 3] === 0) continue;
      this.words.set(old.subarray(i, i + 4));
      this.slots.set(this.words, this.find() * 4);
    }
  }

  /** Reads a GUID in the usual layout into `words`; false for any other string, and for the nil GUID. */
  private parse(guid: string): boolean {
    if (guid.length !== 36) return false;
    let word = 0;
    let digits = 0;
    let any = 0;
    for (let i = 0; i < 36; i++) {
      const ch = guid.charCodeAt(i);
      if (i === 8 || i === 13 || i === 18 || i === 23) {
        if (ch !== 45 /* - */) return false;
        continue;
      }
      const v = ch >= 48 && ch <= 57 ? ch - 48 : ch >= 97 && ch <= 102 ? ch - 87 : ch >= 65 && ch <= 70 ? ch - 55 : -1;
      if (v < 0) return false;
      word = word * 16 + v;
      if (++digits % 8 === 0) {
        this.words[digits / 8 - 1] = word;
        any |= word;
        word = 0;
      }
    }
    return any !== 0;
  }
}
