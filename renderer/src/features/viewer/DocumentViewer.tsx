import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { $createParagraphNode, $createTextNode, $getRoot, createEditor, type LexicalEditor } from 'lexical';
import type { ViewerSegment as Segment } from '../../../../main/api/contract/workbench';
import { cpToLocal, cpToU16, sliceCp, trimU16, u16ToCp, type TextMap } from './text-map';
import { setHighlights } from './highlights';
import { defineSlots, slotFor } from './tint-slots';
import { assignLanes, coveredStripes, inWindow, layoutMargin, LABEL_ROW, type LabelRow, type Lanes } from './stripe-layout';
import { tintPaint, tintRuns } from './tint-runs';
import { lineAt, lineBoxes, linesOf, type Line } from './line-boxes';
import { passageEnds, type TextSelection } from './use-selection';
import { StripeElements } from './stripe-elements';
import './viewer.css';
import { SafeText } from '../../app/SafeText';

export type { TextSelection } from './use-selection';

export interface Jump {
  start: number;
  end: number;
  nonce: number;
  /** Select the passage too, as if the reader had (a search hit: a code key then applies to it). */
  select?: boolean;
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
  /** The colour each code is painted in, by code id (subcodes apart from their parent); the stored colour otherwise. */
  colors?: Map<string, string>;
  /** Size of the document text in CSS pixels. */
  textSize?: number;
}

interface Stripe {
  id: string;
  top: number;
  height: number;
  lane: number;
  color: string;
  /** What the label shows: the code, and whose coding when several coders are shown. */
  label: string;
  code: string;
  /** The coder's initials, when several coders are shown. */
  coder: string;
  name: string;
  title: string;
  selected: boolean;
  memo: boolean;
  /** 0 solid, 1 dashed, 2 dotted, 3 double: one per coder while several coders are shown. */
  pattern: number;
  /** Drawn entirely under later stripes in its lane: not drawn, unless it is the selected one (drawn on top). */
  covered: boolean;
  /** Beside the part of the text in view (or within OVERSCAN of it): drawn; otherwise only if selected. */
  inView: boolean;
}

/** Stripe lanes beside the text; labels in rows left of the lanes, beside their own stripes. */
const LANE = 9;
const MAX_LANES = 12;
const LABEL_WIDTH = 116;
const MIN_LANES = 3;
const marginWidth = (lanes: number) => LABEL_WIDTH + Math.max(MIN_LANES, lanes) * LANE + 8;
/** How much text (UTF-16 units) from the top is laid out in full when a document opens: about three screens. */
const NEAR_TEXT = 10_000;
/**
 * How far past the view (CSS pixels, above and below) stripes and labels are measured, and
 * drawn, so that a scroll by a wheel step or a few lines shows them at once. A text just
 * opened draws only the view in its first frame, the overscan when the page is idle (or on
 * the reader's first scroll).
 */
const OVERSCAN = 300;
/** How long after a text is shown the overscan beside it is laid out (ms), when the page is idle. */
const IDLE_AFTER = 250;
/**
 * How narrow a line's letters are at the narrowest, against the document's average letter:
 * how many letters a line can hold at most, for telling which passages may share a line
 * (`assignLanes`). Erring narrow costs lanes (past the last, stripes are drawn over others);
 * erring wide would draw two passages' stripes in one lane on one line.
 */
const NARROWEST_LINE = 0.7;
/** How much of a document's text its average letter width is measured on. */
const WIDTH_SAMPLE = 2_000;
let measuringCanvas: CanvasRenderingContext2D | null | undefined;

function describe(s: Segment): string {
  const lines = [s.code_name, `coder: ${s.coder_name}`, `coded: ${s.created_at.slice(0, 16).replace('T', ' ')}`];
  if (s.memo) lines.push(`memo: ${s.memo.length > 200 ? `${s.memo.slice(0, 200)}…` : s.memo}`);
  return lines.join('\n');
}

/** “Ann Lee” → AL, “tester” → TE: short enough for a stripe label. */
export function initials(name: string): string {
  const parts = name.split(/[\s._-]+/).filter(Boolean);
  if (parts.length >= 2) return (parts[0]![0]! + parts[1]![0]!).toUpperCase();
  return (parts[0] ?? '?').slice(0, 2).toUpperCase();
}

/** Where focus may go while a passage stays selected: where codes are applied from, and the margin. */
const KEEPS_SELECTION = '[role=tree], [role=toolbar], [role=dialog], [role=menubar], [role=menu], .margin';

/** A label's words: the code shortened if it must be, the coder's initials never. */
function LabelText({ s }: { s: Stripe }) {
  return (
    <>
      <span className="label-name">
        {s.memo ? '✎ ' : ''}
        <SafeText text={s.code} />
      </span>
      {s.coder && <span className="label-coder"> · {s.coder}</span>}
    </>
  );
}

/**
 * The "+N" badge of a label row and the list it shows on hover or focus. The list is made only
 * once the badge is first pointed at or focused: a densely coded passage has hundreds of labels
 * that did not fit, and the badge's name already tells a screen reader which codes they are.
 */
function LabelMore({ more, onSelect }: { more: Stripe[]; onSelect: (id: string) => void }) {
  const [shown, setShown] = useState(false);
  const show = () => setShown(true);
  return (
    <span className="label-more" onPointerEnter={show} onFocus={show}>
      <button type="button" className="label-badge" aria-label={`${more.length} more codes here: ${more.map((m) => m.label).join(', ')}`}>
        +{more.length}
      </button>
      {shown && (
        <span className="label-list" aria-hidden="true">
          {more.map((m) => (
            <span key={m.id} className={`stripe-label${m.selected ? ' selected' : ''}`} title={m.title} style={{ borderRightColor: m.color }} onClick={() => onSelect(m.id)}>
              <LabelText s={m} />
            </span>
          ))}
        </span>
      )}
    </span>
  );
}

