import { useMemo, useRef, useState } from 'react';
import type { Code } from '../../../../main/core/codebook/codebook';
import { call } from '../../api/client';

interface Props {
  codes: Code[];
  selectedCodeId: string | null;
  canApply: boolean;
  onSelect: (id: string) => void;
  onApply: (code: Code) => void;
  onDelete: (code: Code) => void;
  onError: (e: unknown) => void;
}

const DRAG_TYPE = 'application/x-marginalia-code';
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The codebook as an ARIA tree: arrows move, Right/Left open and close, Enter applies the code
 * to the selected text, Alt+arrows move the code, F2 renames, Delete deletes. Drag and drop
 * moves a code under another; dropping on "Top level" moves it up to the top.
 */
export function CodeTree({ codes, selectedCodeId, canApply, onSelect, onApply, onDelete, onError }: Props) {
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [focusId, setFocusId] = useState<string | null>(null);
  const [dropTarget, setDropTarget] = useState<string | null>(null);
  const refs = useRef(new Map<string, HTMLElement>());

  const hasChildren = useMemo(() => new Set(codes.map((c) => c.parent_id).filter((p): p is string => !!p)), [codes]);
  const visible = useMemo(() => {
    const out: Code[] = [];
    const hidden = new Set<string>();
    for (const c of codes) {
      if (c.parent_id && (hidden.has(c.parent_id) || collapsed.has(c.parent_id))) {
        hidden.add(c.id);
        continue;
      }
      out.push(c);
    }
    return out;
  }, [codes, collapsed]);
  const siblingsOf = (c: Code) => codes.filter((x) => x.parent_id === c.parent_id);
  const current = visible.find((c) => c.id === (focusId ?? selectedCodeId)) ?? visible[0];

  const focus = (c: Code | undefined) => {
    if (!c) return;
    setFocusId(c.id);
    onSelect(c.id);
    refs.current.get(c.id)?.focus();
  };

  const move = async (c: Code, parentId: string | null, index?: number) => {
    try {
      await call('codes.move', { id: c.id, parentId, ...(index !== undefined ? { index } : {}) });
      requestAnimationFrame(() => refs.current.get(c.id)?.focus());
    } catch (e) {
      onError(e);
    }
  };

  const onKeyDown = (e: React.KeyboardEvent, c: Code) => {
    const i = visible.indexOf(c);
    const sibs = siblingsOf(c);
    const si = sibs.indexOf(c);
    if (e.altKey) {
      if (e.key === 'ArrowUp' && si > 0) void move(c, c.parent_id, si - 1);
      else if (e.key === 'ArrowDown' && si < sibs.length - 1) void move(c, c.parent_id, si + 1);
      else if (e.key === 'ArrowRight' && si > 0) void move(c, sibs[si - 1]!.id);
      else if (e.key === 'ArrowLeft' && c.parent_id) {
        const parent = codes.find((x) => x.id === c.parent_id)!;
        void move(c, parent.parent_id, siblingsOf(parent).indexOf(parent) + 1);
      } else return;
      e.preventDefault();
      e.stopPropagation();
      return;
    }
    switch (e.key) {
      case 'ArrowDown':
        focus(visible[i + 1]);
        break;
      case 'ArrowUp':
        focus(visible[i - 1]);
        break;
      case 'Home':
        focus(visible[0]);
        break;
      case 'End':
        focus(visible[visible.length - 1]);
        break;
      case 'ArrowRight':
        if (hasChildren.has(c.id) && collapsed.has(c.id)) setCollapsed((s) => new Set([...s].filter((x) => x !== c.id)));
        else if (hasChildren.has(c.id)) focus(visible[i + 1]);
        break;
      case 'ArrowLeft':
        if (hasChildren.has(c.id) && !collapsed.has(c.id)) setCollapsed((s) => new Set(s).add(c.id));
        else if (c.parent_id) focus(visible.find((x) => x.id === c.parent_id));
        break;
      case 'Enter':
      case ' ':
        if (canApply) onApply(c);
        else onSelect(c.id);
        break;
      case 'F2':
        onSelect(c.id);
        requestAnimationFrame(() => document.getElementById('code-name-input')?.focus());
        break;
      case 'Delete':
        onDelete(c);
        break;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
  };

  const drop = (e: React.DragEvent, parentId: string | null) => {
    e.preventDefault();
    setDropTarget(null);
    const id = e.dataTransfer.getData(DRAG_TYPE);
    const c = codes.find((x) => x.id === id);
    if (c && c.id !== parentId) void move(c, parentId);
  };

  return (
    <div className="code-tree-wrap">
      <ul role="tree" aria-label="Codes" className="code-tree">
        {visible.map((c) => {
          const expandable = hasChildren.has(c.id);
          const isFocus = c.id === current?.id;
          return (
            <li
              key={c.id}
              ref={(el) => {
                if (el) refs.current.set(c.id, el);
                else refs.current.delete(c.id);
              }}
              role="treeitem"
              aria-label={c.name}
              aria-level={c.depth + 1}
              aria-selected={c.id === selectedCodeId}
              aria-expanded={expandable ? !collapsed.has(c.id) : undefined}
              aria-description={`${c.path}; ${plural(c.segment_count, 'segment')} in ${plural(c.document_count, 'document')}${c.shortcut ? `; shortcut ${c.shortcut}` : ''}`}
              tabIndex={isFocus ? 0 : -1}
              className={`code-item${c.id === selectedCodeId ? ' selected' : ''}${dropTarget === c.id ? ' drop' : ''}`}
              style={{ paddingLeft: 6 + c.depth * 16 }}
              draggable
              onDragStart={(e) => {
                e.dataTransfer.setData(DRAG_TYPE, c.id);
                e.dataTransfer.effectAllowed = 'move';
              }}
              onDragOver={(e) => {
                if (!e.dataTransfer.types.includes(DRAG_TYPE)) return;
                e.preventDefault();
                setDropTarget(c.id);
              }}
              onDragLeave={() => setDropTarget((t) => (t === c.id ? null : t))}
              onDrop={(e) => drop(e, c.id)}
              onMouseDown={(e) => {
                // Keep the text selection in the document: clicking a code applies it there.
                if (canApply) e.preventDefault();
              }}
              onClick={() => {
                setFocusId(c.id);
                if (canApply) onApply(c);
                onSelect(c.id);
              }}
              onKeyDown={(e) => onKeyDown(e, c)}
            >
              <span
                className="twisty"
                aria-hidden="true"
                onClick={(e) => {
                  if (!expandable) return;
                  e.stopPropagation();
                  setCollapsed((s) => {
                    const n = new Set(s);
                    if (n.has(c.id)) n.delete(c.id);
                    else n.add(c.id);
                    return n;
                  });
                }}
              >
                {expandable ? (collapsed.has(c.id) ? '▸' : '▾') : ''}
              </span>
              <span className="swatch" style={{ backgroundColor: c.color }} aria-hidden="true" />
              <span className="code-name">{c.name}</span>
              {c.shortcut ? (
                <kbd className="shortcut" title={`Shortcut: press ${c.shortcut}`}>
                  {c.shortcut}
                </kbd>
              ) : null}
              <span className="counts" title={`${c.segment_count} segments in ${c.document_count} documents`}>
                {c.segment_count}
                <span className="muted">/{c.document_count}</span>
              </span>
            </li>
          );
        })}
      </ul>
      <div
        className={`top-drop${dropTarget === '__top' ? ' drop' : ''}`}
        onDragOver={(e) => {
          if (!e.dataTransfer.types.includes(DRAG_TYPE)) return;
          e.preventDefault();
          setDropTarget('__top');
        }}
        onDragLeave={() => setDropTarget(null)}
        onDrop={(e) => drop(e, null)}
      >
        Drop here to move to the top level
      </div>
    </div>
  );
}
