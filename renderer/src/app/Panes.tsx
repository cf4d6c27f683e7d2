import { useEffect, useId, useRef, useState, type ReactNode, type RefObject } from 'react';

const STORE = 'marginalia.layout.';

/** A number of the layout kept in localStorage, or `fallback`. */
export function readNumber(key: string, fallback: number): number {
  const v = Number(localStorage.getItem(STORE + key));
  return localStorage.getItem(STORE + key) !== null && Number.isFinite(v) ? v : fallback;
}

/** A size or flag of the layout, kept in localStorage so the workbench reopens as it was left. */
export function usePersistent<T extends number | boolean>(key: string, initial: T): [T, (v: T) => void] {
  const [value, setValue] = useState<T>(() => {
    if (typeof initial === 'boolean') return (localStorage.getItem(STORE + key) === null ? initial : localStorage.getItem(STORE + key) === '1') as T;
    return readNumber(key, initial) as T;
  });
  const set = (v: T) => {
    setValue(v);
    try {
      localStorage.setItem(STORE + key, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
    } catch {
      // A full or disabled localStorage only loses the remembered layout.
    }
  };
  return [value, set];
}

/** Keeps a number of the layout in localStorage. */
export function writeNumber(key: string, value: number): void {
  try {
    localStorage.setItem(STORE + key, String(Math.round(value * 10) / 10));
  } catch {
    // A full or disabled localStorage only loses the remembered layout.
  }
}

const clamp = (v: number, min: number, max: number) => Math.max(min, Math.min(max, v));

interface SplitterProps {
  /** 'vertical' sits between two columns, 'horizontal' between two stacked panes. */
  orientation: 'vertical' | 'horizontal';
  /** Names what it resizes, e.g. "Resize the documents column". */
  label: string;
  value: number;
  min: number;
  max: number;
  /** How one arrow key press moves it; Shift moves four times as far. */
  step: number;
  /** Moving right (or down) makes the value smaller: the pane it sizes is after it. */
  inverted?: boolean;
  /** Pixels moved per unit of value (1 for pixel sizes; container size / 100 for percentages). */
  pixelsPerUnit?: number;
  valueText: string;
  controls?: string;
  onChange(value: number): void;
  /** Enter (and a double click) collapses the pane it sizes, or restores it. */
  onToggle?(): void;
  className?: string;
}

/**
 * A WAI-ARIA window splitter: focusable separator with its value; arrow keys move it (Shift
 * for bigger steps), Home/End to its limits, Enter collapses or restores; it can be dragged.
 */
export function Splitter({ orientation, label, value, min, max, step, inverted, pixelsPerUnit = 1, valueText, controls, onChange, onToggle, className }: SplitterProps) {
  const drag = useRef<{ from: number; value: number } | null>(null);
  const sign = inverted ? -1 : 1;
  const [back, forth] = orientation === 'vertical' ? ['ArrowLeft', 'ArrowRight'] : ['ArrowUp', 'ArrowDown'];
  const onKeyDown = (e: React.KeyboardEvent) => {
    const by = e.shiftKey ? step * 4 : step;
    if (e.key === back) onChange(clamp(value - sign * by, min, max));
    else if (e.key === forth) onChange(clamp(value + sign * by, min, max));
    else if (e.key === 'Home') onChange(min);
    else if (e.key === 'End') onChange(max);
    else if (e.key === 'Enter' && onToggle) onToggle();
    else return;
    e.preventDefault();
    e.stopPropagation();
  };
  const at = (e: React.PointerEvent) => (orientation === 'vertical' ? e.clientX : e.clientY);
  return (
    <div
      role="separator"
      aria-orientation={orientation}
      aria-label={label}
      aria-valuenow={Math.round(value)}
      aria-valuemin={Math.round(min)}
      aria-valuemax={Math.round(max)}
      aria-valuetext={valueText}
      aria-controls={controls}
      tabIndex={0}
      title={`${label}: drag, or focus and use the arrow keys; Enter or a double click collapses or restores`}
      className={`splitter splitter-${orientation}${className ? ` ${className}` : ''}`}
      onKeyDown={onKeyDown}
      onDoubleClick={onToggle}
      onPointerDown={(e) => {
        e.preventDefault();
        e.currentTarget.setPointerCapture(e.pointerId);
        drag.current = { from: at(e), value };
      }}
      onPointerMove={(e) => {
        const d = drag.current;
        if (!d) return;
        onChange(clamp(d.value + (sign * (at(e) - d.from)) / pixelsPerUnit, min, max));
      }}
      onPointerUp={() => {
        drag.current = null;
      }}
    />
  );
}

/** The element's height in pixels, kept up to date as it resizes (600 until it is laid out): splitters turn percents into pixels with it. */
export function useElementHeight(root: RefObject<HTMLElement | null>): number {
  const [height, setHeight] = useState(600);
  useEffect(() => {
    const el = root.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight || 600));
    ro.observe(el);
    return () => ro.disconnect();
  }, [root]);
  return height;
}

