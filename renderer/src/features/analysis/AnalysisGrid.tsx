import { useEffect, useRef, useState } from 'react';
import type { Output } from '../../../../main/api/contract';
import { call } from '../../api/client';
import './analysis-tables.css';

export interface GridCell {
  text: string;
  /** What a screen reader says for the cell's button: "casualties with attribution: 5 pairs". */
  label: string;
  /** Nothing behind it to show (a zero, the diagonal, a total). */
  inert?: boolean;
}

interface GridProps {
  caption: string;
  corner: string;
  rows: Array<{ key: string; label: string }>;
  columns: Array<{ key: string; label: string }>;
  cell(row: number, column: number): GridCell;
  /** A last row of totals, one per column, and its label. */
  totalRow?: { label: string; cells: GridCell[] };
  /** A last column of totals, one per row. */
  totalColumn?: { label: string; cells: GridCell[] };
  selected: [number, number] | null;
  onActivate(row: number, column: number): void;
}

/**
 * An HTML table of numbers with a caption and row and column headers, each cell a button in
 * one tab stop: arrow keys, Home and End move between cells, Enter or a click shows what is
 * behind the cell. One stop instead of one per cell keeps a 30 × 50 table passable by Tab.
 */
export function AnalysisGrid(props: GridProps) {
  const { rows, columns } = props;
  const [focus, setFocus] = useState<[number, number]>([0, 0]);
  const root = useRef<HTMLTableElement>(null);
  useEffect(() => {
    if (focus[0] >= rows.length || focus[1] >= columns.length) setFocus([0, 0]);
  }, [rows.length, columns.length, focus]);

  const move = (r: number, c: number) => {
    const rr = Math.max(0, Math.min(rows.length - 1, r));
    const cc = Math.max(0, Math.min(columns.length - 1, c));
    setFocus([rr, cc]);
    root.current?.querySelector<HTMLButtonElement>(`button[data-cell="${rr}:${cc}"]`)?.focus();
  };
  const onKey = (e: React.KeyboardEvent, r: number, c: number) => {
    const keys: Record<string, [number, number]> = {
      ArrowUp: [r - 1, c],
      ArrowDown: [r + 1, c],
      ArrowLeft: [r, c - 1],
      ArrowRight: [r, c + 1],
      Home: [r, 0],
      End: [r, columns.length - 1],
      PageUp: [0, c],
      PageDown: [rows.length - 1, c],
    };
    const to = keys[e.key];
    if (!to) return;
    e.preventDefault();
    move(to[0], to[1]);
  };
  const plain = (x: GridCell, key: string, className?: string) => (
    <td key={key} className={className}>
      <span className="at-cell" aria-label={x.label}>
        {x.text}
      </span>
    </td>
  );

  return (
    <div className="at-grid-wrap">
      <table className="at-grid" ref={root}>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{props.corner}</th>
            {columns.map((c) => (
              <th key={c.key} scope="col" title={c.label}>
                {c.label}
              </th>
            ))}
            {props.totalColumn && <th scope="col">{props.totalColumn.label}</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, r) => (
            <tr key={row.key}>
              <th scope="row" title={row.label}>
                {row.label}
              </th>
              {columns.map((col, c) => {
                const x = props.cell(r, c);
                const active = focus[0] === r && focus[1] === c;
                const chosen = props.selected?.[0] === r && props.selected?.[1] === c;
                return (
                  <td key={col.key} className={x.inert && x.text !== '0' && x.text !== '' ? 'at-diag' : undefined}>
                    <button
                      type="button"
                      className="at-cell"
                      data-cell={`${r}:${c}`}
                      tabIndex={active ? 0 : -1}
                      aria-label={x.label}
                      aria-pressed={chosen}
                      aria-disabled={x.inert || undefined}
                      onFocus={() => setFocus([r, c])}
                      onKeyDown={(e) => onKey(e, r, c)}
                      onClick={() => !x.inert && props.onActivate(r, c)}
                    >
                      {x.text}
                    </button>
                  </td>
                );
              })}
              {props.totalColumn && plain(props.totalColumn.cells[r]!, 'total', 'at-total')}
            </tr>
          ))}
          {props.totalRow && (
            <tr className="at-total">
              <th scope="row">{props.totalRow.label}</th>
              {props.totalRow.cells.map((x, c) => plain(x, String(c)))}
              {props.totalColumn && <td />}
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

type Coder = Output<'coders.list'>[number];
type DocumentSet = Output<'sets.list'>[number];

/** Whose segments and which documents an analysis covers. */
export interface Scope {
  /** '' every coder but the consensus layer; 'consensus'; or a coder's name. */
  coder: string;
  /** A document set's id, or ''. */
  set: string;
}

export function scopeFilter(s: Scope): { coders?: string[]; consensus?: boolean; set?: string } {
  return {
    ...(s.coder === 'consensus' ? { consensus: true } : s.coder ? { coders: [s.coder] } : {}),
    ...(s.set ? { set: s.set } : {}),
  };
}

/** The coder and document-set pickers every analysis view has. */
export function ScopeControls({ scope, onChange, onError }: { scope: Scope; onChange: (s: Scope) => void; onError: (e: unknown) => void }) {
  const [coders, setCoders] = useState<Coder[]>([]);
  const [sets, setSets] = useState<DocumentSet[]>([]);
  useEffect(() => {
    call('coders.list', {}).then(setCoders, onError);
    call('sets.list', {}).then(setSets, onError);
  }, [onError]);
  return (
    <>
      <label>
        Coders{' '}
        <select aria-label="Coders" value={scope.coder} onChange={(e) => onChange({ ...scope, coder: e.target.value })}>
          <option value="">All coders (consensus layer left out)</option>
          {coders
            .filter((c) => c.name !== 'consensus')
            .map((c) => (
              <option key={c.id} value={c.name}>
                {c.name}
              </option>
            ))}
          {coders.some((c) => c.name === 'consensus') && <option value="consensus">Consensus layer only</option>}
        </select>
      </label>
      <label>
        Documents{' '}
        <select aria-label="Document set" value={scope.set} onChange={(e) => onChange({ ...scope, set: e.target.value })}>
          <option value="">All documents</option>
          {sets.map((s) => (
            <option key={s.id} value={s.id}>
              Set: {s.name} ({s.document_count})
            </option>
          ))}
        </select>
      </label>
    </>
  );
}
