import { MarginaliaError } from '../errors';
import { FOLD_RUNS } from './fts-fold';

/**
 * The search syntax a researcher types, parsed into a tree that is both turned into an FTS5
 * query (to find candidate documents fast) and evaluated over a document's words (to find
 * every hit with its offsets). The FTS5 string is built only from words made of letters,
 * digits and marks, quoted, so no user text reaches MATCH as syntax.
 *
 *   word            the word, in any case, with or without accents on Latin letters
 *   word*           words starting with it
 *   "two words"     the words in this order ("two wor"* for a prefix on the last)
 *   a b  /  a AND b both, anywhere in the document
 *   a OR b          either
 *   -a  /  NOT a    documents without it
 *   a NEAR/5 b      a and b with at most 5 words between them (NEAR alone: 10)
 *   ( … )           grouping
 *
 * Operators are written in capitals; "or" in lower case is a word.
 */
export type QueryNode =
  | { kind: 'phrase'; tokens: string[]; prefix: boolean; source: string }
  | { kind: 'near'; phrases: PhraseNode[]; distance: number }
  | { kind: 'and'; children: QueryNode[] }
  | { kind: 'or'; children: QueryNode[] }
  | { kind: 'not'; child: QueryNode };

export type PhraseNode = Extract<QueryNode, { kind: 'phrase' }>;

export const DEFAULT_NEAR = 10;
const MAX_NEAR = 1000;

/**
 * A word: a run of letters, digits, marks and private-use characters, as the search index's
 * tokenizer (tokenizer.ts) keeps one. Not the emoji presentation selectors U+FE0E/FE0F nor the
 * keycap U+20E3, marks that belong to an emoji ("❤️", "1️⃣") rather than to a word: with them a
 * "❤️" between two words was a word of its own, and "strike ❤️ Kyiv" no phrase "strike Kyiv".
 */
export const WORD = /(?:(?![\uFE0E\uFE0F\u20E3])[\p{L}\p{N}\p{Co}\p{M}])+/gu;

/**
 * How the search index folds each character (fts-fold.ts, made by scripts/fts-separators.mjs
 * through a real FTS5 table): -1 keeps it, 0 drops it, else the character it becomes. Below
 * U+10000 a typed array (256 KB, made once), above it the few that fold (Deseret case).
 */
const FOLD_BMP = new Int32Array(0x10000).fill(-1);
const FOLD_ASTRAL = new Map<number, number>();
for (const [first, last, to, step] of FOLD_RUNS) {
  for (let c = first; c <= last; c += step || 1) {
    const folded = step ? c + to : to;
    if (c < 0x10000) FOLD_BMP[c] = folded;
    else FOLD_ASTRAL.set(c, folded);
  }
}

/**
 * A word as the search index holds it: unicode61 with remove_diacritics 2 folds one character at
 * a time, by its own table: lower case, the accent off a Latin letter (café, cafe and cafe + U+0301
 * are one word), 25 combining accents of U+0300–U+0331 dropped, and nothing else. Not by Unicode's
 * decomposition: to the index й is not и, ї not і, ё not е, ά not α, and Hebrew points stay, so
 * a search for "мои" must not list "мой" in a document the index found for "мои" (search-fold.test.ts).
 */
export function foldWord(word: string): string {
  const n = word.length;
  let i = 0;
  // Lower-case ASCII, most words of most texts, is its own fold.
  while (i < n) {
    const c = word.charCodeAt(i);
    if (c >= 128 || (c >= 65 && c <= 90)) break;
    i++;
  }
  if (i === n) return word;
  let out = word.slice(0, i);
  while (i < n) {
    const c = word.codePointAt(i)!;
    const width = c > 0xffff ? 2 : 1;
    const folded = c < 128 ? (c >= 65 && c <= 90 ? c + 32 : c) : c < 0x10000 ? FOLD_BMP[c]! : (FOLD_ASTRAL.get(c) ?? -1);
    if (folded === -1 || folded === c) out += width === 1 ? word[i] : word.slice(i, i + 2);
    else if (folded !== 0) out += String.fromCodePoint(folded);
    i += width;
  }
  return out;
}

