import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AutocodeSummary, DocumentCounts, Extent, KwicLine, SearchPage } from '../../../../main/api/contract/search';
import { call } from '../../api/client';
import { useTopicVersion } from '../../app/use-api';
import './search.css';

/** A hit's place in the stored text, in code points. */
export interface HitSpan {
  start: number;
  end: number;
}

interface Props {
  /** The codes hits can be coded with, by path ("attribution/blames Ukraine"). */
  codes: ReadonlyArray<{ id: string; path: string }>;
  /** The document open in the viewer: next and previous step through its hits. */
  openDocumentId: string | null;
  /** Opens a document with exactly this hit selected. */
  onOpenHit: (documentId: string, hit: HitSpan) => void;
  onError: (e: unknown) => void;
  onDone: (message: string) => void;
}

interface Search {
  query: string;
  regex: boolean;
  caseSensitive: boolean;
  attribute?: { name: string; value: string };
  setId?: string;
}

const PAGE_SIZE = 50;
/** Documents shown at once in the hits-per-document table. */
const DOCS_SIZE = 100;
type DocsOrder = DocumentCounts['order'];
const hitKey = (h: { document_id: string; start: number; end: number }) => `${h.document_id}:${h.start}:${h.end}`;
const oneLine = (s: string) => s.replace(/\s+/g, ' ');
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

/**
 * Search over the texts: the query box with its syntax explained, every hit as a
 * keyword-in-context line (paged, with counts per document and in all), next and previous
 * hit in the open document, and autocoding of all hits or the ticked ones.
 */
