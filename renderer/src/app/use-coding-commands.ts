import { startTransition, useCallback, useRef, type Dispatch, type SetStateAction } from 'react';
import type { Code, Coder, DocumentText } from '../../../main/api/contract/entities';
import type { ViewerSegment as Segment } from '../../../main/api/contract/workbench';
import type { TextSelection } from '../features/viewer/DocumentViewer';
import { call } from '../api/client';

interface Deps {
  doc: DocumentText | null;
  coder: Coder | null;
  codes: Code[];
  /** The text selected right now (read at the moment of the command, never a stale copy). */
  selection: TextSelection | null;
  /** Whose coding the views count: a write answers with the counts it moved over these coders. */
  scope: { coderIds?: string[]; consensus?: boolean };
  setDocSegments: Dispatch<SetStateAction<Segment[]>>;
  say(text: string): void;
  fail(e: unknown): void;
}

export interface CodingCommands {
  /** Applies a code to the selected text; the selection stays, so more codes can follow. */
  apply(code: Code): Promise<void>;
  /** Applies the code of that name under `parentId`, creating it first when there is none. */
  createAndApply(name: string, parentId?: string | null): Promise<void>;
  /** Codes the selected words with a new code named after them. */
  inVivo(): void;
  undo(): void;
  redo(): void;
}

/** The id of a segment drawn before the API stored it. */
export const PENDING_PREFIX = 'pending-';

function preview(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * The coding commands, with optimistic updates: a new stripe is drawn before the API answers
 * and replaced by the stored segment, or taken away again when the write fails.
 */
export function useCodingCommands(deps: Deps): CodingCommands {
  const latest = useRef(deps);
  latest.current = deps;

  const apply = useCallback(async (code: Code) => {
    const { selection: sel, doc, coder, scope, setDocSegments, say, fail } = latest.current;
    if (!sel || !doc) return say('Select some text in the document first, then choose a code.');
    const temp = `${PENDING_PREFIX}${Date.now()}-${Math.random()}`;
    const now = new Date().toISOString();
    const optimistic: Segment = {
      id: temp,
      document_id: doc.id,
      code_id: code.id,
      code_name: code.name,
      code_color: code.color,
      coder_id: coder?.id ?? '',
      coder_name: coder?.name ?? '',
      start: sel.start,
      end: sel.end,
      memo: '',
      created_at: now,
      updated_at: now,
    };
    setDocSegments((prev) => [...prev, optimistic].sort((a, b) => a.start - b.start || a.end - b.end));
    try {
      const { id } = await call('segments.create', { documentId: doc.id, codeId: code.id, start: sel.start, end: sel.end, counts: scope });
      // In a transition: the counts this answer carries are painted first, and the stripe,
      // drawn already, takes its stored id (a layout of the margin) in the frame after.
      // A reload that came first holds the stored segment already, and has dropped the drawn one.
      startTransition(() =>
        setDocSegments((prev) => {
          if (prev.some((s) => s.id === id)) return prev.filter((s) => s.id !== temp);
          if (prev.some((s) => s.id === temp)) return prev.map((s) => (s.id === temp ? { ...s, id } : s));
          // Dropped for an identical segment stored before it (the same code twice over the same words).
          return latest.current.doc?.id === doc.id ? [...prev, { ...optimistic, id }].sort((a, b) => a.start - b.start || a.end - b.end) : prev;
        }),
      );
      say(`Coded “${preview(sel.text)}” with ${code.path}`);
    } catch (e) {
      setDocSegments((prev) => prev.filter((s) => s.id !== temp));
      fail(e);
    }
  }, []);

  const createAndApply = useCallback(
    async (name: string, parentId: string | null = null) => {
      const { codes, fail } = latest.current;
      try {
        const existing = codes.find((c) => c.parent_id === parentId && c.name.toLowerCase() === name.toLowerCase());
        if (existing) return apply(existing);
        const { id } = await call('codes.create', { name, parentId });
        const fresh = await call('codes.list', {});
        const code = fresh.find((c) => c.id === id);
        if (code) await apply(code);
      } catch (e) {
        fail(e);
      }
    },
    [apply],
  );

  const inVivo = useCallback(() => {
    const sel = latest.current.selection;
    if (!sel) return latest.current.say('Select the words to code in vivo first.');
    void createAndApply(sel.text.replace(/\s+/g, ' ').trim().slice(0, 80));
  }, [createAndApply]);

  const undo = useCallback(() => {
    call('project.undo', { counts: latest.current.scope, ...(latest.current.doc ? { openDocumentId: latest.current.doc.id } : {}) }).then((r) => latest.current.say(`Undone: ${r.undone}`), latest.current.fail);
  }, []);
  const redo = useCallback(() => {
    call('project.redo', { counts: latest.current.scope, ...(latest.current.doc ? { openDocumentId: latest.current.doc.id } : {}) }).then((r) => latest.current.say(`Redone: ${r.redone}`), latest.current.fail);
  }, []);

  return { apply, createAndApply, inVivo, undo, redo };
}