export const SYNTAX_HELP =
  'Write words (any case; accents on Latin letters optional), "a phrase", word* for words starting with it, a OR b, -word or NOT word to leave out documents, a NEAR/5 b for words at most 5 apart, and ( ) to group. AND, OR, NOT and NEAR are written in capitals.';

function syntaxError(problem: string): MarginaliaError {
  return new MarginaliaError('invalid_input', `query: ${problem}`);
}

type Tok =
  | { t: 'word'; text: string; at: number; neg: boolean }
  | { t: 'phrase'; text: string; at: number; prefix: boolean; neg: boolean }
  | { t: 'and' | 'or' | 'not' | 'lparen' | 'rparen'; at: number; neg?: boolean }
  | { t: 'near'; distance: number; at: number };

function lex(input: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const n = input.length;
  while (i < n) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    let neg = false;
    if (c === '-' && i + 1 < n && !/\s/.test(input[i + 1]!)) {
      neg = true;
      i++;
    }
    const d = input[i]!;
    if (d === '(') {
      if (neg) toks.push({ t: 'not', at });
      toks.push({ t: 'lparen', at: i });
      i++;
      continue;
    }
    if (d === ')') {
      toks.push({ t: 'rparen', at: i });
      i++;
      continue;
    }
    if (d === '"' || d === '“' || d === '”' || d === '«' || d === '»') {
      const close = input.slice(i + 1).search(/["“”«»]/);
      if (close < 0) throw syntaxError(`the quote at character ${i + 1} is not closed. Add a closing " after the phrase.`);
      const end = i + 1 + close;
      const text = input.slice(i + 1, end);
      i = end + 1;
      const prefix = input[i] === '*';
      if (prefix) i++;
      toks.push({ t: 'phrase', text, at, prefix, neg });
      continue;
    }
    let j = i;
    while (j < n && !/[\s()"“”«»]/.test(input[j]!)) j++;
    const text = input.slice(i, j);
    i = j;
    if (!neg && (text === 'AND' || text === 'OR' || text === 'NOT')) {
      toks.push({ t: text.toLowerCase() as 'and' | 'or' | 'not', at });
      continue;
    }
    const near = !neg ? /^NEAR(?:\/(.*))?$/.exec(text) : null;
    if (near) {
      let distance = DEFAULT_NEAR;
      if (near[1] !== undefined) {
        if (!/^\d{1,4}$/.test(near[1]) || Number(near[1]) > MAX_NEAR) {
          throw syntaxError(`"${text}" at character ${at + 1}: write NEAR/ followed by a number of words from 0 to ${MAX_NEAR}, e.g. strike NEAR/5 Kyiv.`);
        }
        distance = Number(near[1]);
      }
      toks.push({ t: 'near', distance, at });
      continue;
    }
    toks.push({ t: 'word', text, at, neg });
  }
  return toks;
}

function phraseOf(text: string, prefix: boolean, at: number, quoted: boolean): PhraseNode {
  const raw = prefix && !quoted ? text.replace(/\*+$/, '') : text;
  // Composed as documents are (normaliseText): the index keeps "й" and drops the breve of
  // "и" + U+0306, so a decomposed word typed on some keyboards would look up another word.
  const tokens = (raw.match(WORD) ?? []).map((t) => t.normalize('NFC'));
  if (tokens.length === 0) {
    throw syntaxError(
      quoted
        ? `the phrase at character ${at + 1} has no letters or digits to search for.`
        : `"${text}" at character ${at + 1} has no letters or digits to search for. To find other characters, switch on the regular-expression mode.`,
    );
  }
  if (!quoted && /\*./.test(raw)) throw syntaxError(`"${text}" at character ${at + 1}: a * is allowed only at the end of a word (strik* finds strike, strikes, striking).`);
  return { kind: 'phrase', tokens, prefix, source: quoted ? `"${text}"${prefix ? '*' : ''}` : text };
}

class Parser {
  private pos = 0;
  constructor(private readonly toks: Tok[]) {}

  parse(): QueryNode {
    if (this.toks.length === 0) throw syntaxError('type a word or a "quoted phrase" to search for.');
    const node = this.or();
    const extra = this.toks[this.pos];
    if (extra) throw syntaxError(extra.t === 'rparen' ? `the ) at character ${extra.at + 1} has no ( before it. Remove it or add the (.` : `unexpected text at character ${extra.at + 1}.`);
    return node;
  }

  private peek(): Tok | undefined {
    return this.toks[this.pos];
  }

  private or(): QueryNode {
    const children = [this.and()];
    while (this.peek()?.t === 'or') {
      const op = this.toks[this.pos++]!;
      if (!this.startsOperand()) throw syntaxError(`OR at character ${op.at + 1} needs a word after it (Russia OR Ukraine).`);
      children.push(this.and());
    }
    return children.length === 1 ? children[0]! : { kind: 'or', children };
  }

  private startsOperand(): boolean {
    const t = this.peek();
    return !!t && (t.t === 'word' || t.t === 'phrase' || t.t === 'lparen' || t.t === 'not');
  }

  private and(): QueryNode {
    const first = this.peek();
    if (!this.startsOperand()) {
      if (!first) throw syntaxError('the query ends where a word was expected.');
      throw syntaxError(`${describe(first)} at character ${first.at + 1} needs a word before it.`);
    }
    const children = [this.unary()];
    for (;;) {
      const t = this.peek();
      if (t?.t === 'and') {
        this.pos++;
        if (!this.startsOperand()) throw syntaxError(`AND at character ${t.at + 1} needs a word after it (Russia AND Ukraine).`);
        children.push(this.unary());
      } else if (this.startsOperand()) {
        children.push(this.unary());
      } else break;
    }
    return children.length === 1 ? children[0]! : { kind: 'and', children };
  }

  private unary(): QueryNode {
    const t = this.peek()!;
    if (t.t === 'not') {
      this.pos++;
      if (!this.startsOperand()) throw syntaxError(`NOT at character ${t.at + 1} needs a word after it (Russia NOT Blinken).`);
      return { kind: 'not', child: this.unary() };
    }
    if ((t.t === 'word' || t.t === 'phrase') && t.neg) {
      return { kind: 'not', child: this.near() };
    }
    return this.near();
  }

  private near(): QueryNode {
    const first = this.primary();
    if (this.peek()?.t !== 'near') return first;
    const phrases: PhraseNode[] = [];
    let distance = -1;
    const add = (node: QueryNode, at: number) => {
      if (node.kind !== 'phrase') throw syntaxError(`NEAR at character ${at + 1} joins words or "phrases", not groups in ( ).`);
      phrases.push(node);
    };
    add(first, this.peek()!.at);
    while (this.peek()?.t === 'near') {
      const op = this.toks[this.pos++] as Extract<Tok, { t: 'near' }>;
      const next = this.peek();
      if (!next || (next.t !== 'word' && next.t !== 'phrase') || ('neg' in next && next.neg)) {
        throw syntaxError(`NEAR at character ${op.at + 1} needs a word or "phrase" after it (strike NEAR/5 Kyiv).`);
      }
      add(this.primary(), op.at);
      distance = Math.max(distance, op.distance);
    }
    return { kind: 'near', phrases, distance };
  }

  private primary(): QueryNode {
    const t = this.toks[this.pos++]!;
    if (t.t === 'lparen') {
      if (this.peek()?.t === 'rparen') throw syntaxError(`the ( at character ${t.at + 1} encloses nothing.`);
      const inner = this.or();
      const close = this.toks[this.pos++];
      if (close?.t !== 'rparen') throw syntaxError(`the ( at character ${t.at + 1} is not closed. Add a ) after the group.`);
      return inner;
    }
    if (t.t === 'word') return phraseOf(t.text, t.text.endsWith('*'), t.at, false);
    if (t.t === 'phrase') return phraseOf(t.text, t.prefix, t.at, true);
    throw syntaxError(`${describe(t)} at character ${t.at + 1} is not where a word can be.`);
  }
}

function describe(t: Tok): string {
  switch (t.t) {
    case 'and':
      return 'AND';
    case 'or':
      return 'OR';
    case 'not':
      return 'NOT';
    case 'near':
      return 'NEAR';
    case 'lparen':
      return '(';
    case 'rparen':
      return ')';
    default:
      return `"${t.text}"`;
  }
}

/** Parses a query, or throws an `invalid_input` error that says what is wrong and how to write it. */
export function parseQuery(input: string): QueryNode {
  if (input.length > 1000) throw syntaxError('the query is longer than 1,000 characters; shorten it.');
  const node = new Parser(lex(input)).parse();
  checkSearchable(node, true);
  return node;
}

/** A part that only excludes (`-Blinken` alone, or `a OR -b`) cannot list hits: say what to write instead. */
function checkSearchable(node: QueryNode, top: boolean): void {
  const onlyExcludes = (n: QueryNode): boolean => n.kind === 'not' || (n.kind === 'and' && n.children.every(onlyExcludes));
  if (onlyExcludes(node)) {
    throw syntaxError(
      top
        ? 'a query of only excluded words (-word or NOT word) has nothing to show. Add a word to look for, e.g. Russia -Blinken.'
        : 'each side of OR needs a word to look for; -word or NOT word alone cannot be one side. Write e.g. (Russia -Blinken) OR Ukraine.',
    );
  }
  if (node.kind === 'or') node.children.forEach((c) => checkSearchable(c, false));
  else if (node.kind === 'and') node.children.forEach((c) => (c.kind === 'not' ? checkNegated(c.child) : checkSearchable(c, false)));
  else if (node.kind === 'not') checkNegated(node.child);
}

function checkNegated(node: QueryNode): void {
  if (node.kind === 'or' || node.kind === 'and') {
    // FTS5 cannot exclude "documents without a": NOT inside an excluded group is refused.
    const inner = node.children.some((c) => c.kind === 'not' || (c.kind !== 'phrase' && c.kind !== 'near' && containsNot(c)));
    if (inner) throw syntaxError('a NOT inside an excluded group cannot be searched. Rewrite it without the double negation.');
  }
}

/** Whether the query excludes anything (NOT or -word) anywhere. */
export function containsNot(node: QueryNode): boolean {
  if (node.kind === 'not') return true;
  if (node.kind === 'and' || node.kind === 'or') return node.children.some(containsNot);
  return false;
}

function ftsPhrase(p: PhraseNode): string {
  // Tokens hold only letters, digits and marks: quoting them cannot inject FTS5 syntax.
  return `"${p.tokens.join(' ')}"${p.prefix ? '*' : ''}`;
}

/** The FTS5 MATCH expression for a parsed query, over the text column. */
export function toFts(node: QueryNode): string {
  return `text : (${fts(node)})`;
}

function fts(node: QueryNode): string {
  switch (node.kind) {
    case 'phrase':
      return ftsPhrase(node);
    case 'near':
      return `NEAR(${node.phrases.map(ftsPhrase).join(' ')}, ${node.distance})`;
    case 'or':
      return `(${node.children.map(fts).join(' OR ')})`;
    case 'not':
      // Only reached inside an AND (checkSearchable refuses the rest), which writes X NOT Y.
      return fts(node.child);
    case 'and': {
      const positive = node.children.filter((c) => c.kind !== 'not');
      const negative = node.children.filter((c): c is Extract<QueryNode, { kind: 'not' }> => c.kind === 'not');
      let out = `(${positive.map(fts).join(' AND ')})`;
      for (const n of negative) out = `(${out} NOT ${fts(n.child)})`;
      return out;
    }
  }
}

/** A word of a document: its folded form and where it is, in UTF-16 units of the text. */
export interface Word {
  folded: string;
  start: number;
  end: number;
  /** Its place among all the text's words, from 0 (what phrases and NEAR count in). */
  index: number;
}

/** One character of `WORD`; search-emoji.test.ts holds the index's tokenizer to it. */
export const WORD_CHAR = /^(?![\uFE0E\uFE0F\u20E3])[\p{L}\p{N}\p{Co}\p{M}]$/u;
const wordChars = new Map<number, boolean>();

/** Whether a UTF-16 unit (or, for astral characters, the code point) belongs to a word. */
function isWordChar(code: number): boolean {
  if (code < 128) return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57);
  let known = wordChars.get(code);
  if (known === undefined) wordChars.set(code, (known = WORD_CHAR.test(String.fromCodePoint(code))));
  return known;
}

/**
 * The words of a text, as `WORD` finds them. `folds` remembers each distinct word's folded
 * form: a search over thousands of documents folds its few thousand distinct words once. The
 * characters are classified by a scan with an ASCII fast path (non-ASCII ones once each).
 * With `keep` (see `queryWords`), only the words a query could match are listed, each with
 * its place among all words: a search allocates for its hits, not for every word of a text.
 */
export function wordsOf(text: string, folds: Map<string, string | null> = new Map(), keep?: WordFilter | ((folded: string) => boolean)): Word[] {
  const out: Word[] = [];
  const firsts = keep && 'firsts' in keep ? keep.firsts : undefined;
  let index = -1;
  const n = text.length;
  let i = 0;
  while (i < n) {
    let code = text.charCodeAt(i);
    let width = 1;
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < n) {
      code = text.codePointAt(i)!;
      width = code > 0xffff ? 2 : 1;
    }
    if (!isWordChar(code)) {
      i += width;
      continue;
    }
    const start = i;
    i += width;
    while (i < n) {
      let c = text.charCodeAt(i);
      let w = 1;
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        c = text.codePointAt(i)!;
        w = c > 0xffff ? 2 : 1;
      }
      if (!isWordChar(c)) break;
      i += w;
    }
    index++;
    const first = text.charCodeAt(start);
    if (firsts && first < 128 && !firsts[first]) continue;
    const raw = text.slice(start, i);
    let folded = folds.get(raw);
    if (folded === undefined) {
      const f = foldWord(raw);
      // With `keep`, a word no query word can match is remembered as null and never listed.
      folded = keep && !keep(f) ? null : f;
      if (folds.size < 200_000) folds.set(raw, folded);
    }
    if (folded !== null) out.push({ folded, start, end: i, index });
  }
  return out;
}

