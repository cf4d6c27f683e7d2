import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { DocumentCursor, DocumentSummary } from '../../../../main/api/contract/entities';
import type { Input } from '../../../../main/api/contract';
import { call, onChange } from '../../api/client';
import { countsAnswer, isSegmentWrite, useTopicVersion } from '../../app/use-api';
import { SafeText } from '../../app/SafeText';
import './documents.css';
import { SameStoryBadge, sameStoryText, useSameStoryCounts } from '../analysis/SameStoryBadge';
import { DocumentSetsFilter } from '../analysis/DocumentSetsFilter';
import { SelectionBar, countSelected, emptySelection, isSelected, isSimple, type Selection } from './SelectionBar';

type Scope = { coderIds?: string[]; consensus?: boolean };
type Sort = NonNullable<Input<'documents.page'>['sort']>;

interface Props {
  /** Whose segments the counts cover. */
  scope: Scope;
  /** Moves when documents or their counts changed: the rows on screen are asked for again. */
  version: number;
  openId: string | null;
  onOpen: (id: string, at?: { start: number; end: number }) => void;
}

/** Rows are one height, so the list knows where any row is without drawing the others. */
const ROW = 38;
const PAGE = 100;
/** Rows drawn above and below the visible ones, so a short scroll shows no gap. */
const OVERSCAN = 8;

interface Page {
  rows: DocumentSummary[];
  next: DocumentCursor | null;
}

function attributeLine(d: DocumentSummary): string {
  return Object.entries(d.attributes)
    .filter(([, v]) => v !== null && v !== '')
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(' · ');
}

/**
 * The documents: a windowed listbox. Only the rows in view are in the page; they are asked
 * for a page of 100 at a time (after the previous page's last row when that page is at hand,
 * by position after a jump of the scrollbar), sorted and filtered by the API, so a project
 * of 100,000 documents opens and scrolls as one of ten. Search over the texts is the search panel's.
 */
