import { useEffect, useRef, useState } from 'react';
import type { Input, Output } from '../../../../main/api/contract';
import { call } from '../../api/client';

/**
 * The documents selected in the list. Rows picked one by one are ids; rows picked with Shift are
 * positions of the list's order (a range of 50,000 rows is two numbers); "select all" is the
 * list's filter itself. Rows unpicked from a range or from all are `except`. What is sent to the
 * API is the same: the list's filter with positions, ids, and the exceptions, never every id.
 */
export interface Selection {
  all: boolean;
  /** Inclusive positions in the list's current order. */
  ranges: ReadonlyArray<{ from: number; to: number }>;
  ids: ReadonlySet<string>;
  except: ReadonlySet<string>;
}

export const emptySelection: Selection = { all: false, ranges: [], ids: new Set(), except: new Set() };

const inRanges = (ranges: Selection['ranges'], i: number) => ranges.some((r) => i >= r.from && i <= r.to);

export function isSelected(sel: Selection, i: number, id: string): boolean {
  if (sel.except.has(id)) return false;
  return sel.all || sel.ids.has(id) || inRanges(sel.ranges, i);
}

/** At most one document, picked by itself: the selection that follows the open document. */
export function isSimple(sel: Selection): boolean {
  return !sel.all && sel.ranges.length === 0 && sel.except.size === 0 && sel.ids.size <= 1;
}

/** Ranges sorted and joined where they overlap or touch, within the list's length. */
function merged(ranges: Selection['ranges'], total: number): Array<{ from: number; to: number }> {
  const out: Array<{ from: number; to: number }> = [];
  for (const r of [...ranges].sort((a, b) => a.from - b.from)) {
    const to = Math.min(r.to, total - 1);
    if (r.from > to) continue;
    const last = out[out.length - 1];
    if (last && r.from <= last.to + 1) last.to = Math.max(last.to, to);
    else out.push({ from: r.from, to });
  }
  return out;
}

/** How many documents are selected; `positionOf` knows where the rows at hand are. */
export function countSelected(sel: Selection, total: number, positionOf: (id: string) => number | undefined): number {
  if (sel.all) return Math.max(0, total - sel.except.size);
  const ranges = merged(sel.ranges, total);
  let n = ranges.reduce((a, r) => a + r.to - r.from + 1, 0);
  for (const id of sel.ids) {
    const at = positionOf(id);
    if (at === undefined || !inRanges(ranges, at)) n++;
  }
  // Exceptions are made only of rows a range or "all" covered.
  return Math.max(0, n - sel.except.size);
}

type ListQuery = NonNullable<Input<'sets.add'>['list']>;

/** What the sets API is told: the list's filter (with positions unless all), ids picked one by one, and the exceptions. */
export function selectionSource(sel: Selection, list: ListQuery, total: number): Pick<Input<'sets.add'>, 'list' | 'documentIds' | 'exceptIds'> {
  const except = sel.except.size ? { exceptIds: [...sel.except] } : {};
  if (sel.all) return { list, ...except };
  const ranges = merged(sel.ranges, total);
  return {
    ...(ranges.length ? { list: { ...list, ranges: ranges.map((r) => ({ offset: r.from, limit: r.to - r.from + 1 })) } } : {}),
    ...(sel.ids.size ? { documentIds: [...sel.ids] } : {}),
    ...except,
  };
}

type DocumentSet = Output<'sets.list'>[number];
const NEW = '';
const plural = (n: number) => `${n.toLocaleString()} ${n === 1 ? 'document' : 'documents'}`;

interface Props {
  selection: Selection;
  selectedCount: number;
  total: number;
  /** The list's filter and order, as documents.page is asked for it. */
  list: ListQuery;
  /** The set the list shows, if any: the one to take documents out of first. */
  listSetId: string;
  version: number;
  onSelectAll: () => void;
  onClear: () => void;
  /** After documents were added to or taken out of this set. */
  onChanged: (setId: string) => void;
}

/**
 * Under the list's controls: "Select all N", and when several documents are selected, how many,
 * a set to add them to (or a new one) or take them out of, each one undoable action.
 */
export function SelectionBar({ selection, selectedCount, total, list, listSetId, version, onSelectAll, onClear, onChanged }: Props) {
  const [sets, setSets] = useState<DocumentSet[]>([]);
  const [target, setTarget] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  useEffect(() => {
    let live = true;
    call('sets.list', {}).then(
      (s) => live && setSets(s),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [version]);
  // The set the list shows, else the first set, else a new one; a set that went away (undo) is forgotten.
  const chosen = target !== null && (target === NEW || sets.some((s) => s.id === target)) ? target : listSetId || sets[0]?.id || NEW;
  const set = sets.find((s) => s.id === chosen) ?? null;
  const several = !(selectedCount <= 1 && !selection.all && selection.ranges.length === 0);

  const run = async (what: 'add' | 'remove') => {
    const source = selectionSource(selection, list, total);
    setBusy(true);
    setMessage(null);
    try {
      if (what === 'remove' && set) {
        const r = await call('sets.remove', { setId: set.id, ...source });
        setMessage({ text: `Took ${plural(r.removed)} out of “${set.name}”. Undo puts them back.`, error: false });
        keepMessage.current = set.id === listSetId;
        onChanged(set.id);
      } else if (set) {
        const r = await call('sets.add', { setId: set.id, ...source });
        const already = selectedCount - r.added;
        setMessage({ text: `Added ${plural(r.added)} to “${set.name}”${already > 0 ? ` (${plural(already)} already in it)` : ''}. Undo takes them out.`, error: false });
        keepMessage.current = set.id === listSetId;
        onChanged(set.id);
      } else {
        const r = await call('sets.create', { name: name.trim(), ...source });
        setMessage({ text: `Made the set “${name.trim()}” with ${plural(r.added)}. Undo removes it.`, error: false });
        setTarget(r.id);
        setName('');
      }
    } catch (e) {
      setMessage({ text: (e as Error).message, error: true });
    } finally {
      setBusy(false);
    }
  };

  // What the last action did is shown until the selection changes by hand (not when the action itself resets it).
  const keepMessage = useRef(false);
  useEffect(() => {
    if (keepMessage.current) keepMessage.current = false;
    else setMessage(null);
  }, [selection]);
  // One document picked (the open one): nothing to show; "Select all" sits beside the list's count.
  if (!several && !message) return null;
  return (
    <div className="doc-selection" role="toolbar" aria-label="Selected documents">
      <span className="muted" aria-live="polite">
        {several ? `${plural(selectedCount)} selected` : ''}
      </span>
      {several && !selection.all && (
        <button type="button" onClick={onSelectAll} title="Ctrl+A in the list">
          Select all {total.toLocaleString()}
        </button>
      )}
      {several && (
        <>
          <select aria-label="Set for the selected documents" value={chosen} onChange={(e) => setTarget(e.target.value)}>
            {sets.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} ({s.document_count.toLocaleString()})
              </option>
            ))}
            <option value={NEW}>a new set…</option>
          </select>
          {!set && <input aria-label="Name of the new set" placeholder="New set name" value={name} onChange={(e) => setName(e.target.value)} />}
          <button type="button" disabled={busy || (!set && !name.trim())} onClick={() => void run('add')}>
            {set ? 'Add to set' : 'Make set'}
          </button>
          <button type="button" disabled={busy || !set} onClick={() => void run('remove')}>
            Remove from set
          </button>
          <button type="button" onClick={onClear}>
            Clear selection
          </button>
        </>
      )}
      {message && (
        <p className={message.error ? 'error' : 'muted'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
    </div>
  );
}