/** A hit in UTF-16 units of the text, half-open. */
export interface Span {
  start: number;
  end: number;
}

type Instance = { first: number; last: number };

/** Every place the phrase occurs, as word-index ranges [first, last]. */
function instances(p: PhraseNode, words: readonly Word[], byIndex: ReadonlyMap<number, Word>, cache: Map<PhraseNode, Instance[]>): Instance[] {
  const known = cache.get(p);
  if (known) return known;
  const want = p.tokens.map(foldWord);
  const n = want.length;
  const matches = (w: Word | undefined, k: number) => !!w && (p.prefix && k === n - 1 ? w.folded.startsWith(want[k]!) : w.folded === want[k]);
  const out: Instance[] = [];
  for (const w of words) {
    let ok = matches(w, 0);
    for (let k = 1; k < n && ok; k++) ok = matches(byIndex.get(w.index + k), k);
    if (ok) out.push({ first: w.index, last: w.index + n - 1 });
  }
  cache.set(p, out);
  return out;
}

/**
 * NEAR as FTS5 defines it: one occurrence of each phrase such that at most `distance` words
 * lie between the end of any of them and the start of the one that starts last. Each such
 * place is one hit, a window from the first word of the combination to its last ("strike …
 * Kyiv"), so a listing shows it as one line and next/previous steps over it once. Where
 * windows overlap, the one that ends first (the shorter, when two end together) is kept and
 * the next hit starts after it: the most non-overlapping windows, left to right.
 */