export function DocumentList({ scope, version, openId, onOpen }: Props) {
  const sameStory = useSameStoryCounts();
  // The attributes to sort by and the sets: not moved by a coding, unlike the rows' counts.
  const catalog = useTopicVersion('catalog');
  const [filter, setFilter] = useState('');
  const [appliedFilter, setAppliedFilter] = useState('');
  const [sort, setSort] = useState<string>('order');
  const [descending, setDescending] = useState(false);
  const [setId, setSetId] = useState('');
  const [attributes, setAttributes] = useState<string[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [pages, setPages] = useState<ReadonlyMap<number, Page>>(new Map());
  const [view, setView] = useState({ top: 0, height: 400 });
  const [active, setActive] = useState(0);
  const [selection, setSelection] = useState<Selection>(emptySelection);
  /** Where a Shift selection starts: the row last clicked or moved to without Shift. */
  const anchor = useRef(0);
  const listRef = useRef<HTMLUListElement>(null);
  const loading = useRef(new Set<number>());
  /** The query the cached pages belong to; a page answered for an older one is dropped. */
  const generation = useRef(0);
  /** While the pages in view are asked for again after a change, the scroll loader waits. */
  const refreshing = useRef(false);

  const scopeKey = JSON.stringify(scope);
  /**
   * A segment write answers with its documents' new counts (`touched` then leaves `version`
   * alone): the rows on screen take them in place, with no page asked for again. Where a count
   * moves rows (the order of segment counts) or was counted over other coders, the rows in
   * view are asked for again instead (`recount`).
   */
  const [recount, setRecount] = useState(0);
  const patchFrom = useRef({ scopeKey, sort });
  patchFrom.current = { scopeKey, sort };
  useEffect(
    () =>
      onChange((source, answer, input) => {
        if (!isSegmentWrite(source)) return;
        const counts = countsAnswer(answer, input, patchFrom.current.scopeKey);
        if (!counts || (counts !== 'reload' && !counts.documents)) return;
        if (counts === 'reload' || patchFrom.current.sort === 'segments') return setRecount((n) => n + 1);
        const fresh = new Map(counts.documents!.map((d) => [d.id, d.segment_count]));
        setPages((prev) => {
          let moved = false;
          const next = new Map<number, Page>();
          for (const [index, page] of prev) {
            const rows = page.rows.map((d) => {
              const n = fresh.get(d.id);
              if (n === undefined || n === d.segment_count) return d;
              moved = true;
              return { ...d, segment_count: n };
            });
            next.set(index, { ...page, rows });
          }
          return moved ? next : prev;
        });
      }),
    [],
  );
  const query = useCallback(
    (): Input<'documents.page'> => ({
      ...scope,
      ...(sort.startsWith('attribute:') ? { sort: 'attribute' as Sort, attribute: sort.slice('attribute:'.length) } : { sort: sort as Sort }),
      descending,
      ...(appliedFilter.trim() ? { filter: appliedFilter.trim() } : {}),
      ...(setId ? { setId } : {}),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [scopeKey, sort, descending, appliedFilter, setId],
  );

  // The name filter is asked of the API once typing pauses: a short pause, since the answer for
  // a query overtaken by the next key is dropped anyway (generation), and the list should follow
  // the typing within a tenth of a second.
  useEffect(() => {
    const t = setTimeout(() => setAppliedFilter(filter), 50);
    return () => clearTimeout(t);
  }, [filter]);

  useEffect(() => {
    call('variables.list', {}).then((vs) => setAttributes(vs.map((v) => v.name)), console.error);
  }, [catalog]);

  const loadPage = useCallback(
    async (index: number, known: ReadonlyMap<number, Page>, gen: number): Promise<Page | null> => {
      if (loading.current.has(index)) return null;
      loading.current.add(index);
      try {
        const before = index > 0 ? known.get(index - 1) : undefined;
        const r = await call('documents.page', { ...query(), limit: PAGE, ...(before?.next ? { after: before.next } : { offset: index * PAGE }) });
        if (gen !== generation.current) return null;
        const page = { rows: r.documents, next: r.next };
        setTotal(r.total);
        setPages((prev) => new Map(prev).set(index, page));
        return page;
      } finally {
        loading.current.delete(index);
      }
    },
    [query],
  );

  // A new query starts from the top; a change of the project asks again for the pages in view, keeping the old rows meanwhile.
  const lastQuery = useRef(query);
  // Selected positions belong to one order: another filter or order starts a new selection. A
  // change of the project leaves positions in place (a set changed, a passage coded), except in
  // the order of segment counts, where coding moves rows: there the selected rows at hand are kept by id.
  const pagesRef = useRef(pages);
  pagesRef.current = pages;
  const openRef = useRef(openId);
  openRef.current = openId;
  const justOpen = (): Selection => (openRef.current ? { ...emptySelection, ids: new Set([openRef.current]) } : emptySelection);
  useEffect(() => {
    setSelection(justOpen());
  }, [query]);
  useEffect(() => {
    if (sort !== 'segments') return;
    setSelection((sel) => {
      if (sel.ranges.length === 0) return sel;
      const ids = new Set(sel.ids);
      for (const r of sel.ranges) {
        for (let i = r.from; i <= r.to; i++) {
          const d = pagesRef.current.get(Math.floor(i / PAGE))?.rows[i % PAGE];
          if (d && !sel.except.has(d.id)) ids.add(d.id);
        }
      }
      return { ...sel, ranges: [], ids };
    });
  }, [version, recount]);
  useEffect(() => {
    const gen = ++generation.current;
    loading.current.clear();
    refreshing.current = true;
    // Another order or filter starts at the top.
    const top = lastQuery.current === query ? view.top : 0;
    if (lastQuery.current !== query && listRef.current) {
      listRef.current.scrollTop = 0;
      setView((v) => ({ ...v, top: 0 }));
    }
    lastQuery.current = query;
    const wanted = new Set([Math.floor(top / ROW / PAGE), Math.floor((top + view.height) / ROW / PAGE)]);
    let live = true;
    (async () => {
      const fresh = new Map<number, Page>();
      for (const index of [...wanted].sort((a, b) => a - b)) {
        const before = index > 0 ? fresh.get(index - 1) : undefined;
        const r = await call('documents.page', { ...query(), limit: PAGE, ...(before?.next ? { after: before.next } : { offset: index * PAGE }) });
        fresh.set(index, { rows: r.documents, next: r.next });
        if (!live || gen !== generation.current) return;
        setTotal(r.total);
      }
      if (live && gen === generation.current) setPages(fresh);
    })()
      .catch(console.error)
      .finally(() => {
        if (gen === generation.current) refreshing.current = false;
      });
    return () => {
      live = false;
    };
    // The view's position is read, not followed: scrolling loads through the effect below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query, version, recount]);

  const count = total ?? 0;
  const first = Math.max(0, Math.floor(view.top / ROW) - OVERSCAN);
  const last = Math.min(count - 1, Math.ceil((view.top + view.height) / ROW) + OVERSCAN);

  // Pages the view needs and the cache lacks.
  useEffect(() => {
    if (refreshing.current || total === null || last < first) return;
    for (let p = Math.floor(first / PAGE); p <= Math.floor(last / PAGE); p++) if (!pages.has(p)) void loadPage(p, pages, generation.current).catch(console.error);
  }, [first, last, pages, total, loadPage]);

  const rowAt = (i: number): DocumentSummary | undefined => pages.get(Math.floor(i / PAGE))?.rows[i % PAGE];
  /** Where the rows at hand are in the order: what counts a selection of ranges and ids exactly. */
  const positions = useMemo(() => {
    const m = new Map<string, number>();
    for (const [p, page] of pages) page.rows.forEach((d, k) => m.set(d.id, p * PAGE + k));
    return m;
  }, [pages]);

  // A selection of one document follows the open one (opened here, from a search, from a dialog).
  useEffect(() => {
    if (!openId) return;
    setSelection((sel) => (isSimple(sel) && !sel.ids.has(openId) ? { ...emptySelection, ids: new Set([openId]) } : sel));
  }, [openId]);

  // Where the open document is in this order, when its row is at hand; not while several rows
  // are being selected (a Shift+arrow run loads pages past the first, and must keep its place).
  const selectionRef = useRef(selection);
  selectionRef.current = selection;
  useEffect(() => {
    if (!openId || !isSimple(selectionRef.current)) return;
    for (const [p, page] of pages) {
      const at = page.rows.findIndex((d) => d.id === openId);
      if (at < 0) continue;
      anchor.current = p * PAGE + at;
      return setActive(p * PAGE + at);
    }
  }, [openId, pages]);

  const measure = () => {
    const el = listRef.current;
    if (el) setView((v) => (v.top === el.scrollTop && v.height === el.clientHeight ? v : { top: el.scrollTop, height: el.clientHeight }));
  };
  useLayoutEffect(() => {
    measure();
    const el = listRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const scrollToRow = (i: number) => {
    const el = listRef.current;
    if (!el) return;
    if (i * ROW < el.scrollTop) el.scrollTop = i * ROW;
    else if ((i + 1) * ROW > el.scrollTop + el.clientHeight) el.scrollTop = (i + 1) * ROW - el.clientHeight;
    measure();
  };

  /** The row at position i, asking for its page first when it is not at hand. */
  const rowLoaded = async (index: number): Promise<DocumentSummary | undefined> => {
    const d = rowAt(index);
    if (d) return d;
    const page = await loadPage(Math.floor(index / PAGE), pages, generation.current);
    return page?.rows[index % PAGE] ?? rowAt(index);
  };

  /** Moves to the row at position i and opens it (selecting it alone); with `extend`, selects from the anchor to it without opening. */
  const goTo = async (i: number, extend = false) => {
    if (count === 0) return;
    const index = Math.max(0, Math.min(count - 1, i));
    setActive(index);
    scrollToRow(index);
    if (extend) {
      setSelection({ ...emptySelection, ranges: [{ from: Math.min(anchor.current, index), to: Math.max(anchor.current, index) }] });
      void rowLoaded(index);
      return;
    }
    anchor.current = index;
    const d = await rowLoaded(index);
    if (d) {
      setSelection({ ...emptySelection, ids: new Set([d.id]) });
      onOpen(d.id);
    }
  };

  /** Ctrl/Cmd+click or Space: the row joins the selection, or leaves it. */
  const toggle = (i: number, id: string) => {
    anchor.current = i;
    setActive(i);
    setSelection((sel) => {
      const ids = new Set(sel.ids);
      const except = new Set(sel.except);
      if (isSelected(sel, i, id)) {
        if (ids.has(id)) ids.delete(id);
        else except.add(id);
      } else if (except.has(id)) except.delete(id);
      else ids.add(id);
      return { ...sel, ids, except };
    });
  };

  const selectAll = () => setSelection({ ...emptySelection, all: true });

  const onKeyDown = (e: React.KeyboardEvent) => {
    const mod = e.ctrlKey || e.metaKey;
    if (mod && !e.altKey && e.key.toLowerCase() === 'a') {
      e.preventDefault();
      return selectAll();
    }
    if (e.key === ' ' && !e.altKey) {
      e.preventDefault();
      const d = rowAt(active);
      if (d) toggle(active, d.id);
      return;
    }
    if (e.key === 'Enter') {
      const d = rowAt(active);
      if (!d) return;
      e.preventDefault();
      anchor.current = active;
      setSelection({ ...emptySelection, ids: new Set([d.id]) });
      return onOpen(d.id);
    }
    if (e.key === 'Escape' && !isSimple(selection)) {
      e.preventDefault();
      return setSelection(justOpen());
    }
    const perView = Math.max(1, Math.floor(view.height / ROW) - 1);
    const moves: Record<string, number> = {
      ArrowDown: active + 1,
      ArrowUp: active - 1,
      Home: 0,
      End: count - 1,
      PageDown: active + perView,
      PageUp: active - perView,
    };
    const to = moves[e.key];
    if (to === undefined || e.altKey) return;
    e.preventDefault();
    void goTo(to, e.shiftKey);
  };

  const rows: Array<{ i: number; d: DocumentSummary | undefined }> = [];
  for (let i = first; i <= last; i++) rows.push({ i, d: rowAt(i) });
  const activeRow = rowAt(active);
  const selectedCount = countSelected(selection, count, (id) => positions.get(id));

  return (
    <section className="panel documents" aria-label="Document list">
      <h3>Documents</h3>
      <input type="search" placeholder="Filter by name" aria-label="Filter documents by name" value={filter} onChange={(e) => setFilter(e.target.value)} />
      <div className="row doc-sort">
        <label>
          Sort{' '}
          <select aria-label="Sort documents by" value={sort} onChange={(e) => setSort(e.target.value)}>
            <option value="order">import order</option>
            <option value="name">name</option>
            <option value="segments">segment count</option>
            {attributes.map((a) => (
              <option key={a} value={`attribute:${a}`}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <button type="button" aria-pressed={descending} aria-label="Reverse order" title={descending ? 'Descending: click for ascending' : 'Ascending: click for descending'} onClick={() => setDescending((d) => !d)}>
          {descending ? '↓' : '↑'}
        </button>
        <DocumentSetsFilter value={setId} onChange={setSetId} />
        <span className="muted" aria-live="polite">
          {total === null ? '' : `${total.toLocaleString()} ${total === 1 ? 'document' : 'documents'}`}
        </span>
        {total !== null && total > 1 && isSimple(selection) && (
          <button type="button" className="doc-select-all" onClick={selectAll} title="Select every document the list shows (Ctrl+A in the list; Ctrl+click and Shift+click select several)">
            Select all
          </button>
        )}
      </div>
      {total !== null && (
        <SelectionBar
          selection={selection}
          selectedCount={selectedCount}
          total={total}
          list={query()}
          listSetId={setId}
          version={catalog}
          onSelectAll={selectAll}
          onClear={() => setSelection(justOpen())}
          // Documents added to or taken out of the set the list shows: its rows moved, the selection starts again.
          onChanged={(changed) => changed === setId && setSelection(justOpen())}
        />
      )}
      <span id="doc-list-keys" className="doc-keys-hint">
        Click or Enter opens a document; Ctrl+click, Shift+click, Shift+arrows, Space and Ctrl+A select several.
      </span>
      <ul
        ref={listRef}
        role="listbox"
        aria-label="Documents"
        aria-describedby="doc-list-keys"
        tabIndex={0}
        className="doc-list doc-list-windowed"
        aria-multiselectable="true"
        aria-activedescendant={activeRow ? `doc-${activeRow.id}` : undefined}
        onKeyDown={onKeyDown}
        onScroll={measure}
      >
        {/* Gives the list the height of every row, so the scrollbar is the whole list's. */}
        <li role="none" aria-hidden="true" className="doc-spacer" style={{ height: count * ROW }} />
        {rows.map(({ i, d }) => {
          if (!d) {
            return (
              <li key={`loading-${i}`} role="none" aria-hidden="true" className="doc-row muted" style={{ top: i * ROW, height: ROW }}>
                …
              </li>
            );
          }
          const attrs = attributeLine(d);
          const picked = isSelected(selection, i, d.id);
          return (
            <li
              key={d.id}
              id={`doc-${d.id}`}
              role="option"
              aria-selected={picked}
              aria-current={d.id === openId ? 'true' : undefined}
              aria-setsize={count}
              aria-posinset={i + 1}
              aria-description={`${attrs ? `${attrs}; ` : ''}${d.segment_count} segments${sameStory[d.id] ? `; ${sameStoryText(sameStory[d.id]!)}` : ''}`}
              className={`doc-row${picked ? ' selected' : ''}${d.id === openId ? ' open' : ''}${i === active ? ' active' : ''}`}
              style={{ top: i * ROW, height: ROW }}
              // Shift+click selects rows, not the text on them.
              onMouseDown={(e) => e.shiftKey && e.preventDefault()}
              onClick={(e) => {
                // Ctrl/Cmd+click picks or unpicks a row, Shift+click a range from the last row clicked: neither opens it.
                if (e.shiftKey) {
                  setActive(i);
                  const from = Math.min(anchor.current, i);
                  const to = Math.max(anchor.current, i);
                  return setSelection((sel) => (e.ctrlKey || e.metaKey ? { ...sel, ranges: [...sel.ranges, { from, to }] } : { ...emptySelection, ranges: [{ from, to }] }));
                }
                if (e.ctrlKey || e.metaKey) return toggle(i, d.id);
                anchor.current = i;
                setActive(i);
                setSelection({ ...emptySelection, ids: new Set([d.id]) });
                onOpen(d.id);
              }}
            >
              <span className="doc-name"><SafeText text={d.name} /></span>
              {/* Read out once, through aria-description, rather than as part of the name. */}
              <span className="doc-meta" aria-hidden="true">
                <SameStoryBadge others={sameStory[d.id]} />
                <span className="attrs">{attrs}</span>
                <span className="badge" title={`${d.segment_count} coded segments`}>
                  {d.segment_count}
                </span>
              </span>
            </li>
          );
        })}
        {total === 0 && (
          <li role="none" className="muted doc-empty">
            {appliedFilter.trim() ? 'No document matches.' : setId ? 'No document in this set.' : 'No documents yet.'}
          </li>
        )}
      </ul>
    </section>
  );
}
