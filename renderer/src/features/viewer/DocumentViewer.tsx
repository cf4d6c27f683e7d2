import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { $createParagraphNode, $createTextNode, $getRoot, createEditor, type LexicalEditor } from 'lexical';
import type { ViewerSegment as Segment } from '../../../../main/api/contract/workbench';
import { cpToLocal, trimU16, u16ToCp, type TextMap } from './text-map';
import { addToHighlight, removeFromHighlight, setHighlights, slotFor } from './highlights';

export interface TextSelection {
  start: number;
  end: number;
  text: string;
}

export interface Jump {
  start: number;
  end: number;
  nonce: number;
}

interface Props {
  doc: { id: string; name: string; text: string } | null;
  /** The document's paragraph table (built once per document by the caller). */
  map: TextMap | null;
  segments: Segment[];
  selectedSegmentId: string | null;
  pending: TextSelection | null;
  jump: Jump | null;
  onSelectSegment: (id: string | null) => void;
  onSelection: (sel: TextSelection | null) => void;
}

interface Stripe {
  id: string;
  top: number;
  height: number;
  lane: number;
  color: string;
  label: string;
  title: string;
  selected: boolean;
  labelTop: number;
}

/** Stripe lanes beside the text, and a column of labels (code names) left of them, as in MAXQDA. */
const LANE = 9;
const MAX_LANES = 12;
const LABEL_COLUMN = 124;
const LABEL_HEIGHT = 15;

function describe(s: Segment): string {
  const lines = [s.code_name, `coder: ${s.coder_name}`, `coded: ${s.created_at.slice(0, 16).replace('T', ' ')}`];
  if (s.memo) lines.push(`memo: ${s.memo.length > 200 ? `${s.memo.slice(0, 200)}…` : s.memo}`);
  return lines.join('\n');
}

/**
 * The read-only document: a Lexical editor holding one paragraph node with one text node per
 * paragraph of the stored text. Codes never enter the Lexical state: tints are CSS highlights
 * and the margin draws coding stripes for the visible part only.
 */
