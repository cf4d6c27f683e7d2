import { useEffect, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import { Splitter, readNumber, usePersistent, writeNumber } from './Panes';

interface Props {
  top: ReactNode;
  left: ReactNode;
  center: ReactNode;
  right: ReactNode;
  status: ReactNode;
}

/** Column limits in pixels: wide enough for a code's name and counts, narrow enough to leave the text its room. */
const LEFT = { initial: 280, min: 180, max: 560 };
const RIGHT = { initial: 340, min: 240, max: 620 };

/**
 * The workbench frame: a menu bar, three columns (documents | text | codebook and inspector)
 * with splitters between them, and the status bar. Each side column can be resized or
 * collapsed (Enter on its splitter, or a double click); the layout is remembered.
 */
export function Layout({ top, left, center, right, status }: Props) {
  const [leftWidth, setLeftWidth] = usePersistent<number>('left.width', LEFT.initial);
  const [rightWidth, setRightWidth] = usePersistent<number>('right.width', RIGHT.initial);
  const [leftClosed, setLeftClosed] = usePersistent<boolean>('left.collapsed', false);
  const [rightClosed, setRightClosed] = usePersistent<boolean>('right.collapsed', false);
  const style = {
    '--left-width': leftClosed ? '0px' : `${leftWidth}px`,
    '--right-width': rightClosed ? '0px' : `${rightWidth}px`,
  } as CSSProperties;
  return (
    <div className="app" style={style}>
      <header className="topbar">{top}</header>
      <aside id="left-column" className="left" aria-label="Documents and search" hidden={leftClosed}>
        {left}
      </aside>
      <Splitter
        orientation="vertical"
        className="left-splitter"
        label="Resize the documents column"
        value={leftClosed ? 0 : leftWidth}
        min={leftClosed ? 0 : LEFT.min}
        max={LEFT.max}
        step={20}
        valueText={leftClosed ? 'Documents column collapsed; press Enter to show it' : `Documents column ${Math.round(leftWidth)} pixels wide`}
        controls="left-column"
        onChange={(v) => {
          if (leftClosed) setLeftClosed(false);
          setLeftWidth(Math.max(LEFT.min, v));
        }}
        onToggle={() => setLeftClosed(!leftClosed)}
      />
      <main className="center">{center}</main>
      <Splitter
        orientation="vertical"
        className="right-splitter"
        label="Resize the codebook column"
        value={rightClosed ? 0 : rightWidth}
        min={rightClosed ? 0 : RIGHT.min}
        max={RIGHT.max}
        step={20}
        inverted
        valueText={rightClosed ? 'Codebook column collapsed; press Enter to show it' : `Codebook column ${Math.round(rightWidth)} pixels wide`}
        controls="right-column"
        onChange={(v) => {
          if (rightClosed) setRightClosed(false);
          setRightWidth(Math.max(RIGHT.min, v));
        }}
        onToggle={() => setRightClosed(!rightClosed)}
      />
      <aside id="right-column" className="right" aria-label="Codebook and inspector" hidden={rightClosed}>
        {right}
      </aside>
      <footer className="statusbar">{status}</footer>
    </div>
  );
}

/**
 * The centre column: the document above, and below it, when one is open, a view such as the
 * coded segments, memos or the coder comparison, with a splitter between them.
 */
export function BottomDock({ main, bottom, view = 'bottom', initialPercent = 50 }: { main: ReactNode; bottom: ReactNode; view?: string; initialPercent?: number }) {
  // Each view remembers its own height: the comparison wants more room than the memos.
  const [percents, setPercents] = useState<Record<string, number>>({});
  const percent = percents[view] ?? readNumber(`bottom.${view}.percent`, initialPercent);
  const setPercent = (v: number) => {
    setPercents((p) => ({ ...p, [view]: v }));
    writeNumber(`bottom.${view}.percent`, v);
  };
  const [height, setHeight] = useState(600);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = root.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight || 600));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return (
    <div className="dock" ref={root}>
      <div className="dock-main">{main}</div>
      {bottom && (
        <>
          <Splitter
            orientation="horizontal"
            label="Resize the bottom view"
            value={percent}
            min={20}
            max={85}
            step={5}
            inverted
            pixelsPerUnit={height / 100}
            valueText={`The bottom view takes ${Math.round(percent)}% of the height`}
            controls="bottom-dock"
            onChange={setPercent}
          />
          <div id="bottom-dock" className="dock-bottom" style={{ flexBasis: `${percent}%` }}>
            {bottom}
          </div>
        </>
      )}
    </div>
  );
}