export function SearchPanel({ codes, openDocumentId, onOpenHit, onError, onDone }: Props) {
  const [query, setQuery] = useState('');
  const [regex, setRegex] = useState(false);
  const [caseSensitive, setCaseSensitive] = useState(false);
  const [attrName, setAttrName] = useState('');
  const [attrValue, setAttrValue] = useState('');
  const [setId, setSetId] = useState('');
  const [search, setSearch] = useState<Search | null>(null);
  const [page, setPage] = useState(1);
  const [result, setResult] = useState<SearchPage | null>(null);
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);
  const variables = useLoadVariables();
  const sets = useLoadSets();

  // The first page is shown as soon as it is found; the totals (which read every match) follow.
  const [counting, setCounting] = useState(false);
  /** While counting: the totals the index gave at once (null where not yet known). */
  const [early, setEarly] = useState<{ documents: number | null; hits: number | null }>({ documents: null, hits: null });
  const latest = useRef(0);
  const syntax = useRef<HTMLDetailsElement>(null);
  const run = useCallback(
    (s: Search, p: number, docs: { offset: number; order: DocsOrder } = { offset: 0, order: 'order' }) => {
      const ticket = ++latest.current;
      const current = () => ticket === latest.current;
      const failed = (e: Error) => {
        if (!current()) return;
        setResult(null);
        setCounting(false);
        setProblem(e.message);
        setBusy(false);
      };
      const counted = () =>
        call('search.hits', { ...s, page: p, pageSize: PAGE_SIZE, documentsOffset: docs.offset, documentsLimit: DOCS_SIZE, documentsOrder: docs.order }).then((r) => {
          if (!current()) return;
          setResult(r);
          setCounting(false);
          setProblem('');
          setBusy(false);
        }, failed);
      setBusy(true);
      if (p !== 1) return void counted();
      call('search.first', { ...s, pageSize: PAGE_SIZE }).then((f) => {
        if (!current()) return;
        const total = f.hits.length;
        setResult({
          total_hits: total,
          total_documents: f.documents.length,
          page: 1,
          page_size: PAGE_SIZE,
          pages: 1,
          hits: f.hits,
          documents: f.documents,
          // The documents read so far; every other document's count comes with the count.
          by_document: { order: 'order', offset: 0, items: f.documents },
        });
        setEarly({ documents: f.total_documents, hits: f.total_hits });
        setProblem('');
        // The syntax help has done its work once a query finds hits: folded, it leaves the panel's
        // couple of hundred pixels to them (opened again, it shares them: search.css).
        if (f.hits.length > 0 && syntax.current) syntax.current.open = false;
        if (f.complete) {
          setCounting(false);
          setBusy(false);
        } else {
          setCounting(true);
          void counted();
        }
      }, failed);
    },
    [],
  );

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const q = query.trim();
    if (!q) return setProblem('Type a word or a "quoted phrase" to search for.');
    const s: Search = { query: q, regex, caseSensitive: regex && caseSensitive, ...(attrName && attrValue.trim() ? { attribute: { name: attrName, value: attrValue.trim() } } : {}), ...(setId ? { setId } : {}) };
    setSearch(s);
    setPage(1);
    setDocsWindow({ offset: 0, order: 'order' });
    setChosen(new Map());
    run(s, 1);
  };
  // The window of the hits-per-document table: which documents, in which order.
  const [docsWindow, setDocsWindow] = useState<{ offset: number; order: DocsOrder }>({ offset: 0, order: 'order' });
  const goTo = (p: number, docs = docsWindow) => {
    if (!search) return;
    setPage(p);
    setDocsWindow(docs);
    run(search, p, docs);
  };
  /** A document of the table: the page holding its first hit, and that hit opened. */
  const pendingFirst = useRef<number | null>(null);
  const jumpToDocument = (firstIndex: number) => {
    const p = Math.floor(firstIndex / PAGE_SIZE) + 1;
    const onPage = result?.page === p ? result.hits.find((h) => h.index === firstIndex) : undefined;
    if (onPage) return openHit(onPage);
    pendingFirst.current = firstIndex;
    goTo(p);
  };

  // Hits ticked for autocoding, kept across pages.
  const [chosen, setChosen] = useState(new Map<string, KwicLine>());
  const toggle = (h: KwicLine, on: boolean) =>
    setChosen((m) => {
      const n = new Map(m);
      if (on) n.set(hitKey(h), h);
      else n.delete(hitKey(h));
      return n;
    });

  // Hits of the open document, for next / previous.
  const [docHits, setDocHits] = useState<HitSpan[]>([]);
  const [current, setCurrent] = useState(-1);
  const pendingCurrent = useRef<{ start: number; end: number } | null>(null);
  useEffect(() => {
    setDocHits([]);
    setCurrent(-1);
    if (!search || !openDocumentId) return;
    let live = true;
    call('search.documentHits', { query: search.query, regex: search.regex, caseSensitive: search.caseSensitive, documentId: openDocumentId }).then((hits) => {
      if (!live) return;
      setDocHits(hits);
      const want = pendingCurrent.current;
      pendingCurrent.current = null;
      setCurrent(want ? hits.findIndex((h) => h.start === want.start && h.end === want.end) : -1);
    }, onError);
    return () => {
      live = false;
    };
  }, [search, openDocumentId, onError]);

  const openHit = (h: KwicLine) => {
    if (h.document_id === openDocumentId) setCurrent(docHits.findIndex((d) => d.start === h.start && d.end === h.end));
    else pendingCurrent.current = { start: h.start, end: h.end };
    onOpenHit(h.document_id, { start: h.start, end: h.end });
  };

  useEffect(() => {
    const want = pendingFirst.current;
    if (want === null || !result) return;
    const h = result.hits.find((x) => x.index === want);
    if (!h) return;
    pendingFirst.current = null;
    openHit(h);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [result]);

  const step = useCallback(
    (dir: 1 | -1) => {
      if (!openDocumentId || docHits.length === 0) return;
      const next = current < 0 ? (dir === 1 ? 0 : docHits.length - 1) : Math.max(0, Math.min(docHits.length - 1, current + dir));
      setCurrent(next);
      onOpenHit(openDocumentId, docHits[next]!);
    },
    [openDocumentId, docHits, current, onOpenHit],
  );

  // F3 / Shift+F3 and Ctrl+G / Ctrl+Shift+G: next and previous hit, wherever the focus is.
  const stepRef = useRef(step);
  stepRef.current = step;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const isF3 = e.key === 'F3' && !e.ctrlKey && !e.metaKey && !e.altKey;
      const isG = (e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'g';
      if (!isF3 && !isG) return;
      e.preventDefault();
      stepRef.current(e.shiftKey ? -1 : 1);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const counts = useMemo(() => new Map(result?.documents.map((d) => [d.document_id, d.hits]) ?? []), [result]);
  const from = result && result.hits.length ? result.hits[0]!.index + 1 : 0;
  const to = result && result.hits.length ? result.hits[result.hits.length - 1]!.index + 1 : 0;
  const pageKeys = result?.hits.map(hitKey) ?? [];
  const allOnPage = pageKeys.length > 0 && pageKeys.every((k) => chosen.has(k));

  return (
    <section className="search-panel" aria-label="Search">
      <form className="search-form" onSubmit={submit} role="search">
        <div className="row">
          <input
            type="search"
            className="grow"
            aria-label="Search in texts"
            aria-describedby="search-syntax-hint"
            placeholder={regex ? 'Regular expression, e.g. \\d+ (civilians|people)' : 'e.g. "false flag" or Russia OR Ukraine'}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
          <button type="submit" disabled={busy}>
            Search
          </button>
        </div>
        <p id="search-syntax-hint" className="muted search-hint">
          {regex
            ? 'JavaScript regular expression over the texts; case is ignored unless Match case is on.'
            : '"phrase" · a OR b · -word · word* · a NEAR/5 b · ( ) — operators in capitals.'}
        </p>
        <details className="search-syntax" ref={syntax}>
          <summary>Search syntax</summary>
          <dl>
            <dt>strike</dt>
            <dd>the word, in any case; accents on Latin letters optional (café finds cafe), other letters as written (й is not и)</dd>
            <dt>"false flag"</dt>
            <dd>the words in this order</dd>
            <dt>Russia Ukraine</dt>
            <dd>documents with both (AND may be written)</dd>
            <dt>Russia OR Ukraine</dt>
            <dd>documents with either</dd>
            <dt>Russia -Blinken</dt>
            <dd>leaves out documents with Blinken (also NOT Blinken)</dd>
            <dt>strik*</dt>
            <dd>words starting with strik: strike, strikes, striking</dd>
            <dt>strike NEAR/5 Kyiv</dt>
            <dd>both with at most 5 words between them (NEAR alone: 10)</dd>
            <dt>(a OR b) -c</dt>
            <dd>parentheses group</dd>
          </dl>
          <p className="muted">AND, OR, NOT and NEAR are written in capitals; "or" in lower case is a word. Every hit is listed; words left out with - or NOT are never hits.</p>
        </details>
        <div className="row search-options">
          <label>
            <input type="checkbox" checked={regex} onChange={(e) => setRegex(e.target.checked)} /> Regular expression
          </label>
          {regex && (
            <label>
              <input type="checkbox" checked={caseSensitive} onChange={(e) => setCaseSensitive(e.target.checked)} /> Match case
            </label>
          )}
        </div>
        {variables.length > 0 && (
          <div className="row search-options">
            <label>
              Only where{' '}
              <select aria-label="Attribute to filter by" value={attrName} onChange={(e) => setAttrName(e.target.value)}>
                <option value="">(all documents)</option>
                {variables.map((v) => (
                  <option key={v} value={v}>
                    {v}
                  </option>
                ))}
              </select>
            </label>
            {attrName && <input aria-label={`Value of ${attrName}`} placeholder="is…" value={attrValue} onChange={(e) => setAttrValue(e.target.value)} />}
          </div>
        )}
        {sets.length > 0 && (
          <div className="row search-options">
            <label>
              In{' '}
              <select aria-label="Document set to search in" value={setId} onChange={(e) => setSetId(e.target.value)}>
                <option value="">every document</option>
                {sets.map((x) => (
                  <option key={x.id} value={x.id}>
                    the set {x.name} ({plural(x.document_count, 'document')})
                  </option>
                ))}
              </select>
            </label>
          </div>
        )}
      </form>

      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}

      {result && search && (
        // Its own scroller below the form (search.css): the summary and first hits keep their room
        // however much of the panel the form and its open help would take.
        <div className="search-results-area">
          <div className="search-sticky">
          <div className="search-summary" role="status">
            {counting
              ? early.hits !== null && early.documents !== null
                ? `${plural(early.hits, 'hit')} in ${plural(early.documents, 'document')} · counting hits per document…`
                : `${result.hits.length === PAGE_SIZE ? `First ${PAGE_SIZE} hits` : `${plural(result.hits.length, 'hit')} so far`}${early.documents !== null ? ` in ${plural(early.documents, 'document')}` : ''} · counting every hit…`
              : result.total_hits === 0
                ? `No hits for ${search.query}.`
                : `${plural(result.total_hits, 'hit')} in ${plural(result.total_documents, 'document')}` + (result.pages > 1 ? ` · showing ${from}–${to}` : '')}
          </div>
          {openDocumentId && docHits.length > 0 && (
            <div className="row search-step" role="group" aria-label="Hits in the open document">
              <button type="button" onClick={() => step(-1)} disabled={current === 0} title="Previous hit (Shift+F3)">
                Previous hit
              </button>
              <button type="button" onClick={() => step(1)} disabled={current === docHits.length - 1} title="Next hit (F3 or Ctrl+G)">
                Next hit
              </button>
              <span aria-live="polite">{current >= 0 ? `hit ${current + 1} of ${docHits.length} in this document` : `${plural(docHits.length, 'hit')} in this document`}</span>
            </div>
          )}
          </div>
          <ol className="kwic" aria-label="Search results">
            {result.hits.map((h, i) => {
              const firstOfDoc = i === 0 || result.hits[i - 1]!.document_id !== h.document_id;
              const n = counts.get(h.document_id) ?? 0;
              return (
                <li key={hitKey(h)} className={firstOfDoc ? 'kwic-first' : ''}>
                  {firstOfDoc && (
                    <div className="kwic-doc">
                      <span className="doc-name">{h.document_name}</span> <span className="badge">{plural(n, 'hit')}</span>
                    </div>
                  )}
                  <div className="kwic-line">
                    <input type="checkbox" aria-label={`Choose hit ${h.index + 1} for coding`} checked={chosen.has(hitKey(h))} onChange={(e) => toggle(h, e.target.checked)} />
                    <button type="button" className="kwic-hit" aria-label={`Hit ${h.index + 1} in ${h.document_name}: …${oneLine(h.before)}${oneLine(h.hit)}${oneLine(h.after)}…`} onClick={() => openHit(h)}>
                      <span className="kwic-before">{oneLine(h.before)}</span>
                      <mark>{oneLine(h.hit)}</mark>
                      <span className="kwic-after">{oneLine(h.after)}</span>
                    </button>
                  </div>
                </li>
              );
            })}
          </ol>
          {result.pages > 1 && (
            <nav className="row search-pages" aria-label="Result pages">
              <button type="button" disabled={page <= 1 || busy} onClick={() => goTo(page - 1)}>
                Previous page
              </button>
              <span>
                Page {result.page} of {result.pages}
              </span>
              <button type="button" disabled={page >= result.pages || busy} onClick={() => goTo(page + 1)}>
                Next page
              </button>
            </nav>
          )}
          {/* The counts per document and the choose-all box follow the hit lines: in a panel a couple of hundred pixels tall, the first hits come right under the summary. */}
          {result.total_hits > 0 && (
            <HitsPerDocument
              counts={result.by_document}
              total={result.total_documents}
              counting={counting}
              busy={busy}
              onWindow={(docs) => goTo(page, docs)}
              onOpen={jumpToDocument}
            />
          )}
          {result.hits.length > 0 && (
            <label className="search-choose-page">
              <input
                type="checkbox"
                checked={allOnPage}
                onChange={(e) => {
                  for (const h of result.hits) toggle(h, e.target.checked);
                }}
              />{' '}
              Choose every hit on this page
            </label>
          )}
          {!counting && result.total_hits > 0 && <Autocode search={search} codes={codes} chosen={chosen} total={result.total_hits} onError={onError} onDone={onDone} />}
        </div>
      )}
    </section>
  );
}

