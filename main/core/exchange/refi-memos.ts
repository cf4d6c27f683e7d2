/** A memo as REFI-QDA carries it: a title (the Note's name) and its text. */
export interface MemoText {
  title: string;
  text: string;
}

/**
 * The memos of one item as one `<Description>`, which is where QualCoder and ATLAS.ti keep a
 * coding's or a document's memo (and the only place QualCoder reads one). Each memo is its
 * title and text on two lines, memos apart by a blank line. Marginalia writes the same memos
 * as Notes too; an importer that finds a Description equal to this form of the Notes on the
 * same item knows it is those Notes again, not another memo.
 */
export function describeMemos(memos: readonly MemoText[]): string {
  return memos.map((m) => (m.title !== '' && m.text !== '' ? `${m.title}\n${m.text}` : m.title || m.text)).join('\n\n');
}
