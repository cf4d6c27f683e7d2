import iconv from 'iconv-lite';
import { MarginaliaError } from '../errors';

/** Destinations whose content is formatting or metadata, not the document's text. */
const SKIPPED_DESTINATIONS = new Set([
  'fonttbl', 'colortbl', 'stylesheet', 'info', 'pict', 'header', 'headerl', 'headerr', 'headerf', 'footer', 'footerl', 'footerr', 'footerf',
  'footnote', 'object', 'fldinst', 'themedata', 'colorschememapping', 'latentstyles', 'datastore', 'listtable', 'listoverridetable', 'rsidtbl',
  'generator', 'xmlnstbl', 'mmathPr', 'pgdsctbl', 'xe', 'tc', 'bkmkstart', 'bkmkend', 'filetbl', 'revtbl', 'private', 'nonshppict', 'shppict', 'blipuid',
]);

/** Control words that stand for one character. */
const SYMBOLS: Record<string, string> = {
  tab: '\t', cell: '\t', emdash: '\u2014', endash: '\u2013', lquote: '\u2018', rquote: '\u2019', ldblquote: '\u201C', rdblquote: '\u201D',
  bullet: '\u2022', emspace: '\u2003', enspace: '\u2002', qmspace: '\u2005', zwj: '\u200D', zwnj: '\u200C',
};
/** Control words that end a paragraph. */
const BREAKS = new Set(['par', 'row', 'sect', 'page']);
/** A line break inside a paragraph, kept apart from paragraph ends until the text is assembled. */
const LINE = '\u2028';

interface GroupState {
  skip: boolean;
  /** How many fallback characters follow each \u (the \uc value). */
  uc: number;
  inTitle: boolean;
}

export interface RtfText {
  title: string | null;
  text: string;
}

/**
 * A small reader for RTF: it follows groups, skips destinations that are not body text, reads
 * \'hh bytes in the document's code page and \u characters, and turns \par into paragraphs.
 * Formatting is ignored; no embedded object is ever opened.
 */
export function rtfToText(bytes: Uint8Array, file: string): RtfText {
  const src = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  if (!src.startsWith('{\\rtf')) throw new MarginaliaError('invalid_input', `${file}: not an RTF document (it does not start with {\\rtf); open it and save it as .rtf again.`);
  let codepage = 'windows-1252';
  let out = '';
  let title = '';
  let pendingBytes: number[] = [];
  let skipFallback = 0;
  let state: GroupState = { skip: false, uc: 1, inTitle: false };
  const stack: GroupState[] = [];
  let groupStart = false;

  const emit = (s: string) => {
    if (state.inTitle) title += s;
    else if (!state.skip) out += s;
  };
  const flushBytes = () => {
    if (pendingBytes.length === 0) return;
    const text = iconv.encodingExists(codepage) ? iconv.decode(Buffer.from(pendingBytes), codepage) : Buffer.from(pendingBytes).toString('latin1');
    pendingBytes = [];
    emit(text);
  };

  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === '{') {
      flushBytes();
      stack.push(state);
      state = { ...state };
      groupStart = true;
      i++;
      continue;
    }
    if (ch === '}') {
      flushBytes();
      state = stack.pop() ?? state;
      groupStart = false;
      skipFallback = 0;
      i++;
      continue;
    }
    if (ch === '\\') {
      const next = src[i + 1] ?? '';
      if (/[a-zA-Z]/.test(next)) {
        const m = /^([a-zA-Z]{1,32})(-?\d{1,10})? ?/.exec(src.slice(i + 1, i + 48))!;
        const word = m[1]!;
        const param = m[2] === undefined ? null : Number(m[2]);
        i += 1 + m[0].length;
        const wasGroupStart = groupStart;
        groupStart = false;
        if (word === 'bin' && param !== null) {
          i += Math.max(0, param);
          continue;
        }
        if (word === 'u' && param !== null) {
          flushBytes();
          emit(String.fromCharCode(param < 0 ? param + 65536 : param));
          skipFallback = state.uc;
          continue;
        }
        if (skipFallback > 0) {
          // A control word counts as one fallback character after \u.
          skipFallback--;
          continue;
        }
        flushBytes();
        if (word === 'title' && wasGroupStart) {
          state.inTitle = true;
          state.skip = true;
        } else if (SKIPPED_DESTINATIONS.has(word) && wasGroupStart) state.skip = true;
        else if (word === 'uc' && param !== null) state.uc = Math.max(0, param);
        else if (word === 'ansicpg' && param !== null) codepage = `cp${param}`;
        else if (word === 'mac') codepage = 'macintosh';
        else if (word === 'pc') codepage = 'cp437';
        else if (word === 'pca') codepage = 'cp850';
        else if (BREAKS.has(word)) emit('\n');
        else if (word === 'line') emit(LINE);
        else if (SYMBOLS[word]) emit(SYMBOLS[word]);
        continue;
      }
      groupStart = false;
      if (next === "'") {
        const hex = src.slice(i + 2, i + 4);
        i += 4;
        if (skipFallback > 0) {
          skipFallback--;
          continue;
        }
        if (/^[0-9a-fA-F]{2}$/.test(hex)) pendingBytes.push(parseInt(hex, 16));
        continue;
      }
      i += 2;
      if (next === '*') {
        state.skip = true;
        continue;
      }
      if (skipFallback > 0) {
        skipFallback--;
        continue;
      }
      flushBytes();
      if (next === '\\' || next === '{' || next === '}') emit(next);
      else if (next === '~') emit('\u00A0');
      else if (next === '_') emit('\u2011');
      else if (next === '\n' || next === '\r') emit('\n');
      // \- (optional hyphen) and unknown symbols produce nothing.
      continue;
    }
    groupStart = false;
    i++;
    if (ch === '\r' || ch === '\n') continue;
    if (skipFallback > 0) {
      skipFallback--;
      continue;
    }
    flushBytes();
    emit(ch);
  }
  flushBytes();
  const text = out
    .split('\n')
    .map((p) => p.replace(/[ \t]+$/g, '').replace(/^[ \t]+/g, '').replaceAll(LINE, '\n'))
    .filter((p) => p.trim())
    .join('\n\n');
  const t = title.replace(/\s+/g, ' ').trim();
  return { title: t || null, text };
}