function nearInstances(node: Extract<QueryNode, { kind: 'near' }>, instancesOf: (p: PhraseNode) => Instance[]): Instance[] {
  const lists = node.phrases.map(instancesOf);
  if (lists.some((l) => l.length === 0)) return [];
  const windows: Instance[] = [];
  const reach = node.distance + 64;
  const choose = (i: number, chosen: Instance[]): void => {
    let maxStart = -Infinity;
    let minEnd = Infinity;
    let first = Infinity;
    let last = -Infinity;
    for (const c of chosen) {
      maxStart = Math.max(maxStart, c.first);
      minEnd = Math.min(minEnd, c.last + 1);
      first = Math.min(first, c.first);
      last = Math.max(last, c.last);
    }
    // Another phrase can only move the last start later or the first end earlier: too far stays too far.
    if (maxStart - minEnd > node.distance) return;
    if (i === lists.length) {
      windows.push({ first, last });
      return;
    }
    const anchor = chosen[0]!;
    // One array for every combination tried, grown and shrunk (this runs for every document of a count).
    for (const c of lists[i]!) {
      if (c.first < anchor.first - reach) continue;
      if (c.first > anchor.last + reach) break;
      chosen.push(c);
      choose(i + 1, chosen);
      chosen.pop();
    }
  };
  for (const a of lists[0]!) choose(1, [a]);
  windows.sort((a, b) => a.last - b.last || b.first - a.first);
  const out: Instance[] = [];
  let end = -1;
  for (const w of windows) {
    if (w.first <= end) continue;
    out.push(w);
    end = w.last;
  }
  return out.sort((a, b) => a.first - b.first);
}