export function DocumentViewer(props: Props) {
  const { doc, map: textMap, segments, selectedSegmentId, pending, jump, onSelectSegment, onSelection } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const pageRef = useRef<HTMLDivElement>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const mapRef = useRef<TextMap | null>(null);
  const parasRef = useRef<HTMLElement[]>([]);
  const indexRef = useRef(new Map<Node, number>());
  const [rendered, setRendered] = useState(0);
  const [stripes, setStripes] = useState<Stripe[]>([]);
  const [tooltip, setTooltip] = useState<{ x: number; y: number; text: string } | null>(null);
  const segsRef = useRef(segments);
  segsRef.current = segments;
  const callbacks = useRef({ onSelectSegment, onSelection });
  callbacks.current = { onSelectSegment, onSelection };

  // Build the Lexical state once per document.
  useLayoutEffect(() => {
    const root = rootRef.current;
    if (!root || !doc || !textMap) return;
    const map = textMap;
    mapRef.current = map;
    const editor: LexicalEditor = createEditor({
      namespace: 'document',
      editable: false,
      theme: { paragraph: 'doc-p' },
      onError: (e) => console.error(e),
    });
    editor.setRootElement(root);
    editor.update(
      () => {
        const r = $getRoot();
        r.clear();
        for (const p of map.paras) {
          const para = $createParagraphNode();
          if (p) para.append($createTextNode(p));
          r.append(para);
        }
      },
      { discrete: true },
    );
    const paras = Array.from(root.children) as HTMLElement[];
    parasRef.current = paras;
    const index = new Map<Node, number>();
    paras.forEach((p, i) => index.set(p, i));
    indexRef.current = index;
    scrollRef.current?.scrollTo({ top: 0 });
    setRendered((n) => n + 1);
    return () => {
      editor.setRootElement(null);
      mapRef.current = null;
      parasRef.current = [];
    };
  }, [doc, textMap]);

  const domPoint = useCallback((para: number, offset: number): [Node, number] => {
    const p = parasRef.current[para]!;
    const text = p.firstChild?.firstChild;
    return text && text.nodeType === Node.TEXT_NODE ? [text, offset] : [p, 0];
  }, []);

  const rangeOf = useCallback(
    (start: number, end: number): Range | null => {
      const map = mapRef.current;
      if (!map || parasRef.current.length === 0) return null;
      const a = cpToLocal(map, start);
      const b = cpToLocal(map, end);
      const r = document.createRange();
      try {
        r.setStart(...domPoint(a.para, a.offset));
        r.setEnd(...domPoint(b.para, b.offset));
      } catch {
        return null;
      }
      return r;
    },
    [domPoint],
  );

  /** A DOM point inside the viewer as a UTF-16 offset into the stored text. */
  const pointToU16 = useCallback((node: Node, offset: number): number | null => {
    const root = rootRef.current;
    const map = mapRef.current;
    if (!root || !map || !root.contains(node)) return null;
    if (node === root) return offset >= map.paras.length ? map.text.length : map.startU16[offset]!;
    let p: Node | null = node;
    while (p && p.parentNode !== root) p = p.parentNode;
    const i = p ? indexRef.current.get(p) : undefined;
    if (i === undefined || !p) return null;
    const r = document.createRange();
    r.setStart(p, 0);
    r.setEnd(node, offset);
    return map.startU16[i]! + Math.min(r.toString().length, map.paras[i]!.length);
  }, []);

  const segmentsAt = useCallback((cp: number): Segment[] => segsRef.current.filter((s) => s.start <= cp && s.end > cp), []);

  // Tints: one highlight per colour slot, updated in place: coding one passage adds one range.
  const tintCache = useRef(new Map<string, { range: Range; slot: number }>());
  const tintLayout = useRef(0);
  useEffect(() => {
    if (!rendered) return;
    const cache = tintCache.current;
    if (tintLayout.current !== rendered) {
      cache.clear();
      tintLayout.current = rendered;
      setHighlights('m-slot-', new Map());
    }
    const live = new Set<string>();
    for (const s of segments) {
      const key = `${s.id}:${s.start}:${s.end}:${s.code_color}`;
      live.add(key);
      if (cache.has(key)) continue;
      const range = rangeOf(s.start, s.end);
      if (!range) continue;
      const slot = slotFor(s.code_color);
      cache.set(key, { range, slot });
      addToHighlight(`m-slot-${slot}`, range);
    }
    for (const [key, { range, slot }] of cache) {
      if (live.has(key)) continue;
      cache.delete(key);
      removeFromHighlight(`m-slot-${slot}`, range);
    }
  }, [segments, rendered, rangeOf]);

  useEffect(() => {
    if (!rendered) return;
    const sel = segments.find((s) => s.id === selectedSegmentId);
    const r = sel ? rangeOf(sel.start, sel.end) : null;
    setHighlights('m-selected', r ? new Map([['m-selected', [r]]]) : new Map());
  }, [segments, selectedSegmentId, rendered, rangeOf]);

  useEffect(() => {
    if (!rendered) return;
    const r = pending ? rangeOf(pending.start, pending.end) : null;
    setHighlights('m-pending', r ? new Map([['m-pending', [r]]]) : new Map());
  }, [pending, rendered, rangeOf]);

  useEffect(() => () => {
    setHighlights('m-', new Map());
  }, []);

  // Stripes for the visible part of the page.
  const layoutStripes = useCallback(() => {
    const scroller = scrollRef.current;
    const page = pageRef.current;
    const paras = parasRef.current;
    const map = mapRef.current;
    if (!scroller || !page || !map || paras.length === 0) return setStripes([]);
    const top = scroller.scrollTop - 300;
    const bottom = scroller.scrollTop + scroller.clientHeight + 300;
    let lo = 0;
    let hi = paras.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const p = paras[mid]!;
      if (p.offsetTop + p.offsetHeight < top) lo = mid + 1;
      else hi = mid;
    }
    const first = lo;
    let last = first;
    while (last + 1 < paras.length && paras[last + 1]!.offsetTop < bottom) last++;
    const from = map.startCp[first]!;
    const to = map.startCp[last]! + (map.paras[last]!.length + 2);
    const pageTop = page.getBoundingClientRect().top;
    const visible = segsRef.current.filter((s) => s.start < to && s.end > from);
    const placed: { s: Segment; top: number; height: number }[] = [];
    for (const s of visible) {
      const r = rangeOf(s.start, s.end);
      if (!r) continue;
      const rects = r.getClientRects();
      if (rects.length === 0) continue;
      let t = Infinity;
      let b = -Infinity;
      for (const rc of rects) {
        if (rc.height === 0) continue;
        t = Math.min(t, rc.top);
        b = Math.max(b, rc.bottom);
      }
      if (!Number.isFinite(t)) continue;
      placed.push({ s, top: t - pageTop, height: Math.max(b - t, 6) });
    }
    placed.sort((a, b) => a.top - b.top || b.height - a.height);
    const laneEnds: number[] = [];
    const out: Stripe[] = [];
    let labelBottom = -Infinity;
    for (const p of placed) {
      let lane = laneEnds.findIndex((end) => end <= p.top + 1);
      if (lane === -1) {
        lane = laneEnds.length < MAX_LANES ? laneEnds.length : laneEnds.indexOf(Math.min(...laneEnds));
      }
      laneEnds[lane] = p.top + p.height;
      const labelTop = Math.max(p.top, labelBottom);
      labelBottom = labelTop + LABEL_HEIGHT;
      out.push({
        labelTop,
        id: p.s.id,
        top: p.top,
        height: p.height,
        lane,
        color: p.s.code_color,
        label: p.s.code_name,
        title: describe(p.s),
        selected: p.s.id === selectedSegmentId,
      });
    }
    setStripes(out);
  }, [rangeOf, selectedSegmentId]);

  useEffect(() => {
    if (!rendered) return;
    layoutStripes();
  }, [segments, rendered, layoutStripes]);

  useEffect(() => {
    const scroller = scrollRef.current;
    if (!scroller) return;
    let frame = 0;
    const schedule = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        layoutStripes();
      });
    };
    scroller.addEventListener('scroll', schedule, { passive: true });
    const ro = new ResizeObserver(schedule);
    ro.observe(scroller);
    return () => {
      scroller.removeEventListener('scroll', schedule);
      ro.disconnect();
      cancelAnimationFrame(frame);
    };
  }, [layoutStripes]);

  // Jumps (retrieval, search hits): scroll the passage to the upper third and flash it.
  useEffect(() => {
    if (!jump || !rendered) return;
    const map = mapRef.current;
    const scroller = scrollRef.current;
    if (!map || !scroller) return;
    const para = parasRef.current[cpToLocal(map, jump.start).para];
    para?.scrollIntoView({ block: 'center' });
    const frame = requestAnimationFrame(() => {
      const r = rangeOf(jump.start, jump.end);
      if (r) {
        const rect = r.getBoundingClientRect();
        const sRect = scroller.getBoundingClientRect();
        scroller.scrollTop += rect.top - sRect.top - scroller.clientHeight / 3;
        setHighlights('m-search', new Map([['m-search', [r]]]));
      }
      layoutStripes();
    });
    const clear = setTimeout(() => setHighlights('m-search', new Map()), 2500);
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(clear);
    };
  }, [jump, rendered, rangeOf, layoutStripes]);

  // Selection: read from the DOM, mapped to code points, trimmed of whitespace.
  const readSelection = useCallback(() => {
    const root = rootRef.current;
    const map = mapRef.current;
    const sel = document.getSelection();
    if (!root || !map || !sel || sel.rangeCount === 0) return;
    const range = sel.getRangeAt(0);
    if (!root.contains(range.startContainer) && !root.contains(range.endContainer)) return;
    if (sel.isCollapsed) return callbacks.current.onSelection(null);
    const a = root.contains(range.startContainer) ? pointToU16(range.startContainer, range.startOffset) : 0;
    const b = root.contains(range.endContainer) ? pointToU16(range.endContainer, range.endOffset) : map.text.length;
    if (a === null || b === null) return;
    const t = trimU16(map.text, Math.min(a, b), Math.max(a, b));
    if (!t) return callbacks.current.onSelection(null);
    callbacks.current.onSelection({ start: u16ToCp(map, t[0]), end: u16ToCp(map, t[1]), text: map.text.slice(t[0], t[1]) });
  }, [pointToU16]);
  useEffect(() => {
    document.addEventListener('selectionchange', readSelection);
    return () => document.removeEventListener('selectionchange', readSelection);
  }, [readSelection]);

  const cpFromPoint = (x: number, y: number): number | null => {
    const map = mapRef.current;
    const pos = document.caretRangeFromPoint?.(x, y);
    if (!pos || !map) return null;
    const u = pointToU16(pos.startContainer, pos.startOffset);
    return u === null ? null : u16ToCp(map, u);
  };

  const hoverFrame = useRef(0);
  const onMouseMove = (e: React.MouseEvent) => {
    const { clientX, clientY } = e;
    if (hoverFrame.current) return;
    hoverFrame.current = requestAnimationFrame(() => {
      hoverFrame.current = 0;
      const cp = cpFromPoint(clientX, clientY);
      const hits = cp === null ? [] : segmentsAt(cp);
      setTooltip(hits.length ? { x: clientX, y: clientY, text: hits.map(describe).join('\n\n') } : null);
    });
  };

  const onMouseUp = (e: React.MouseEvent) => {
    const sel = document.getSelection();
    if (sel && !sel.isCollapsed) return;
    const cp = cpFromPoint(e.clientX, e.clientY);
    if (cp === null) return;
    const hits = segmentsAt(cp).sort((a, b) => a.end - a.start - (b.end - b.start));
    onSelectSegment(hits[0]?.id ?? null);
  };

  /** Caret browsing for a read-only text: arrows move, Shift extends, Ctrl by word. */
  const onKeyDown = (e: React.KeyboardEvent) => {
    const root = rootRef.current;
    const sel = document.getSelection();
    if (!root || !sel) return;
    const moves: Record<string, [string, string]> = {
      ArrowLeft: ['backward', e.ctrlKey || e.metaKey ? 'word' : 'character'],
      ArrowRight: ['forward', e.ctrlKey || e.metaKey ? 'word' : 'character'],
      ArrowUp: ['backward', 'line'],
      ArrowDown: ['forward', 'line'],
      Home: ['backward', 'lineboundary'],
      End: ['forward', 'lineboundary'],
    };
    const move = moves[e.key];
    if (move && !e.altKey) {
      e.preventDefault();
      if (sel.rangeCount === 0 || !root.contains(sel.anchorNode)) {
        const scroller = scrollRef.current!;
        const p = parasRef.current.find((el) => el.offsetTop + el.offsetHeight > scroller.scrollTop) ?? parasRef.current[0];
        if (!p) return;
        sel.collapse(p.firstChild?.firstChild ?? p, 0);
        if (!e.shiftKey) return;
      }
      sel.modify(e.shiftKey ? 'extend' : 'move', move[0], move[1]);
      // selectionchange comes later, as a task: a code key pressed right after must see this selection.
      readSelection();
      return;
    }
    if (e.key === 'Enter' && sel.rangeCount > 0) {
      const map = mapRef.current;
      const u = pointToU16(sel.focusNode!, sel.focusOffset);
      if (map && u !== null) {
        const hits = segmentsAt(u16ToCp(map, u)).sort((a, b) => a.end - a.start - (b.end - b.start));
        if (hits[0]) {
          e.preventDefault();
          onSelectSegment(hits[0].id);
        }
      }
    }
  };

  const width = useMemo(() => LABEL_COLUMN + Math.max(3, Math.min(MAX_LANES, 1 + Math.max(0, ...stripes.map((s) => s.lane)))) * LANE + 10, [stripes]);

  return (
    <section className="viewer" aria-label="Document">
      <header className="viewer-head">
        <h2>{doc ? doc.name : 'No document open'}</h2>
      </header>
      <div className="viewer-scroll" ref={scrollRef} onMouseLeave={() => setTooltip(null)}>
        <div className="doc-page" ref={pageRef}>
          <div className="margin" style={{ width }} aria-label="Coding stripes" role="group">
            {stripes.map((s) => (
              <button
                key={s.id}
                type="button"
                tabIndex={-1}
                className={`stripe${s.selected ? ' selected' : ''}`}
                data-segment-id={s.id}
                style={{ top: s.top, height: s.height, right: s.lane * LANE + 6 }}
                title={s.title}
                aria-label={`${s.label} stripe`}
                onClick={() => onSelectSegment(s.id)}
              >
                <span className="stripe-bar" style={{ backgroundColor: s.color }} />
              </button>
            ))}
            {stripes.map((s) => (
              <span
                key={`label-${s.id}`}
                className={`stripe-label${s.selected ? ' selected' : ''}`}
                aria-hidden="true"
                title={s.title}
                style={{ top: s.labelTop, width: LABEL_COLUMN - 6, borderLeftColor: s.color }}
                onClick={() => onSelectSegment(s.id)}
              >
                {s.label}
              </span>
            ))}
          </div>
          <div
            ref={rootRef}
            className="doc-text"
            tabIndex={0}
            // A read-only multi-line text box: screen readers let the caret and Shift+arrows
            // select in it, which is how the keyboard codes a passage.
            role="textbox"
            aria-multiline="true"
            aria-label={doc ? `Text of ${doc.name}` : 'No document open'}
            aria-readonly="true"
            onMouseMove={onMouseMove}
            onMouseUp={onMouseUp}
            onKeyDown={onKeyDown}
          />
        </div>
        {!doc && <p className="empty">Choose a document from the list to read and code it.</p>}
      </div>
      {tooltip && (
        <div className="tooltip" role="tooltip" style={{ left: tooltip.x + 14, top: tooltip.y + 16 }}>
          {tooltip.text}
        </div>
      )}
    </section>
  );
}
