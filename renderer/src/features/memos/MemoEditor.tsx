import { useEffect, useRef, useState } from 'react';
import { LexicalComposer } from '@lexical/react/LexicalComposer';
import { useLexicalComposerContext } from '@lexical/react/LexicalComposerContext';
import { RichTextPlugin } from '@lexical/react/LexicalRichTextPlugin';
import { ContentEditable } from '@lexical/react/LexicalContentEditable';
import { HistoryPlugin } from '@lexical/react/LexicalHistoryPlugin';
import { ListPlugin } from '@lexical/react/LexicalListPlugin';
import { LinkPlugin } from '@lexical/react/LexicalLinkPlugin';
import { OnChangePlugin } from '@lexical/react/LexicalOnChangePlugin';
import { LexicalErrorBoundary } from '@lexical/react/LexicalErrorBoundary';
import { HeadingNode, QuoteNode } from '@lexical/rich-text';
import { ListItemNode, ListNode, INSERT_ORDERED_LIST_COMMAND, INSERT_UNORDERED_LIST_COMMAND } from '@lexical/list';
import { AutoLinkNode, LinkNode, TOGGLE_LINK_COMMAND } from '@lexical/link';
import { $createParagraphNode, $createTextNode, $getRoot, FORMAT_TEXT_COMMAND, type EditorState } from 'lexical';
import { call } from '../../api/client';
import type { Memo, MemoTargetKind } from '../../../../main/api/contract/entities';

interface Props {
  kind: MemoTargetKind;
  targetId: string | null;
  /** Accessible name of the editing area, e.g. "Segment memo". */
  label: string;
}

function Toolbar(props: { label: string }) {
  const [editor] = useLexicalComposerContext();
  const [url, setUrl] = useState('');
  const keep = (e: React.MouseEvent) => e.preventDefault();
  return (
    <div className="memo-toolbar" role="toolbar" aria-label={`${props.label} formatting`}>
      <button type="button" onMouseDown={keep} onClick={() => editor.dispatchCommand(FORMAT_TEXT_COMMAND, 'bold')} aria-label="Bold">
        <b>B</b>
      </button>
      <button type="button" onMouseDown={keep} onClick={() => editor.dispatchCommand(FORMAT_TEXT_COMMAND, 'italic')} aria-label="Italic">
        <i>I</i>
      </button>
      <button type="button" onMouseDown={keep} onClick={() => editor.dispatchCommand(INSERT_UNORDERED_LIST_COMMAND, undefined)} aria-label="Bulleted list">
        •
      </button>
      <button type="button" onMouseDown={keep} onClick={() => editor.dispatchCommand(INSERT_ORDERED_LIST_COMMAND, undefined)} aria-label="1. Numbered list" title="Numbered list">
        1.
      </button>
      <input type="url" value={url} placeholder="https://…" aria-label="Link address" onChange={(e) => setUrl(e.target.value)} />
      <button type="button" onMouseDown={keep} onClick={() => editor.dispatchCommand(TOGGLE_LINK_COMMAND, url.trim() || null)} aria-label="Link">
        Link
      </button>
    </div>
  );
}

/** A memo in a Lexical rich-text editor (bold, italic, lists, links), saved as you type. */
export function MemoEditor({ kind, targetId, label }: Props) {
  const [memo, setMemo] = useState<Memo | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    setMemo(undefined);
    call('memos.list', { kind, targetId }).then(
      (list) => live && setMemo(list[0] ?? null),
      () => live && setMemo(null),
    );
    return () => {
      live = false;
    };
  }, [kind, targetId]);
  if (memo === undefined) return <p className="muted">Loading memo…</p>;
  return <MemoEditorLoaded key={`${kind}:${targetId}`} kind={kind} targetId={targetId} label={label} memo={memo} />;
}

/** The stored Lexical state; a memo that came as plain text only (CLI, REFI-QDA) opens as paragraphs. */
function initialState(memo: Memo | null): string | (() => void) | undefined {
  if (!memo) return undefined;
  if (memo.content) {
    try {
      JSON.parse(memo.content);
      return memo.content;
    } catch {
      // fall through to the plain text
    }
  }
  if (!memo.text) return undefined;
  return () => {
    const root = $getRoot();
    for (const line of memo.text.split('\n')) {
      const p = $createParagraphNode();
      if (line) p.append($createTextNode(line));
      root.append(p);
    }
  };
}

function MemoEditorLoaded({ kind, targetId, label, memo }: Props & { memo: Memo | null }) {
  const pending = useRef<{ content: string; text: string } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const [status, setStatus] = useState('');
  const memoId = useRef(memo?.id);

  const flush = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const p = pending.current;
    if (!p) return;
    pending.current = null;
    call('memos.save', { kind, targetId, content: p.content, text: p.text, ...(memoId.current ? { memoId: memoId.current } : {}) }).then(
      (r) => {
        memoId.current = r.id ?? undefined;
        setStatus('Saved');
      },
      (e: Error) => setStatus(`Not saved: ${e.message}`),
    );
  };
  useEffect(() => () => flush(), []); // eslint-disable-line react-hooks/exhaustive-deps

  const onChange = (state: EditorState) => {
    const text = state.read(() => $getRoot().getTextContent());
    pending.current = { content: JSON.stringify(state.toJSON()), text: text.trim() ? text : '' };
    setStatus('Saving…');
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(flush, 400);
  };

  const initialConfig = {
    namespace: `memo-${kind}`,
    nodes: [HeadingNode, QuoteNode, ListNode, ListItemNode, LinkNode, AutoLinkNode],
    onError: (e: Error) => console.error(e),
    theme: { text: { bold: 'memo-bold', italic: 'memo-italic' }, link: 'memo-link', list: { ul: 'memo-ul', ol: 'memo-ol', listitem: 'memo-li' } },
    editorState: initialState(memo),
  };
  return (
    <div className="memo">
      <LexicalComposer initialConfig={initialConfig}>
        <Toolbar label={label} />
        <RichTextPlugin
          contentEditable={<ContentEditable className="memo-input" aria-label={label} />}
          placeholder={<div className="memo-placeholder">Write a memo…</div>}
          ErrorBoundary={LexicalErrorBoundary}
        />
        <HistoryPlugin />
        <ListPlugin />
        <LinkPlugin />
        <OnChangePlugin ignoreSelectionChange onChange={onChange} />
      </LexicalComposer>
      <span className="memo-status" role="status">
        {status}
      </span>
    </div>
  );
}