/** How a phrase's occurrences are found: over a document's words, or from the index's positions. */
type InstancesOf = (p: PhraseNode) => Instance[];

/** The occurrences that make a document match (never of excluded words), or null when it does not match. */
function evaluate(node: QueryNode, instancesOf: InstancesOf): Instance[] | null {
  switch (node.kind) {
    case 'phrase': {
      const found = instancesOf(node);
      return found.length ? found : null;
    }
    case 'near': {
      const found = nearInstances(node, instancesOf);
      return found.length ? found : null;
    }
    case 'not':
      return evaluate(node.child, instancesOf) ? null : [];
    case 'and': {
      const all: Instance[] = [];
      for (const c of node.children) {
        const r = evaluate(c, instancesOf);
        if (!r) return null;
        all.push(...r);
      }
      return all;
    }
    case 'or': {
      let any = false;
      const all: Instance[] = [];
      for (const c of node.children) {
        const r = evaluate(c, instancesOf);
        if (r) {
          any = true;
          all.push(...r);
        }
      }
      return any ? all : null;
    }
  }
}

function distinct(found: Instance[]): Instance[] {
  const seen = new Set<string>();
  return found.filter((i) => {
    const key = `${i.first}:${i.last}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Whether the document matches, and its hits: the occurrences of the words and phrases that
 * make it match (never of excluded ones), sorted, each span once.
 */
export function matchDocument(node: QueryNode, words: readonly Word[]): Span[] | null {
  const cache = new Map<PhraseNode, Instance[]>();
  const byIndex = new Map(words.map((w) => [w.index, w]));
  const found = evaluate(node, (p) => instances(p, words, byIndex, cache));
  if (!found) return null;
  return distinct(found)
    .map((i) => ({ start: byIndex.get(i.first)!.start, end: byIndex.get(i.last)!.end }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Whether a folded word of a text could match a word of the query: what `wordsOf` keeps. */
export interface WordFilter {
  (folded: string): boolean;
  /**
   * Flags by ASCII code: whether a word starting with that character can be kept. A word that
   * starts with an ASCII character folds to one starting with its lower case, so `wordsOf` passes
   * over the others without reading them (most of a text, for a query of a few words).
   */
  firsts: Uint8Array;
}

/** The words of a text the query could match (excluded ones too). */
export function queryWords(node: QueryNode): WordFilter {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const firsts = new Uint8Array(128);
  for (const t of indexTerms(node)) {
    const folded = foldWord(t.term);
    if (t.prefix) prefixes.push(folded);
    else exact.add(folded);
    const c = folded.charCodeAt(0);
    if (c < 128) firsts[c] = firsts[String.fromCharCode(c).toUpperCase().charCodeAt(0)] = 1;
  }
  return Object.assign((folded: string) => exact.has(folded) || prefixes.some((p) => folded.startsWith(p)), { firsts });
}

/**
 * A word of the query as typed (letters, digits and marks only), and whether it is a prefix.
 * The index holds words as FTS5 folds them; callers ask FTS5 to fold it (see `search.ts`).
 */
export interface IndexTerm {
  term: string;
  prefix: boolean;
}

/** Every word the query looks up in the index (excluded ones too: an OR branch may need them). */
export function indexTerms(node: QueryNode): IndexTerm[] {
  const out = new Map<string, IndexTerm>();
  const visit = (n: QueryNode) => {
    if (n.kind === 'phrase') {
      n.tokens.forEach((t, k) => {
        const term = { term: t, prefix: n.prefix && k === n.tokens.length - 1 };
        out.set(`${term.prefix ? '*' : '='}${term.term}`, term);
      });
    } else if (n.kind === 'near') n.phrases.forEach(visit);
    else if (n.kind === 'not') visit(n.child);
    else n.children.forEach(visit);
  };
  visit(node);
  return [...out.values()];
}

export const termKey = (t: IndexTerm): string => `${t.prefix ? '*' : '='}${t.term}`;

/**
 * How many hits a document has, from the index's word positions alone (no text read): the
 * same rules as `matchDocument`, which gives their offsets. Null when it does not match.
 */
export function countMatches(node: QueryNode, positions: (t: IndexTerm) => ArrayLike<number>): number | null {
  const cache = new Map<PhraseNode, Instance[]>();
  const instancesOf = (p: PhraseNode): Instance[] => {
    const known = cache.get(p);
    if (known) return known;
    const n = p.tokens.length;
    const lists = p.tokens.map((t, k) => positions({ term: t, prefix: p.prefix && k === n - 1 }));
    // Each list ascending: the later words' places move along with the first word's, one pass each.
    const at = new Array<number>(n).fill(0);
    const out: Instance[] = [];
    const first = lists[0]!;
    for (let i = 0; i < first.length; i++) {
      const start = first[i]!;
      let ok = true;
      for (let k = 1; k < n && ok; k++) {
        const list = lists[k]!;
        let j = at[k]!;
        while (j < list.length && list[j]! < start + k) j++;
        at[k] = j;
        ok = j < list.length && list[j] === start + k;
      }
      if (ok) out.push({ first: start, last: start + n - 1 });
    }
    cache.set(p, out);
    return out;
  };
  const found = evaluate(node, instancesOf);
  if (!found) return null;
  // As `distinct`, by numbers: this runs for every document of a count.
  if (found.length < 2) return found.length;
  const sorted = [...found].sort((a, b) => a.first - b.first || a.last - b.last);
  let n = 1;
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.first !== sorted[i - 1]!.first || sorted[i]!.last !== sorted[i - 1]!.last) n++;
  return n;
}

/**
 * A query of single words (each may be a word*) compiled once to count hits over many documents
 * from each word's count per document, without positions: its distinct words as `fold` gives
 * them, numbered, and every document's hits from `counts[k][i]` (word k in document i), in one
 * pass without allocating per document. The rules of `countMatches` (AND needs every part, OR
 * any, NOT none; each occurrence once): words that can never share a position add up, so the hits
 * are the sum over the words that make the document match; 0 where it does not match.
 *
 * `absent`: words excluded at the top (Russia -Blinken), in no matching document; `required`:
 * words every matching document holds (the words of Zelensky drone).
 *
 * Null where positions are needed: a phrase of several words, NEAR, a word* that also covers
 * another query word (strik* strike: one place would count twice), or more than 31 words (a bit
 * mask's worth).
 */
export function wordCounter(
  node: QueryNode,
  fold: (word: string) => string = (w) => w,
): { words: IndexTerm[]; absent: boolean[]; required: boolean[]; count: (counts: readonly Int32Array[]) => Int32Array } | null {
  const words: IndexTerm[] = [];
  const number = (term: IndexTerm) => {
    const k = words.findIndex((w) => w.term === term.term && w.prefix === term.prefix);
    return k >= 0 ? k : words.push(term) - 1;
  };
  /** The bit mask of the words that make document i match, or -1 when it does not match. */
  type Mask = (counts: readonly Int32Array[], i: number) => number;
  const compile = (n: QueryNode): Mask | null => {
    switch (n.kind) {
      case 'phrase': {
        if (n.tokens.length !== 1) return null;
        const k = number({ term: fold(n.tokens[0]!), prefix: n.prefix });
        const bit = 1 << k;
        return (counts, i) => (counts[k]![i]! > 0 ? bit : -1);
      }
      case 'near':
        return null;
      case 'not': {
        const child = compile(n.child);
        return child && ((counts, i) => (child(counts, i) >= 0 ? -1 : 0));
      }
      case 'and': {
        const children = n.children.map(compile);
        if (children.some((c) => !c)) return null;
        const all = children as Mask[];
        return (counts, i) => {
          let mask = 0;
          for (const c of all) {
            const m = c(counts, i);
            if (m < 0) return -1;
            mask |= m;
          }
          return mask;
        };
      }
      case 'or': {
        const children = n.children.map(compile);
        if (children.some((c) => !c)) return null;
        const all = children as Mask[];
        return (counts, i) => {
          let mask = -1;
          for (const c of all) {
            const m = c(counts, i);
            if (m >= 0) mask = mask < 0 ? m : mask | m;
          }
          return mask;
        };
      }
    }
  };
  const mask = compile(node);
  if (!mask || words.length > 31) return null;
  const covers = (p: IndexTerm, w: IndexTerm) => p.prefix && w.term.startsWith(p.term);
  if (words.some((p, i) => words.some((w, j) => i !== j && covers(p, w)))) return null;
  // A word excluded at the top (Russia -Blinken) is in no document that matches: no need to count it.
  const top = node.kind === 'and' ? node.children : [node];
  const excluded = new Set(top.flatMap((c) => (c.kind === 'not' && c.child.kind === 'phrase' ? [termKey({ term: fold(c.child.tokens[0]!), prefix: c.child.prefix })] : [])));
  const absent = words.map((w) => excluded.has(termKey(w)));
  // A word required at the top (Zelensky drone) is in every document that matches.
  const needed = new Set(top.flatMap((c) => (c.kind === 'phrase' ? [termKey({ term: fold(c.tokens[0]!), prefix: c.prefix })] : [])));
  const required = words.map((w) => needed.has(termKey(w)));
  return {
    words,
    absent,
    required,
    count: (counts) => {
      const out = new Int32Array(counts[0]?.length ?? 0);
      for (let i = 0; i < out.length; i++) {
        const m = mask(counts, i);
        if (m < 0) continue;
        let n = 0;
        for (let k = 0; k < words.length; k++) if (m & (1 << k)) n += counts[k]![i]!;
        out[i] = n;
      }
      return out;
    },
  };
}

/** A regular expression as the user wrote it, or a worded error. Case-insensitive unless asked. */
export function parseRegex(source: string, caseSensitive = false): RegExp {
  if (!source) throw syntaxError('type a regular expression to search for.');
  if (source.length > 1000) throw syntaxError('the expression is longer than 1,000 characters; shorten it.');
  try {
    return new RegExp(source, caseSensitive ? 'gu' : 'giu');
  } catch (e) {
    const why = (e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '');
    throw syntaxError(`the regular expression is not valid (${why}). Escape characters such as ( ) [ ] . * + ? with a backslash to match them literally, e.g. \\(.`);
  }
}

/** Every non-empty match of the expression in the text, in UTF-16 units. */
export function regexSpans(re: RegExp, text: string): Span[] {
  const out: Span[] = [];
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m[0].length === 0) {
      // An empty match (a* or ^) would loop forever and is no passage: step past it.
      re.lastIndex = m.index + (text.codePointAt(m.index)! > 0xffff ? 2 : 1);
      if (re.lastIndex > text.length) break;
      continue;
    }
    out.push({ start: m.index, end: m.index + m[0].length });
  }
  return out;
}