export interface PaneSpec {
  id: string;
  /** The pane's heading. */
  title: string;
  /** Share of the column this pane starts with, in percent; the last open pane takes the rest. */
  initialPercent?: number;
  content: ReactNode;
}

/**
 * A column of panes stacked top to bottom, each with a heading that collapses it to its bar
 * and a splitter to the next that resizes it. Sizes and collapsed panes are remembered.
 */
export function PaneStack({ id, panes }: { id: string; panes: PaneSpec[] }) {
  const base = useId();
  const root = useRef<HTMLDivElement>(null);
  const height = useElementHeight(root);
  const [collapsed, setCollapsedRaw] = useState<Set<string>>(
    () => new Set(panes.filter((p) => localStorage.getItem(`${STORE}${id}.${p.id}.collapsed`) === '1').map((p) => p.id)),
  );
  const [sizes, setSizesRaw] = useState<Record<string, number>>(() =>
    Object.fromEntries(panes.map((p) => [p.id, readNumber(`${id}.${p.id}.percent`, p.initialPercent ?? 50)])),
  );

  const setCollapsed = (paneId: string, on: boolean) => {
    setCollapsedRaw((s) => {
      const n = new Set(s);
      if (on) n.add(paneId);
      else n.delete(paneId);
      return n;
    });
    localStorage.setItem(`${STORE}${id}.${paneId}.collapsed`, on ? '1' : '0');
  };
  const setSize = (paneId: string, percent: number) => {
    setSizesRaw((s) => ({ ...s, [paneId]: percent }));
    localStorage.setItem(`${STORE}${id}.${paneId}.percent`, String(Math.round(percent * 10) / 10));
  };

  const open = panes.filter((p) => !collapsed.has(p.id));
  // The last open pane fills what the others leave.
  const filler = open[open.length - 1]?.id;
  const sizeOf = (p: PaneSpec) => sizes[p.id] ?? p.initialPercent ?? 50;

  return (
    <div className="pane-stack" ref={root}>
      {panes.map((p, i) => {
        const isOpen = !collapsed.has(p.id);
        const bodyId = `${base}-${p.id}`;
        const next = panes[i + 1];
        // A splitter sits between two open panes; it resizes the upper one unless that one is the filler.
        const showSplitter = isOpen && next && !collapsed.has(next.id);
        const sized = p.id === filler ? next : p;
        return [
          // Not a region of its own: the panel inside names itself, and the bar is its heading.
          <div
            key={p.id}
            className={`pane${isOpen ? '' : ' collapsed'}`}
            data-pane={p.id}
            style={isOpen ? (p.id === filler ? { flex: '1 1 0' } : { flex: `0 1 ${sizeOf(p)}%` }) : undefined}
          >
            <h2 className="pane-bar">
              <button type="button" aria-expanded={isOpen} aria-controls={bodyId} onClick={() => setCollapsed(p.id, isOpen)}>
                <span aria-hidden="true" className="pane-twisty">
                  {isOpen ? '▾' : '▸'}
                </span>
                {p.title}
              </button>
            </h2>
            <div id={bodyId} className="pane-body" hidden={!isOpen}>
              {p.content}
            </div>
          </div>,
          showSplitter && sized ? (
            <Splitter
              key={`${p.id}-splitter`}
              orientation="horizontal"
              label={`Resize ${sized.title.toLowerCase()}`}
              value={sizeOf(sized)}
              min={10}
              max={85}
              step={5}
              inverted={sized !== p}
              pixelsPerUnit={height / 100}
              valueText={`${sized.title} takes ${Math.round(sizeOf(sized))}% of the column`}
              controls={`${base}-${sized.id}`}
              onChange={(v) => setSize(sized.id, v)}
              onToggle={() => setCollapsed(sized.id, true)}
            />
          ) : null,
        ];
      })}
    </div>
  );
}
