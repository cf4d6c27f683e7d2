import { useRef, useState, type CSSProperties, type ReactNode } from 'react';
import { Splitter, readNumber, useElementHeight, usePersistent, writeNumber } from './Panes';

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
      <ColumnSplitter side="left" column="Documents" limits={LEFT} width={leftWidth} setWidth={setLeftWidth} closed={leftClosed} setClosed={setLeftClosed} />
      <main className="center">{center}</main>
      <ColumnSplitter side="right" column="Codebook" limits={RIGHT} width={rightWidth} setWidth={setRightWidth} closed={rightClosed} setClosed={setRightClosed} />
      <aside id="right-column" className="right" aria-label="Codebook and inspector" hidden={rightClosed}>
        {right}
      </aside>
      <footer className="statusbar">{status}</footer>
    </div>
  );
}

/** The splitter beside a side column: drag or arrows resize it, Enter or a double click collapses and restores it. */
function ColumnSplitter(props: {
  side: 'left' | 'right';
  column: string;
  limits: { min: number; max: number };
  width: number;
  setWidth: (v: number) => void;
  closed: boolean;
  setClosed: (v: boolean) => void;
}) {
  const { side, column, limits, width, closed } = props;
  return (
    <Splitter
      orientation="vertical"
      className={`${side}-splitter`}
      label={`Resize the ${column.toLowerCase()} column`}
      value={closed ? 0 : width}
      min={closed ? 0 : limits.min}
      max={limits.max}
      step={20}
      inverted={side === 'right'}
      valueText={closed ? `${column} column collapsed; press Enter to show it` : `${column} column ${Math.round(width)} pixels wide`}
      controls={`${side}-column`}
      onChange={(v) => {
        if (closed) props.setClosed(false);
        props.setWidth(Math.max(limits.min, v));
      }}
      onToggle={() => props.setClosed(!closed)}
    />
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
  const root = useRef<HTMLDivElement>(null);
  const height = useElementHeight(root);
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