interface HitsPerDocumentProps {
  counts: DocumentCounts;
  /** Documents with hits in the whole result (those read so far while counting). */
  total: number;
  counting: boolean;
  busy: boolean;
  onWindow: (docs: { offset: number; order: DocsOrder }) => void;
  /** Opens the document's first hit, given its place among all hits. */
  onOpen: (firstIndex: number) => void;
}

/** Every matching document with its hit count, a hundred at a time, in document order or most hits first. */
function HitsPerDocument({ counts, total, counting, busy, onWindow, onOpen }: HitsPerDocumentProps) {
  const { offset, order, items } = counts;
  const last = offset + items.length;
  return (
    <details className="search-by-doc">
      <summary>Hits per document</summary>
      <div className="row search-by-doc-controls">
        <label>
          Order{' '}
          <select aria-label="Order documents by" value={order} disabled={counting || busy} onChange={(e) => onWindow({ offset: 0, order: e.target.value as DocsOrder })}>
            <option value="order">document order</option>
            <option value="hits">most hits first</option>
          </select>
        </label>
        <span className="muted" aria-live="polite">
          {counting ? `${plural(items.length, 'document')} read so far · counting the others…` : items.length === 0 ? '' : `documents ${offset + 1}–${last} of ${total.toLocaleString()}`}
        </span>
      </div>
      <table className="search-by-doc-table" aria-label="Hits per document">
        <thead>
          <tr>
            <th scope="col">Document</th>
            <th scope="col" className="num">
              Hits
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((d) => (
            <tr key={d.document_id}>
              <th scope="row">
                <button type="button" className="search-by-doc-open" aria-label={`${d.document_name}: ${plural(d.hits, 'hit')}, open the first`} onClick={() => onOpen(d.first_index)}>
                  {d.document_name}
                </button>
              </th>
              <td className="num">{d.hits.toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!counting && total > DOCS_SIZE && (
        <nav className="row search-pages" aria-label="Document count pages">
          <button type="button" disabled={offset === 0 || busy} onClick={() => onWindow({ offset: Math.max(0, offset - DOCS_SIZE), order })}>
            Previous documents
          </button>
          <button type="button" disabled={last >= total || busy} onClick={() => onWindow({ offset: offset + DOCS_SIZE, order })}>
            Next documents
          </button>
        </nav>
      )}
    </details>
  );
}

function useLoadVariables(): string[] {
  const version = useTopicVersion('catalog');
  const [names, setNames] = useState<string[]>([]);
  useEffect(() => {
    call('variables.list', {}).then(
      (v) => setNames(v.map((x) => x.name)),
      () => setNames([]),
    );
  }, [version]);
  return names;
}

function useLoadSets(): Array<{ id: string; name: string; document_count: number }> {
  const version = useTopicVersion('catalog');
  const [sets, setSets] = useState<Array<{ id: string; name: string; document_count: number }>>([]);
  useEffect(() => {
    call('sets.list', {}).then(setSets, () => setSets([]));
  }, [version]);
  return sets;
}

interface AutocodeProps {
  search: Search;
  codes: Props['codes'];
  chosen: ReadonlyMap<string, KwicLine>;
  total: number;
  onError: (e: unknown) => void;
  onDone: (message: string) => void;
}

/** Codes the hits (all, or the ticked ones) with a code, widened to the hit, sentence or paragraph: previewed, then applied as one undoable action. */
function Autocode({ search, codes, chosen, total, onError, onDone }: AutocodeProps) {
  const [codeId, setCodeId] = useState('');
  const [extend, setExtend] = useState<Extent>('sentence');
  const [which, setWhich] = useState<'all' | 'chosen'>('all');
  const [preview, setPreview] = useState<AutocodeSummary | null>(null);
  const [busy, setBusy] = useState(false);
  const useChosen = which === 'chosen' && chosen.size > 0;
  const input = () => ({
    ...search,
    codeId,
    extend,
    ...(useChosen ? { hits: [...chosen.values()].map((h) => ({ documentId: h.document_id, start: h.start, end: h.end })) } : {}),
  });
  // Anything changed: the preview no longer says what Apply would do.
  useEffect(() => setPreview(null), [codeId, extend, which, chosen, search]);
  useEffect(() => {
    if (chosen.size === 0) setWhich('all');
  }, [chosen.size]);

  const doPreview = () => {
    setBusy(true);
    call('autocode.preview', input()).then(
      (p) => {
        setPreview(p);
        setBusy(false);
      },
      (e) => {
        setBusy(false);
        onError(e);
      },
    );
  };
  const apply = () => {
    const code = codes.find((c) => c.id === codeId);
    setBusy(true);
    call('autocode.apply', input()).then(
      (r) => {
        setBusy(false);
        setPreview(null);
        onDone(`Coded ${plural(r.segments, 'segment')} in ${plural(r.documents, 'document')} with ${code?.path ?? 'the code'}${r.already_coded ? ` (${r.already_coded} already coded, skipped)` : ''}. Undo takes it all back.`);
      },
      (e) => {
        setBusy(false);
        onError(e);
      },
    );
  };

  return (
    <fieldset className="autocode">
      <legend>Code these hits</legend>
      <div className="row">
        <label>
          <input type="radio" name="autocode-which" checked={which === 'all'} onChange={() => setWhich('all')} /> All {plural(total, 'hit')}
        </label>
        <label>
          <input type="radio" name="autocode-which" checked={which === 'chosen'} disabled={chosen.size === 0} onChange={() => setWhich('chosen')} /> The {plural(chosen.size, 'chosen hit')}
        </label>
      </div>
      <div className="row">
        <label className="grow">
          Code{' '}
          <select aria-label="Code to apply to the hits" value={codeId} onChange={(e) => setCodeId(e.target.value)}>
            <option value="">Choose a code…</option>
            {codes.map((c) => (
              <option key={c.id} value={c.id}>
                {c.path}
              </option>
            ))}
          </select>
        </label>
        <label>
          Extend to{' '}
          <select aria-label="Extend each hit to" value={extend} onChange={(e) => setExtend(e.target.value as Extent)}>
            <option value="hit">the hit</option>
            <option value="sentence">its sentence</option>
            <option value="paragraph">its paragraph</option>
          </select>
        </label>
      </div>
      <div className="row">
        <button type="button" disabled={!codeId || busy} onClick={doPreview}>
          Preview coding
        </button>
        <button type="button" disabled={!codeId || busy || !preview || preview.segments === 0} onClick={apply}>
          Apply coding
        </button>
      </div>
      {preview && (
        <p role="status" className="autocode-preview">
          {preview.segments === 0
            ? `Nothing to code: all ${plural(preview.hits, 'hit')} are already coded with this code by you.`
            : `Will code ${plural(preview.segments, 'segment')} in ${plural(preview.documents, 'document')} (${plural(preview.hits, 'hit')}${preview.already_coded ? `; ${preview.already_coded} already coded by you, skipped` : ''}).`}
        </p>
      )}
    </fieldset>
  );
}