/**
 * Whether an effect's inputs differ from the last ones it ran with, recording them if so. The
 * text laid out anew bumps `rendered`, which reruns the effects that draw on it; when the
 * segments came with that text, they already ran on it in the same commit, and a document
 * coded 1,000 times would be measured, tinted and repainted twice.
 */
function changed(last: { current: readonly unknown[] }, next: readonly unknown[]): boolean {
  if (last.current.length === next.length && last.current.every((v, i) => v === next[i])) return false;
  last.current = next;
  return true;
}

/** Whether two lists of flat records (stripes, label rows) hold the same values in the same order. */
function sameList<T extends object>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as Record<string, unknown>;
    const y = b[i] as Record<string, unknown>;
    for (const k of Object.keys(y)) {
      const u = x[k];
      const v = y[k];
      if (u === v) continue;
      if (Array.isArray(u) && Array.isArray(v) && u.length === v.length && u.every((e, j) => e === v[j])) continue;
      return false;
    }
  }
  return true;
}

/** A box's size as the stripes' layout depends on it. */
function sizeOf(el: Element): string {
  const r = el.getBoundingClientRect();
  return `${r.width.toFixed(1)}×${r.height.toFixed(1)}`;
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

/**
 * Runs `task` when the page is idle after a while (`IDLE_AFTER`; a second more at the latest),
 * instead of the one `cancel` would have run. Returns the cancel of this one. The first idle
 * moment comes right after the first frame, before the reader can look, let alone scroll; a
 * scroll before the task runs lays the margin out anyway.
 */
function whenIdle(task: () => void, cancel: (() => void) | null): () => void {
  cancel?.();
  let idle = 0;
  const wait = setTimeout(() => {
    if (typeof requestIdleCallback === 'function') idle = requestIdleCallback(task, { timeout: 1000 });
    else task();
  }, IDLE_AFTER);
  return () => {
    clearTimeout(wait);
    if (idle) cancelIdleCallback(idle);
  };
}

/**
 * The read-only document: a Lexical editor holding one paragraph node with one text node per
 * paragraph of the stored text. Codes never enter the Lexical state: tints are CSS highlights
 * and the margin draws coding stripes for the visible part only.
 *
 * The margin is measured from the text as it is laid out, and measured again whenever that
 * layout changes: the text or a visible paragraph is resized (a paragraph off screen gets
 * its real height only when it comes near, `content-visibility: auto`), web fonts finish
 * loading, the text size changes, the page scrolls. Never on a timer.
 */
export function DocumentViewer(props: Props) {
  const { doc, map: textMap, segments, selectedSegmentId, pending, jump, onSelectSegment, onSelection, colors, textSize } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const pageRef = useRef<HTMLDivElement>(null);
  const marginRef = useRef<HTMLDivElement>(null);
  /** The stripes' buttons and memo marks (stripe-elements.ts), in the margin. */
  const barsRef = useRef<HTMLDivElement>(null);
  const bars = useRef<StripeElements | null>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const mapRef = useRef<TextMap | null>(null);
  const parasRef = useRef<HTMLElement[]>([]);
  const indexRef = useRef(new Map<Node, number>());
  const [rendered, setRendered] = useState(0);
  /** How many times a text was laid out: set before the effects of the same commit run, unlike `rendered`. */
  const generation = useRef(0);
  const tinted = useRef<readonly unknown[]>([]);
  const marked = useRef<readonly unknown[]>([]);
  const measuredFor = useRef<readonly unknown[]>([]);
  /** The text (its `generation`) the margin was last laid out for. */
  const laidFor = useRef(0);
  const [stripes, setStripes] = useState<Stripe[]>([]);
  const [rows, setRows] = useState<LabelRow[]>([]);
  const [lanes, setLanes] = useState(MIN_LANES);
  const [tooltip, setTooltip] = useState<{ x: number; y: number; text: string } | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const segsRef = useRef(segments);
  segsRef.current = segments;
  const callbacks = useRef({ onSelectSegment, onSelection });
  callbacks.current = { onSelectSegment, onSelection };

  const colorOf = useCallback((s: Segment) => colors?.get(s.code_id) ?? s.code_color, [colors]);

  // Build the Lexical state once per document.
  useLayoutEffect(() => {
    const root = rootRef.current;
    if (!root || !doc || !textMap) return;
    const map = textMap;
    mapRef.current = map;
    // The last document's tints go before its text does: ranges whose nodes are gone still
    // cost every style and layout pass (20 forced passes after replacing a text took 11 ms in
    // Chromium without, 20–67 ms with the 1,750 of a document coded 1,000 times).
    setHighlights('m-', new Map());
    // And its stripes, all at once, before the new text is laid out beside them.
    bars.current?.clear();
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
    // The first screens of text are laid out in full at once. Left to content-visibility they
    // would first take its guessed height, and the stripes measured against that would all be
    // measured, drawn and painted again a frame later, when the real heights come in.
    for (let i = 0; i < paras.length && map.startU16[i]! < NEAR_TEXT; i++) paras[i]!.classList.add('near');
    parasRef.current = paras;
    const index = new Map<Node, number>();
    paras.forEach((p, i) => index.set(p, i));
    indexRef.current = index;
    scrollRef.current?.scrollTo({ top: 0 });
    reading.current = null;
    generation.current += 1;
    setRendered(generation.current);
    return () => {
      editor.setRootElement(null);
      mapRef.current = null;
      parasRef.current = [];
    };
  }, [doc, textMap]);

  const scratch = useRef<Range | null>(null);
  const scratchRange = () => (scratch.current ??= document.createRange());

  const domPoint = useCallback((para: number, offset: number): [Node, number] => {
    const p = parasRef.current[para]!;
    const text = p.firstChild?.firstChild;
    return text && text.nodeType === Node.TEXT_NODE ? [text, offset] : [p, 0];
  }, []);

  /**
   * The DOM range of a passage; in `into` when given. A live Range costs the page on every DOM
   * change until it is collected (the browser keeps each one up to date), so measuring and
   * painting a document coded 1,000 times reuse one (`scratch`) and keep static copies.
   */
  const rangeOf = useCallback(
    (start: number, end: number, into?: Range): Range | null => {
      const map = mapRef.current;
      if (!map || parasRef.current.length === 0) return null;
      const a = cpToLocal(map, start);
      const b = cpToLocal(map, end);
      const r = into ?? document.createRange();
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

  // Every code's tint is defined as the codebook comes, all at once: a colour first met when a
  // document opens adds its slot's rule, and the text's style is computed again in that open's
  // first frame.
  useLayoutEffect(() => {
    if (colors) defineSlots(colors.values());
  }, [colors]);

  // Tints: each stretch of coded text once, in one code's colour; stretches under several codes underlined.
  useEffect(() => {
    if (!generation.current || !changed(tinted, [generation.current, segments, selectedSegmentId, colorOf, rangeOf])) return;
    const { tints, multi: shared } = tintPaint(
      tintRuns(
        segments.map((s) => ({ id: s.id, start: s.start, end: s.end, color: colorOf(s) })),
        selectedSegmentId,
      ),
    );
    const scratch = scratchRange();
    // Static: the text under a tint never changes while it is shown (a new document is a new text).
    const staticRange = (start: number, end: number) => {
      const live = rangeOf(start, end, scratch);
      return live ? new StaticRange(live) : null;
    };
    const bySlot = new Map<string, AbstractRange[]>();
    for (const run of tints) {
      const range = staticRange(run.start, run.end);
      if (!range) continue;
      const name = `m-slot-${slotFor(run.color)}`;
      const list = bySlot.get(name) ?? [];
      list.push(range);
      bySlot.set(name, list);
    }
    const multi = shared.map((run) => staticRange(run.start, run.end)).filter((r): r is StaticRange => !!r);
    setHighlights('m-slot-', bySlot);
    setHighlights('m-multi', multi.length ? new Map([['m-multi', multi]]) : new Map());
  }, [segments, rendered, rangeOf, selectedSegmentId, colorOf]);

  useEffect(() => {
    if (!generation.current || !changed(marked, [generation.current, segments, selectedSegmentId, rangeOf])) return;
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

  // Visible paragraphs are watched for size changes; the set follows the scroll position.
  const observer = useRef<ResizeObserver | null>(null);
  const observed = useRef(new Set<Element>());
  /**
   * The sizes the stripes were last measured at. A resize report that changes none of them is
   * no news: the first report for each box newly watched, or the new text's height, measured
   * already; measuring a document coded 1,000 times again for it took a frame.
   */
  const measuredSizes = useRef(new WeakMap<Element, string>());

  /** The lines paragraph `i` is laid out in, in the page's coordinates; none when it is empty. */
  const measureLines = useCallback((i: number): Line[] => {
    const text = parasRef.current[i]?.firstChild?.firstChild;
    const map = mapRef.current;
    if (!map || !text || text.nodeType !== Node.TEXT_NODE) return [];
    const para = map.paras[i]!;
    const length = Math.min(para.length, (text as Text).length);
    if (length === 0) return [];
    const r = scratchRange();
    r.setStart(text, 0);
    r.setEnd(text, length);
    const boxes = lineBoxes(r.getClientRects());
    const isLow = (k: number) => (para.charCodeAt(k) & 0xfc00) === 0xdc00;
    return linesOf(
      length,
      boxes,
      (k) => {
        r.setStart(text, k);
        r.setEnd(text, Math.min(length, k + (isLow(k + 1) ? 2 : 1)));
        return r.getBoundingClientRect().top;
      },
      isLow,
    );
  }, []);

  /** The lanes of the open text's passages, and what they were assigned from. */
  const lanesFor = useRef<{ key: readonly unknown[]; lanes: Lanes } | null>(null);
  /**
   * Every passage's lane, from the whole document's offsets (not from the part measured): a
   * stripe keeps its lane as a scroll brings others into the margin, and the margin its width.
   */
  const passageLanes = useCallback((map: TextMap, page: HTMLElement, root: HTMLElement): Lanes => {
    const style = getComputedStyle(root);
    const font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    // The widest the text column can be: the page beside the narrowest margin.
    const column = page.clientWidth - marginWidth(MIN_LANES);
    const key = [segsRef.current, map, font, column];
    const last = lanesFor.current;
    if (last && last.key.length === key.length && last.key.every((v, i) => v === key[i])) return last.lanes;
    // The document's average letter, from the start of its text (the same whatever is in view).
    measuringCanvas ??= document.createElement('canvas').getContext('2d');
    // Never taken as narrower than a quarter of an em (a text of spaces and dots).
    let letter = parseFloat(style.fontSize) * 0.25;
    const sample = map.text.slice(0, WIDTH_SAMPLE).replace(/\n/g, ' ');
    if (measuringCanvas && sample.length > 0) {
      measuringCanvas.font = font;
      letter = Math.max(letter, measuringCanvas.measureText(sample).width / sample.length);
    }
    const reach = Math.ceil(column / (letter * NARROWEST_LINE));
    const lineEnd = (end: number) => {
      const { para } = cpToLocal(map, Math.max(0, end - 1));
      const paraEnd = para + 1 < map.startCp.length ? map.startCp[para + 1]! - 1 : map.lengthCp;
      return Math.min(end + reach, paraEnd);
    };
    const lanes = assignLanes(segsRef.current, lineEnd, MAX_LANES);
    lanesFor.current = { key, lanes };
    return lanes;
  }, []);

  /** Cancels the overscan's layout waiting for the page to be idle. */
  const idle = useRef<(() => void) | null>(null);
  useEffect(() => () => idle.current?.(), []);

  /**
   * A stripe's name and tooltip, made once a segment (the same record until the segments are
   * loaded again), not again on every layout the scroll and the overscan ask for.
   */
  const words = useRef(new WeakMap<Segment, { name: string; title: string }>());
  const wordsOf = useCallback((s: Segment) => {
    let w = words.current.get(s);
    const map = mapRef.current;
    if (!w && map) {
      w = { name: `${s.code_name} stripe, ${s.coder_name}: ${passageEnds(sliceCp(map, s.start, s.end))}${s.memo ? ', has a memo' : ''}`, title: describe(s) };
      words.current.set(s, w);
    }
    return w ?? { name: '', title: '' };
  }, []);

  // Stripes for the visible part of the page.
  const layoutStripes = useCallback(() => {
    const scroller = scrollRef.current;
    const margin = marginRef.current;
    const paras = parasRef.current;
    const map = mapRef.current;
    const page = pageRef.current;
    const root = rootRef.current;
    if (!scroller || !margin || !map || !page || !root || paras.length === 0) {
      setStripes([]);
      setRows([]);
      return;
    }
    // Until the text's segments come, it has no stripes to draw beside the view first.
    const newText = laidFor.current !== generation.current;
    if (segsRef.current.length > 0) laidFor.current = generation.current;
    // A text just opened with its stripes shows them beside the view first: the rest of those
    // measured are drawn later (a document coded 1,000 times made 465 stripe buttons
    // for its first frame, 307 of them beside the view, the others a scroll away).
    const overscan = newText && segsRef.current.length > 0 ? 0 : OVERSCAN;
    // The overscan when the page is idle (or the reader scrolls first): never a frame forced
    // for it right after the one that showed the text.
    if (overscan < OVERSCAN) idle.current = whenIdle(() => layoutRef.current(), idle.current);
    // The margin is as wide as the passages' lanes, and the text wraps in what is left: set
    // before any line is measured, and the same wherever the reader scrolls.
    const assigned = passageLanes(map, page, root);
    const width = marginWidth(assigned.count);
    if (Math.abs(margin.getBoundingClientRect().width - width) > 0.5) margin.style.width = `${width}px`;
    const measure = () => {
      const top = scroller.scrollTop - OVERSCAN;
      const bottom = scroller.scrollTop + scroller.clientHeight + OVERSCAN;
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
      // The selected segment is measured wherever it is, so its stripe is always drawn.
      const visible = segsRef.current.filter((s) => (s.start < to && s.end > from) || s.id === selectedSegmentId);
      // Stripes are placed in the margin's box: measure from its top, not the page's (which has padding).
      const pageTop = margin.getBoundingClientRect().top;
      const measured: { id: string; top: number; height: number }[] = [];
      const lines = new Map<number, Line[]>();
      const linesIn = (i: number): Line[] => {
        let found = lines.get(i);
        if (!found) lines.set(i, (found = measureLines(i)));
        return found;
      };
      for (const s of visible) {
        const a = cpToLocal(map, s.start);
        const b = cpToLocal(map, s.end);
        // The first letter's line, past empty paragraphs (and a start at a paragraph's end).
        let head: Line | undefined;
        for (let i = a.para, k = a.offset; i <= b.para && !head; i++, k = 0) if (k < map.paras[i]!.length) head = lineAt(linesIn(i), k);
        // The last letter's line, back past empty paragraphs (and an end at a paragraph's start).
        let tail: Line | undefined;
        for (let i = b.para, k = b.offset - 1; i >= a.para && !tail; i--, k = (map.paras[i]?.length ?? 0) - 1) if (k >= 0) tail = lineAt(linesIn(i), Math.min(k, map.paras[i]!.length - 1));
        if (!head || !tail || tail.bottom <= head.top) continue;
        measured.push({ id: s.id, top: head.top - pageTop, height: tail.bottom - head.top });
      }
      return { first, last, visible, pageTop, laid: layoutMargin(measured, MAX_LANES, assigned) };
    };
    const { first, last, visible, pageTop, laid } = measure();

    const ro = observer.current;
    if (ro) {
      const keep = new Set<Element>(paras.slice(first, last + 1));
      for (const el of observed.current) if (!keep.has(el)) ro.unobserve(el);
      for (const el of keep) if (!observed.current.has(el)) ro.observe(el);
      observed.current = keep;
      for (const el of [scroller, rootRef.current, ...keep]) if (el) measuredSizes.current.set(el, sizeOf(el));
    }
    const byId = new Map(visible.map((s) => [s.id, s]));
    const coders = [...new Set(segsRef.current.map((s) => s.coder_id))].sort();
    const several = coders.length > 1;
    const covered = coveredStripes(laid.stripes);
    // The view in the margin's coordinates: whole paragraphs are measured, but only the
    // stripes and labels beside the view (and the overscan) are drawn.
    const viewTop = scroller.getBoundingClientRect().top - pageTop;
    const viewBottom = viewTop + scroller.clientHeight;
    const near = (top: number, height: number) => inWindow(top, top + height, viewTop, viewBottom, overscan);
    const codersShown = new Map(coders.map((id, i) => [id, { at: i, initials: initials(segsRef.current.find((s) => s.coder_id === id)!.coder_name) }]));
    const next = laid.stripes.map((p): Stripe => {
        const s = byId.get(p.id)!;
        const coder = codersShown.get(s.coder_id)!;
        const isCovered = covered.has(s.id);
        const inView = near(p.top, p.height);
        // A stripe's name and tooltip are made only for the stripes drawn (and the labels near
        // the view, below): a document coded 1,000 times measures some 600 stripes on open,
        // and draws half of them.
        const drawn = (inView && !isCovered) || s.id === selectedSegmentId;
        return {
          id: s.id,
          top: p.top,
          height: p.height,
          lane: p.lane,
          color: colorOf(s),
          label: several ? `${s.code_name} · ${coder.initials}` : s.code_name,
          code: s.code_name,
          coder: several ? coder.initials : '',
          name: drawn ? wordsOf(s).name : '',
          title: drawn ? wordsOf(s).title : '',
          selected: s.id === selectedSegmentId,
          memo: !!s.memo,
          pattern: several ? coder.at % 4 : 0,
          covered: isCovered,
          inView,
        };
      });
    const rowsNear = laid.rows.filter((r) => near(r.top, LABEL_ROW));
    // Labels show their stripe's tooltip, drawn or not (one under others is listed on a badge).
    const titled = new Set(rowsNear.flatMap((r) => [r.id, ...r.more]));
    for (const st of next) if (!st.title && titled.has(st.id)) st.title = wordsOf(byId.get(st.id)!).title;
    // The layout is measured again on every resize and scroll frame; most find the margin as it
    // was, and then nothing is drawn again.
    setStripes((prev) => (sameList(prev, next) ? prev : next));
    setRows((prev) => (sameList(prev, rowsNear) ? prev : rowsNear));
    setLanes(Math.max(MIN_LANES, laid.lanes));
  }, [measureLines, passageLanes, selectedSegmentId, colorOf, wordsOf]);

  // The passage of the last jump, kept at the upper third of the view while the layout settles.
  const anchor = useRef<{ start: number; end: number } | null>(null);
  const scrollToAnchor = useCallback(() => {
    const a = anchor.current;
    const scroller = scrollRef.current;
    const r = a ? rangeOf(a.start, a.end) : null;
    if (!r || !scroller) return;
    const delta = r.getBoundingClientRect().top - scroller.getBoundingClientRect().top - scroller.clientHeight / 3;
    if (Math.abs(delta) > 1) scroller.scrollTop += delta;
  }, [rangeOf]);

  // Where the reader is: the first paragraph in view and how far from the top. A resize or a
  // new text size rewraps every line; the reader stays at that paragraph.
  const reading = useRef<{ para: number; offset: number; wrap: string } | null>(null);
  const scrolled = useRef(false);
  /** What the lines' wrapping depends on; while it differs from the recorded one, a scroll is the browser's, not the reader's. */
  const wrapKey = () => `${rootRef.current?.clientWidth ?? 0}:${rootRef.current?.style.fontSize ?? ''}`;
  const recordReading = useCallback(() => {
    const scroller = scrollRef.current;
    const paras = parasRef.current;
    if (!scroller || paras.length === 0) return;
    if (reading.current && reading.current.wrap !== wrapKey()) return;
    const top = scroller.getBoundingClientRect().top;
    let lo = 0;
    let hi = paras.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (paras[mid]!.getBoundingClientRect().bottom <= top) lo = mid + 1;
      else hi = mid;
    }
    reading.current = { para: lo, offset: paras[lo]!.getBoundingClientRect().top - top, wrap: wrapKey() };
  }, []);
  const keepReading = useCallback(() => {
    const scroller = scrollRef.current;
    const r = reading.current;
    const para = r ? parasRef.current[r.para] : undefined;
    if (!scroller || !r || !para) return;
    const delta = para.getBoundingClientRect().top - scroller.getBoundingClientRect().top - r.offset;
    if (Math.abs(delta) > 1) scroller.scrollTop += delta;
    r.wrap = wrapKey();
  }, []);

  const layoutRef = useRef(layoutStripes);
  layoutRef.current = layoutStripes;
  const frame = useRef(0);
  const schedule = useCallback(() => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      if (scrolled.current && !anchor.current) recordReading();
      scrolled.current = false;
      layoutRef.current();
    });
  }, [recordReading]);

  // Measured before paint whenever what is drawn changes.
  useLayoutEffect(() => {
    if (!generation.current || !changed(measuredFor, [generation.current, segments, layoutStripes, textSize])) return;
    layoutStripes();
  }, [segments, rendered, layoutStripes, textSize]);

  useEffect(() => {
    const scroller = scrollRef.current;
    const root = rootRef.current;
    if (!scroller || !root) return;
    const onScroll = () => {
      scrolled.current = true;
      schedule();
    };
    scroller.addEventListener('scroll', onScroll, { passive: true });
    // Paragraphs get their real height as they come near (content-visibility): a passage just
    // jumped to is kept in place while they do, until the reader scrolls, clicks or types.
    const ro = new ResizeObserver((entries) => {
      if (entries.every((e) => measuredSizes.current.get(e.target) === sizeOf(e.target))) return;
      if (anchor.current) scrollToAnchor();
      else keepReading();
      schedule();
    });
    const letGo = () => {
      if (!anchor.current) return;
      anchor.current = null;
      recordReading();
    };
    for (const type of ['wheel', 'pointerdown', 'keydown', 'touchstart'] as const) window.addEventListener(type, letGo, { capture: true, passive: true });
    observer.current = ro;
    ro.observe(scroller);
    ro.observe(root);
    const fonts = typeof document !== 'undefined' ? document.fonts : undefined;
    let live = true;
    fonts?.ready.then(() => live && schedule());
    fonts?.addEventListener('loadingdone', schedule);
    return () => {
      live = false;
      scroller.removeEventListener('scroll', onScroll);
      fonts?.removeEventListener('loadingdone', schedule);
      ro.disconnect();
      for (const type of ['wheel', 'pointerdown', 'keydown', 'touchstart'] as const) window.removeEventListener(type, letGo, { capture: true });
      observer.current = null;
      observed.current = new Set();
      cancelAnimationFrame(frame.current);
      frame.current = 0;
    };
  }, [schedule, scrollToAnchor, keepReading, recordReading]);

  // Jumps (retrieval, search hits): scroll the passage to the upper third and flash it.
  useEffect(() => {
    if (!jump || !rendered) return;
    const map = mapRef.current;
    const scroller = scrollRef.current;
    if (!map || !scroller) return;
    const para = parasRef.current[cpToLocal(map, jump.start).para];
    para?.scrollIntoView({ block: 'center' });
    anchor.current = { start: jump.start, end: jump.end };
    scrollToAnchor();
    const r = rangeOf(jump.start, jump.end);
    if (r) {
      setHighlights('m-search', new Map([['m-search', [r]]]));
      if (jump.select) {
        document.getSelection()?.setBaseAndExtent(r.startContainer, r.startOffset, r.endContainer, r.endOffset);
        callbacks.current.onSelection({ start: jump.start, end: jump.end, text: sliceCp(map, jump.start, jump.end) });
      }
    }
    schedule();
    const onEnd = () => setHighlights('m-search', new Map());
    // The flash fades when the reader moves on: the next click or key.
    window.addEventListener('pointerdown', onEnd, { once: true });
    window.addEventListener('keydown', onEnd, { once: true });
    return () => {
      window.removeEventListener('pointerdown', onEnd);
      window.removeEventListener('keydown', onEnd);
    };
  }, [jump, rendered, rangeOf, schedule, scrollToAnchor]);

  // Screen readers hear which segment is selected (a click, Alt+↓/↑) and each passage coded.
  const known = useRef<{ doc: string | null; keys: Set<string> }>({ doc: null, keys: new Set() });
  useEffect(() => {
    const map = mapRef.current;
    const keyOf = (s: Segment) => `${s.code_id}:${s.coder_id}:${s.start}:${s.end}`;
    const keys = new Set(segments.map(keyOf));
    const prev = known.current;
    known.current = { doc: doc?.id ?? null, keys };
    if (!map || prev.doc !== (doc?.id ?? null)) return;
    // Only what was coded just now: a document's segments arriving after its text are not news.
    const added = segments.filter((s) => !prev.keys.has(keyOf(s)) && Date.now() - Date.parse(s.created_at) < 15_000);
    if (added.length > 0 && added.length <= 3) {
      setAnnouncement(added.map((s) => `Coded ${passageEnds(sliceCp(map, s.start, s.end))} with ${s.code_name}`).join('. '));
    }
  }, [segments, doc]);
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !selectedSegmentId) return;
    const ordered = [...segsRef.current].sort((a, b) => a.start - b.start || a.end - b.end);
    const at = ordered.findIndex((s) => s.id === selectedSegmentId);
    const s = ordered[at];
    if (!s) return;
    setAnnouncement(`Segment ${at + 1} of ${ordered.length}: ${s.code_name}, ${s.coder_name}: ${passageEnds(sliceCp(map, s.start, s.end))}${s.memo ? ', has a memo' : ''}`);
  }, [selectedSegmentId]);

  // The pointer while a button is held: a selection end outside the text is clamped to the
  // text under the pointer. And whether the last selection came from the pointer at all.
  const pointerRecent = useRef(false);
  const drag = useRef<{ down: { x: number; y: number }; last: { x: number; y: number }; active: boolean; fromMargin: boolean; selecting?: boolean } | null>(null);

  /** The code point under (x, y), with the point first moved into the visible part of the text column. */
  const cpNear = useCallback(
    (x: number, y: number): number | null => {
      const root = rootRef.current;
      const scroller = scrollRef.current;
      const map = mapRef.current;
      if (!root || !scroller || !map) return null;
      const rr = root.getBoundingClientRect();
      const sr = scroller.getBoundingClientRect();
      const cx = clamp(x, rr.left + 1, rr.right - 2);
      const cy = clamp(y, Math.max(rr.top, sr.top) + 2, Math.min(rr.bottom, sr.bottom) - 2);
      const pos = document.caretRangeFromPoint?.(cx, cy);
      if (!pos) return null;
      const u = pointToU16(pos.startContainer, pos.startOffset);
      return u === null ? null : u16ToCp(map, u);
    },
    [pointToU16],
  );

  /** Whether a point is off the visible part of the text column. */
  const outsideText = useCallback((p: { x: number; y: number }): boolean => {
    const root = rootRef.current;
    const scroller = scrollRef.current;
    if (!root || !scroller) return false;
    const rr = root.getBoundingClientRect();
    const sr = scroller.getBoundingClientRect();
    return p.x < rr.left || p.x > rr.right || p.y < Math.max(rr.top, sr.top) || p.y > Math.min(rr.bottom, sr.bottom);
  }, []);

  const endAtPointer = useCallback(
    (p: { x: number; y: number }): number | null => {
      const map = mapRef.current;
      const cp = cpNear(p.x, p.y);
      return map && cp !== null ? cpToU16(map, cp) : null;
    },
    [cpNear],
  );

  /** Where a selection end lies, as a UTF-16 offset: in the text, or clamped to it. */
  const endToU16 = useCallback(
    (node: Node, offset: number, pointer: { x: number; y: number } | null): number | null => {
      const root = rootRef.current;
      const map = mapRef.current;
      if (!root || !map) return null;
      if (root.contains(node)) return pointToU16(node, offset);
      if (pointer) {
        const cp = cpNear(pointer.x, pointer.y);
        if (cp !== null) return cpToU16(map, cp);
      }
      // No pointer (a keyboard selection): the text's edge on the side the end lies.
      const before = node.compareDocumentPosition(root) & Node.DOCUMENT_POSITION_FOLLOWING;
      return before ? 0 : map.text.length;
    },
    [pointToU16, cpNear],
  );

  // Selection: read from the DOM, clamped to the text, mapped to code points, trimmed of whitespace.
  const readSelection = useCallback((): TextSelection | null => {
    const root = rootRef.current;
    const map = mapRef.current;
    if (!root || !map) return null;
    const sel = document.getSelection();
    const report = (s: TextSelection | null) => {
      callbacks.current.onSelection(s);
      return s;
    };
    const range = sel && sel.rangeCount > 0 && sel.anchorNode && sel.focusNode ? sel.getRangeAt(0) : null;
    const inText = !!range && (root.contains(sel!.anchorNode) || root.contains(sel!.focusNode) || (!!drag.current?.selecting && range.intersectsNode(root)));
    if (!inText) {
      // The selection went somewhere else. A click there (the title, a pane) lets the passage go;
      // so does focus in another pane. Focus in the palette or the codebook, or lost with a
      // dialog closed by a key, keeps it: the passage stays marked in the text, and codes apply to it.
      const active = document.activeElement;
      const keep = !!active?.closest(KEEPS_SELECTION) || (!pointerRecent.current && (!active || active === document.body));
      return keep ? null : report(null);
    }
    if (sel!.isCollapsed) return report(null);
    // An end the pointer put outside the text column (in the margin, past the right edge, above
    // or below the view) is where the pointer is, clamped to the text: the browser would put it
    // at the start or end of the text, or of the document.
    const d = drag.current?.selecting ? drag.current : null;
    const a = d && outsideText(d.down) ? endAtPointer(d.down) : endToU16(sel!.anchorNode!, sel!.anchorOffset, d ? d.down : null);
    const b = d && outsideText(d.last) ? endAtPointer(d.last) : endToU16(sel!.focusNode!, sel!.focusOffset, d ? d.last : null);
    if (a === null || b === null) return report(null);
    const t = trimU16(map.text, Math.min(a, b), Math.max(a, b));
    if (!t) return report(null);
    return report({ start: u16ToCp(map, t[0]), end: u16ToCp(map, t[1]), text: map.text.slice(t[0], t[1]) });
  }, [endToU16, outsideText, endAtPointer]);

  useEffect(() => {
    const onChange = () => {
      // This press is making a selection (not a click on a code, which leaves the selection be).
      if (drag.current?.active) drag.current.selecting = true;
      readSelection();
    };
    document.addEventListener('selectionchange', onChange);
    return () => document.removeEventListener('selectionchange', onChange);
  }, [readSelection]);

  /** Makes the visible selection what will be coded, when the browser's ran outside the text. */
  const settleSelection = useCallback(() => {
    const root = rootRef.current;
    const sel = document.getSelection();
    if (!root || !sel || sel.rangeCount === 0 || sel.isCollapsed) return;
    const d = drag.current;
    const clamped = !!d?.selecting && (outsideText(d.down) || outsideText(d.last));
    if (!clamped && root.contains(sel.anchorNode) && root.contains(sel.focusNode)) return;
    const s = readSelection();
    const r = s ? rangeOf(s.start, s.end) : null;
    // From here the browser's selection is the clamped one, inside the text: read it as it is.
    drag.current = null;
    if (!r) return sel.removeAllRanges();
    sel.setBaseAndExtent(r.startContainer, r.startOffset, r.endContainer, r.endOffset);
  }, [readSelection, rangeOf, outsideText]);

  useEffect(() => {
    const down = (e: PointerEvent) => {
      if (e.button !== 0) return;
      const p = { x: e.clientX, y: e.clientY };
      // The margin cannot be selected, so the browser starts no selection there: a drag that
      // starts in it (not on a stripe or label) is a selection from the line beside the pointer.
      const t = e.target instanceof Element ? e.target : null;
      // A click where codes are applied from (the code tree, a toolbar, the palette) is no drag
      // of the text: it must leave the selection as it is, to be coded.
      if (t && t.closest(KEEPS_SELECTION) && !marginRef.current?.contains(t)) {
        drag.current = null;
        return;
      }
      const fromMargin = !!t && !!marginRef.current?.contains(t) && !t.closest('button, .label-row');
      drag.current = { down: p, last: p, active: true, fromMargin, selecting: fromMargin };
      pointerRecent.current = true;
      if (fromMargin) {
        e.preventDefault();
        rootRef.current?.focus({ preventScroll: true });
        document.getSelection()?.removeAllRanges();
      }
    };
    const move = (e: PointerEvent) => {
      const d = drag.current;
      if (!d?.active || !(e.buttons & 1)) return;
      d.last = { x: e.clientX, y: e.clientY };
      if (d.fromMargin) {
        const map = mapRef.current;
        const a = cpNear(d.down.x, d.down.y);
        const b = cpNear(d.last.x, d.last.y);
        const ra = map && a !== null ? rangeOf(a, a) : null;
        const rb = map && b !== null ? rangeOf(b, b) : null;
        if (ra && rb) document.getSelection()?.setBaseAndExtent(ra.startContainer, ra.startOffset, rb.startContainer, rb.startOffset);
      }
    };
    const up = (e: PointerEvent) => {
      const d = drag.current;
      if (!d?.active) return;
      d.last = { x: e.clientX, y: e.clientY };
      d.active = false;
      settleSelection();
      drag.current = null;
    };
    // The last selection came from the pointer until a key is pressed.
    const key = () => {
      drag.current = null;
      pointerRecent.current = false;
    };
    document.addEventListener('pointerdown', down, true);
    document.addEventListener('pointermove', move, true);
    document.addEventListener('pointerup', up, true);
    document.addEventListener('keydown', key, true);
    return () => {
      document.removeEventListener('keydown', key, true);
      document.removeEventListener('pointerdown', down, true);
      document.removeEventListener('pointermove', move, true);
      document.removeEventListener('pointerup', up, true);
    };
  }, [settleSelection, cpNear, rangeOf]);

  // Focus moved to another pane (not to where codes are applied from): the selection is let go.
  useEffect(() => {
    const onFocus = (e: FocusEvent) => {
      const root = rootRef.current;
      const t = e.target;
      if (!root || !(t instanceof Element) || root.contains(t)) return;
      if (t.closest(KEEPS_SELECTION)) return;
      const sel = document.getSelection();
      if (sel && sel.rangeCount > 0 && (root.contains(sel.anchorNode) || root.contains(sel.focusNode))) sel.removeAllRanges();
      callbacks.current.onSelection(null);
    };
    document.addEventListener('focusin', onFocus);
    return () => document.removeEventListener('focusin', onFocus);
  }, []);

  // Esc lets a selection go wherever the focus is, unless a dialog takes the key.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || document.querySelector('[role=dialog]')) return;
      const root = rootRef.current;
      const sel = document.getSelection();
      if (root && sel && sel.rangeCount > 0 && (root.contains(sel.anchorNode) || root.contains(sel.focusNode))) sel.removeAllRanges();
      callbacks.current.onSelection(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

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

  // One listener for every stripe: a click on one inspects its segment.
  const onMarginClick = (e: React.MouseEvent) => {
    const stripe = e.target instanceof Element ? e.target.closest<HTMLElement>('.stripe') : null;
    if (stripe?.dataset.segmentId) onSelectSegment(stripe.dataset.segmentId);
  };
  // A stripe is a span with the button role (stripe-elements.ts): Enter and Space on one focused by a click do what a button's would.
  const onMarginKey = (e: React.KeyboardEvent) => {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    const stripe = e.target instanceof Element ? e.target.closest<HTMLElement>('.stripe') : null;
    if (!stripe?.dataset.segmentId) return;
    e.preventDefault();
    onSelectSegment(stripe.dataset.segmentId);
  };

  const lanesWidth = lanes * LANE + 8;
  const width = marginWidth(lanes);
  const stripeById = useMemo(() => new Map(stripes.map((s) => [s.id, s])), [stripes]);
  const drawn = useMemo(() => stripes.filter((s) => (s.inView && !s.covered) || s.selected), [stripes]);
  useLayoutEffect(() => {
    if (!barsRef.current) return;
    bars.current ??= new StripeElements(barsRef.current);
    bars.current.draw(drawn, { lane: LANE, offset: 6, lanes: MAX_LANES });
  }, [drawn]);
  /** The stripes measured but not drawn because others cover them (not those merely away from the view). */
  const underOthers = useMemo(() => stripes.filter((s) => s.covered && !s.selected).length, [stripes]);

  return (
    <section className="viewer" aria-label="Document">
      <header className="viewer-head">
        <h2>{doc ? <SafeText text={doc.name} /> : 'No document open'}</h2>
      </header>
      <div className="viewer-scroll" ref={scrollRef} onMouseLeave={() => setTooltip(null)}>
        <div className="doc-page" ref={pageRef}>
          <div className="margin" ref={marginRef} style={{ width }} aria-label="Coding stripes" role="group" onClick={onMarginClick} onKeyDown={onMarginKey}>
            {underOthers > 0 && (
              // Said to a screen reader browsing the margin, where the stripes not drawn would have been.
              <span className="sr-only">
                {underOthers} more stripes here lie under others and are not drawn; Alt+↓ and Alt+↑ step through every segment.
              </span>
            )}
            {/* The stripes' buttons and memo marks: drawn by `StripeElements`, not React. */}
            <div ref={barsRef} className="stripe-bars" />
            {/* The label rows: items of one grid, all in its one row, each placed down it by its top margin (not positioned: layers of their own to the browser). */}
            <div className="label-rows" style={{ right: lanesWidth, width: LABEL_WIDTH - 4 }}>
              {rows.map((row) => {
                const s = stripeById.get(row.id);
                if (!s) return null;
                const more = row.more.map((id) => stripeById.get(id)).filter((m): m is Stripe => !!m);
                return (
                  <div
                    key={`row-${row.id}`}
                    className="label-row"
                    data-label-for={row.id}
                    // The leader from the label to its stripe is the row's ::after (one element fewer a row).
                    style={{ marginTop: row.top, height: LABEL_ROW, '--leader': `${(lanes - s.lane) * LANE - 5}px`, '--leader-color': s.color } as React.CSSProperties}
                  >
                    <span
                      className={`stripe-label${s.selected ? ' selected' : ''}`}
                      aria-hidden="true"
                      title={s.title}
                      style={{ borderRightColor: s.color }}
                      onClick={() => onSelectSegment(s.id)}
                    >
                      <LabelText s={s} />
                    </span>
                    {more.length > 0 && <LabelMore more={more} onSelect={onSelectSegment} />}
                  </div>
                );
              })}
            </div>
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
            style={textSize ? { fontSize: textSize } : undefined}
            onMouseMove={onMouseMove}
            onMouseUp={onMouseUp}
            onKeyDown={onKeyDown}
          />
        </div>
        {!doc && <p className="empty">Choose a document from the list to read and code it.</p>}
      </div>
      <div className="sr-only" role="status" aria-label="Announcements" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
      {tooltip && (
        <div className="tooltip" role="tooltip" style={{ left: tooltip.x + 14, top: tooltip.y + 16 }}>
          {tooltip.text}
        </div>
      )}
    </section>
  );
}
