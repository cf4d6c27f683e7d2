import { useMemo, useRef, useState } from 'react';
import type { Code } from '../../../../main/api/contract/entities';
import { call } from '../../api/client';
import { SafeText } from '../../app/SafeText';
import { markedName } from '../../../../main/api/contract/safe-text';

interface Props {
  codes: Code[];
  selectedCodeId: string | null;
  canApply: boolean;
  onSelect: (id: string) => void;
  onApply: (code: Code) => void;
  onDelete: (code: Code) => void;
  onError: (e: unknown) => void;
  /** Says what a change to the codebook did (for the status line, a polite live region). */
  onDone?: (text: string) => void;
}

const DRAG_TYPE = 'application/x-marginalia-code';
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Segments of each code together with all its subcodes' (a segment has one code, so they add up). */
export function totalSegments(codes: Code[]): Map<string, number> {
  const total = new Map(codes.map((c) => [c.id, c.segment_count]));
  const byId = new Map(codes.map((c) => [c.id, c]));
  for (const c of codes) {
    for (let p = c.parent_id ? byId.get(c.parent_id) : undefined; p; p = p.parent_id ? byId.get(p.parent_id) : undefined) {
      total.set(p.id, (total.get(p.id) ?? 0) + c.segment_count);
    }
  }
  return total;
}

/** What a code row says to a screen reader after its name. */
function describe(c: Code, total: number, hasSubcodes: boolean): string {
  const counts = hasSubcodes
    ? `${plural(total, 'segment')} with its subcodes, ${c.segment_count} of them coded with ${c.name} itself`
    : `${plural(c.segment_count, 'segment')} in ${plural(c.document_count, 'document')}`;
  return `${c.path}; ${counts}${c.shortcut ? `; shortcut key ${c.shortcut}` : ''}${c.description.trim() ? `; coding rule: ${c.description.trim()}` : ''}`;
}

/**
 * The codebook as an ARIA tree: arrows move, Right/Left open and close, Enter (or a double
 * click) applies the code to the selected text, a single click only selects it (to read its
 * rule), Alt+arrows move the code, F2 renames, Delete deletes. Hovering a code shows its
 * coding rule. Drag and drop moves a code under another; dropping on "Top level" moves it up.
 */
export function CodeTree({ codes, selectedCodeId, canApply, onSelect, onApply, onDelete, onError, onDone }: Props) {
  const [tip, setTip] = useState<{ code: Code; x: number; y: number } | null>(null);
  const totals = useMemo(() => totalSegments(codes), [codes]);
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
      const parent = codes.find((x) => x.id === parentId);
      onDone?.(index !== undefined && parentId === c.parent_id ? `Moved ${c.name} to place ${index + 1}` : `Moved ${c.name} ${parent ? `under ${parent.name}` : 'to the top level'}`);
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
      {/* Column heads, so the numbers read as what they are; each row says it in words too. */}
      <div className="code-tree-head" aria-hidden="true">
        <span className="grow">Code</span>
        <span className="head-key">Key</span>
        <span className="head-counts">Segments</span>
      </div>
      <ul role="tree" aria-label="Codes" className="code-tree" onMouseLeave={() => setTip(null)}>
        {visible.map((c) => {
          const expandable = hasChildren.has(c.id);
          const isFocus = c.id === current?.id;
          const total = totals.get(c.id) ?? c.segment_count;
          return (
            <li
              key={c.id}
              ref={(el) => {
                if (el) refs.current.set(c.id, el);
                else refs.current.delete(c.id);
              }}
              role="treeitem"
              aria-label={markedName(c.name)}
              aria-level={c.depth + 1}
              aria-selected={c.id === selectedCodeId}
              aria-expanded={expandable ? !collapsed.has(c.id) : undefined}
              aria-description={describe(c, total, expandable)}
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
                // Only selects: reading a code's rule must not code the selected text.
                setFocusId(c.id);
                onSelect(c.id);
              }}
              onDoubleClick={(e) => {
                if (!canApply || (e.target as HTMLElement).closest('.twisty')) return;
                onApply(c);
              }}
              onMouseEnter={(e) => {
                const r = e.currentTarget.getBoundingClientRect();
                setTip({ code: c, x: r.left + 24, y: r.bottom + 4 });
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
              <span className="code-name"><SafeText text={c.name} /></span>
              {/* Read through aria-description; shown under the "Key" and "Segments" heads. */}
              <span className="key-cell" aria-hidden="true">
                {c.shortcut ? (
                  <kbd className="shortcut" title={`Shortcut: press ${c.shortcut} to apply ${c.name}`}>
                    {c.shortcut}
                  </kbd>
                ) : null}
              </span>
              <span
                className="counts"
                aria-hidden="true"
                title={
                  expandable
                    ? `${plural(total, 'segment')} with its subcodes; ${c.segment_count} coded with ${c.name} itself`
                    : `${plural(c.segment_count, 'segment')} in ${plural(c.document_count, 'document')}`
                }
              >
                {expandable ? total : c.segment_count}
                {expandable && <span className="muted own"> ({c.segment_count} own)</span>}
              </span>
            </li>
          );
        })}
      </ul>
      {tip && (
        <div role="tooltip" className="tooltip code-tip" style={{ left: tip.x, top: tip.y }}>
          <strong><SafeText text={tip.code.path} /></strong>
          {'\n'}
          {tip.code.description.trim() ? tip.code.description.trim() : 'No coding rule yet: select the code and write one under Description.'}
        </div>
      )}
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
