/**
 * Names from outside (file names, attributes, codes and coders from other people's projects)
 * are stored as given but shown safely. Some characters act instead of showing: ESC starts a
 * terminal escape sequence, BEL rings, CR overwrites the line, LF splits one name over two
 * lines, and the bidirectional overrides make "report‮txt.exe" read as "reportexe.txt".
 *
 * Pure and dependency-free: the command line (main/cli) and the app (renderer) both use it,
 * so a name is escaped by the same rule wherever it is printed.
 */

/** Controls (C0 but TAB and LF, DEL, C1), bidi marks, embeddings, overrides and isolates, line and paragraph separators. */
const ACTING = '\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F\\u061C\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069\\u2028\\u2029';

/** In a whole line of output: everything that acts, except the line's own TAB and LF. */
const IN_LINE = new RegExp(`[${ACTING}]`, 'g');
/** In a name: TAB and LF too (a name is one line). */
const IN_NAME = new RegExp(`[\\t\\n${ACTING}]`, 'g');

const NAMES: Record<number, string> = {
  0x00: 'null',
  0x07: 'bell',
  0x08: 'backspace',
  0x09: 'tab',
  0x0a: 'line feed',
  0x0b: 'vertical tab',
  0x0c: 'form feed',
  0x0d: 'carriage return',
  0x1b: 'escape',
  0x7f: 'delete',
  0x061c: 'Arabic letter mark',
  0x200e: 'left-to-right mark',
  0x200f: 'right-to-left mark',
  0x202a: 'left-to-right embedding',
  0x202b: 'right-to-left embedding',
  0x202c: 'pop directional formatting',
  0x202d: 'left-to-right override',
  0x202e: 'right-to-left override',
  0x2066: 'left-to-right isolate',
  0x2067: 'right-to-left isolate',
  0x2068: 'first strong isolate',
  0x2069: 'pop directional isolate',
  0x2028: 'line separator',
  0x2029: 'paragraph separator',
};

const hex = (c: string) => c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');

/** "U+202E" for one character. */
export const codePointLabel = (c: string): string => `U+${hex(c)}`;

/** What the character is, in words: "right-to-left override", "escape", "control character". */
export function characterName(c: string): string {
  return NAMES[c.charCodeAt(0)] ?? 'control character';
}

/** A line for the terminal: acting characters written as \uXXXX (also valid inside JSON strings), TAB and LF kept. */
export function terminalSafe(line: string): string {
  return line.replace(IN_LINE, (c) => `\\u${hex(c).toLowerCase()}`);
}

/** A name for the terminal: as terminalSafe, and its TAB and LF escaped too, so it stays on one line. */
export function safeName(name: string): string {
  return name.replace(IN_NAME, (c) => `\\u${hex(c).toLowerCase()}`);
}

export type SafePart = { text: string } | { char: string; label: string; description: string };

/**
 * A name cut into plain text and the acting characters in it, for the app to mark each one
 * (e.g. "⟨U+202E⟩" described as "right-to-left override") instead of letting it act.
 */
export function splitName(name: string): SafePart[] {
  const parts: SafePart[] = [];
  let last = 0;
  for (const m of name.matchAll(IN_NAME)) {
    if (m.index > last) parts.push({ text: name.slice(last, m.index) });
    parts.push({ char: m[0], label: codePointLabel(m[0]), description: characterName(m[0]) });
    last = m.index + m[0].length;
  }
  if (last < name.length || parts.length === 0) parts.push({ text: name.slice(last) });
  return parts;
}

/** Whether a name holds anything that would act rather than show. */
export function hasActingCharacters(name: string): boolean {
  return name.search(IN_NAME) !== -1;
}

/** A name for an attribute (aria-label, title) where no element can mark it: each acting character written as "⟨U+202E⟩". */
export function markedName(name: string): string {
  return name.replace(IN_NAME, (c) => `⟨${codePointLabel(c)}⟩`);
}
