import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Code, Coder, DocumentText, SegmentWithContext, Memo } from '../../../main/api/contract/entities';
import type { DocumentSegmentsOut, ViewerSegment as Segment } from '../../../main/api/contract/workbench';
import { buildTextMap, sliceCp } from '../features/viewer/text-map';
import { call, downloadBase64, onChange, onHostMenu } from '../api/client';
import { countsAnswer, useEarlyLoad, useLoad, useTopicVersions } from './use-api';
import { MenuBar, type Menu } from './MenuBar';
import { Dialogs } from './Dialogs';
import { useStatus } from './use-status';
import { useCodingScope } from './use-coding-scope';
import { PENDING_PREFIX, useCodingCommands } from './use-coding-commands';
import { useDialogs, type Dialog } from './use-dialogs';
import { isMac, useKeyboard } from './use-keyboard';
import { DocumentList } from '../features/documents/DocumentList';
import { SearchPanel } from '../features/search/SearchPanel';
import { CodebookPanel } from '../features/codebook/CodebookPanel';
import { BottomDock, Layout } from './Layout';
import { PaneStack } from './Panes';
import { CodeInspector } from '../features/codebook/CodeInspector';
import { DocumentViewer, type Jump } from '../features/viewer/DocumentViewer';
import { useSelection } from '../features/viewer/use-selection';
import { useTextSize } from '../features/viewer/use-text-size';
import { displayColors } from '../features/viewer/code-colors';
import { segmentsOf } from '../features/viewer/segment-rows';
import { SegmentInspector } from '../features/inspector/SegmentInspector';
import { CodedSegmentsView } from '../features/retrieval/CodedSegmentsView';
import { MemosView } from '../features/memos/MemosView';
import { MemoEditor } from '../features/memos/MemoEditor';
import { AttributesEditor } from '../features/import/AttributesEditor';
import { ComparisonView } from '../features/team/ComparisonView';
import { SaveStatus } from '../features/project/SaveStatus';
import { EmptyProject } from '../features/project/EmptyProject';
import { plural } from './words';
import { SafeText } from './SafeText';
import { markedName } from '../../../main/api/contract/safe-text';
import { WireDialogs, type WireDialog } from '../features/analysis/WireDialogs';
import { AnalysisDialogs, analysisMenuItems, type AnalysisDialog } from '../features/analysis/AnalysisDialogs';

export const CODER_KEY = 'marginalia.coder';

type BottomView = 'segments' | 'memos' | 'compare' | null;

/** The open document, its stripes and the codebook's counts are asked for before every other view's data (client.ts). */
const FIRST = { first: true };

/** What changing a segment's code changes in the viewer's copy of it. */
type Recode = Pick<Segment, 'code_id' | 'code_name' | 'code_color'>;
const withRecode = (s: Segment, r: Recode | undefined): Segment => (r && r.code_id !== s.code_id ? { ...s, ...r } : s);

/** Whether two segment lists show the same: same segments, same codes, spans, coders and memos, in the same order. */
function sameSegments(a: readonly Segment[], b: readonly Segment[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (x.id !== y.id || x.start !== y.start || x.end !== y.end || x.code_id !== y.code_id || x.code_name !== y.code_name || x.code_color !== y.code_color) return false;
    if (x.coder_id !== y.coder_id || x.coder_name !== y.coder_name || x.memo !== y.memo || x.created_at !== y.created_at || x.updated_at !== y.updated_at) return false;
  }
  return true;
}

/**
 * The big panels re-render only when their own props change (their callbacks below are
 * stable): a coding moves the codebook's counts without laying out the document list, the
 * search panel or the viewer again, and the stripes without redrawing the codebook.
 */
const Codebook = memo(CodebookPanel);
const Documents = memo(DocumentList);
const Search = memo(SearchPanel);
const Viewer = memo(DocumentViewer);

export function App() {
  // Each view reloads on the topics it shows, moved by the changes that touch them (use-api.ts).
  const topics = useTopicVersions();
  const [coder, setCoder] = useState<Coder | null>(null);
  const info = useLoad(() => call('project.info', {}), [topics.project], null);
  const history = useLoad(() => call('project.historyState', {}), [topics.history], { undo: null, redo: null });
  const { onlyMine, setOnlyMine, shown, setShown, scope, scopeKey } = useCodingScope(coder?.id ?? null);
  const coders = useLoad(() => call('coders.list', {}), [topics.coders], []);
  // While a reliability round is open, the API hides the other coders' work; say so.
  const visibility = useLoad(() => call('team.visibleCoders', {}), [topics.coders, coder?.id], null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [doc, setDoc] = useState<DocumentText | null>(null);
  const [docSegments, setDocSegments] = useState<Segment[]>([]);
  const [selectedSegmentId, setSelectedSegmentId] = useState<string | null>(null);
  const [selectedCodeId, setSelectedCodeId] = useState<string | null>(null);
  // The passage a code applies to: what is visibly selected in the text, nothing once that is let go.
  const { selection: pending, onSelection, clear: clearSelection, status: selectionStatus } = useSelection(() => setSelectedSegmentId(null));
  const textSize = useTextSize();
  const [jump, setJump] = useState<Jump | null>(null);
  const dialogs = useDialogs();
  const setDialog = (d: Dialog) => (d === null ? dialogs.close() : dialogs.open(d));
  const [bottom, setBottom] = useState<BottomView>(null);
  const [wire, setWire] = useState<WireDialog>(null);
  const [analysis, setAnalysis] = useState<AnalysisDialog>(null);
  const [retrievalCodeId, setRetrievalCodeId] = useState<string | null>(null);
  const { message, say, fail } = useStatus();

  /** The one file to send a colleague: a consistent copy, taken while the project stays open. */
  const shareCopy = useCallback(() => {
    say('Making a copy to share…');
    call('project.shareCopy', {}).then((f) => {
      downloadBase64(f.fileName, f.mime, f.dataBase64);
      say(`Saved ${f.fileName} (${Math.max(1, Math.round(f.bytes / 1024))} KB): the complete project in one file, ready to send.`);
    }, fail);
  }, [fail]);

  // The desktop menu's File ▸ Export… and Save a copy to share… do what the in-page menu does.
  useEffect(
    () =>
      onHostMenu((action) => {
        if (action === 'export') setDialog('export');
        else if (action === 'share') shareCopy();
      }),
    [shareCopy],
  );

  // The coder: remembered in localStorage, asked on first use.
  useEffect(() => {
    const stored = localStorage.getItem(CODER_KEY);
    if (stored) call('coders.setCurrent', { name: stored }).then(setCoder, fail);
    else setDialog('firstCoder');
  }, [fail]);
  const chooseCoder = (name: string) => {
    call('coders.setCurrent', { name }).then((c) => {
      localStorage.setItem(CODER_KEY, c.name);
      setCoder(c);
      setDialog(null);
      say(`Coding as ${c.name}`);
    }, fail);
  };

  // Open the first document when the project loads, or when the open one is gone.
  useEffect(() => {
    if (openId) return;
    let live = true;
    call('documents.page', { limit: 1 }).then((p) => live && p.documents[0] && setOpenId(p.documents[0].id), fail);
    return () => {
      live = false;
    };
  }, [openId, topics.documents, fail]);
  // The open document's text and its segments are asked for together and shown together: the
  // text never shows with the previous document's stripes, and the viewer lays out once, not
  // twice. They are asked for at the click (`open`), before React renders anything, and before
  // the properties below: the project answers one request at a time, in the order they came.
  const scopeRef = useRef({ scope, key: scopeKey });
  scopeRef.current = { scope, key: scopeKey };
  const docLoad = useRef<{ id: string; answer: Promise<[DocumentText, Segment[]]> } | null>(null);
  const loadDoc = useCallback((id: string) => {
    if (docLoad.current?.id !== id) {
      docLoad.current = { id, answer: Promise.all([call('documents.get', { id }, FIRST), call('workbench.documentSegments', { documentId: id, ...scopeRef.current.scope }, FIRST).then(segmentsOf)]) };
    }
    return docLoad.current.answer;
  }, []);
  /**
   * The stripes drawn before the API answered (a code applied, a segment deleted) stay as drawn
   * when segments asked for before that write arrive after it: no stripe blinks out and back.
   */
  const deleting = useRef(new Set<string>());
  /** Code changes drawn before the API answered, by segment id (the inspector's Change code). */
  const recoding = useRef(new Map<string, Recode>());
  const spanKey = (s: Segment) => `${s.code_id}|${s.coder_id}|${s.start}|${s.end}`;
  const withUnsaved = (fresh: Segment[]) => (prev: Segment[]) => {
    // A drawn stripe whose write these segments already hold (same code, coder and span) is
    // dropped here, in the same render, not when its own answer comes: never two stripes for one.
    const stored = new Set(fresh.map(spanKey));
    const pending = prev.filter((s) => s.id.startsWith(PENDING_PREFIX) && !stored.has(spanKey(s)));
    let kept = deleting.current.size ? fresh.filter((s) => !deleting.current.has(s.id)) : fresh;
    if (recoding.current.size) kept = kept.map((s) => withRecode(s, recoding.current.get(s.id)));
    const next = pending.length ? [...kept, ...pending].sort((a, b) => a.start - b.start || a.end - b.end) : kept;
    // The reload a change sets off mostly finds what is drawn already (the change was drawn at
    // once): the viewer then keeps its stripes and tints instead of laying them out again.
    return sameSegments(prev, next) ? prev : next;
  };
  /** The open document whose segments an undo or redo answered with: the reload its topic sets off is not asked. */
  const segmentsAnswered = useRef<string | null>(null);
  /** Which request's segments are shown: an answer overtaken by a later request is dropped. */
  const segmentsAsked = useRef({ n: 0, key: '' });
  useLayoutEffect(() => {
    if (!openId) {
      setDoc(null);
      setDocSegments([]);
      return;
    }
    let live = true;
    const n = ++segmentsAsked.current.n;
    segmentsAsked.current.key = `${openId}|${topics.segments}|${scopeKey}`;
    loadDoc(openId).then(([d, s]) => {
      if (!live) return;
      setDoc(d);
      if (n === segmentsAsked.current.n) setDocSegments(s);
    }, fail);
    // Taken: opening this document again later asks again.
    docLoad.current = null;
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [openId, fail, loadDoc]);
  // The segments again after a change, or for another coder's view; not when they came with the
  // text. A layout effect, so that they are asked for before every list a change reloads (passive
  // effects): after an undo, the stripes are what the reader looks at.
  useLayoutEffect(() => {
    const key = `${openId}|${topics.segments}|${scopeKey}`;
    if (!openId || segmentsAsked.current.key === key) return;
    segmentsAsked.current.key = key;
    if (segmentsAnswered.current === openId) {
      segmentsAnswered.current = null;
      return;
    }
    const n = ++segmentsAsked.current.n;
    let live = true;
    call('workbench.documentSegments', { documentId: openId, ...scope }, FIRST).then((s) => live && n === segmentsAsked.current.n && setDocSegments(withUnsaved(segmentsOf(s))), fail);
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [openId, topics.segments, fail, scopeKey]);

  // The codebook's counts, asked for right after the stripes and before every other list a
  // change reloads (the document list's page, the history, the properties): after a coding,
  // the counts are what the coder looks at next.
  // A segment write, undo or redo answers with the codebook's counts over these coders, shown at
  // once: the codebook is not asked for again after every key (`touched` leaves it alone).
  const codes = useEarlyLoad(() => call('codes.list', scope, FIRST), [topics.codes, scopeKey], [] as Code[], (_source, answer, input) => {
    const counts = countsAnswer(answer, input, scopeRef.current.key);
    return counts && counts !== 'reload' ? { value: counts.codes } : counts;
  });
  const codesRef = useRef(codes);
  codesRef.current = codes;

  // The open document's properties: one document asked for, never the whole list.
  const openSummary = useLoad(
    () => (openId ? call('documents.summary', { id: openId, ...scope }).catch(() => (setOpenId(null), null)) : Promise.resolve(null)),
    [openId, topics.documents, topics.segments, scopeKey],
    null,
  );

  const visibleSegments = useMemo(
    () => (onlyMine && coder ? docSegments.filter((s) => s.coder_id === coder.id) : docSegments),
    [docSegments, onlyMine, coder],
  );
  const selectedSegment = visibleSegments.find((s) => s.id === selectedSegmentId) ?? null;
  const selectedCode = codes.find((c) => c.id === selectedCodeId) ?? null;
  const textMap = useMemo(() => (doc ? buildTextMap(doc.text) : null), [doc]);
  // The colours change with a code's colour or place, not with its counts: the viewer keeps
  // its stripes when a coding only moves the codebook's numbers.
  const colorKey = codes.map((c) => `${c.id}:${c.parent_id ?? ''}:${c.color}`).join('|');
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const codeColors = useMemo(() => displayColors(codes), [colorKey]);
  const openDoc = openSummary?.id === openId ? openSummary : null;

  const openIdRef = useRef(openId);
  openIdRef.current = openId;
  // An undo or redo that touched the open document answers with its segments (asked with
  // `openDocumentId`): the stripes come back with that answer, and are not asked for again.
  useEffect(
    () =>
      onChange((_source, answer, input) => {
        const got = (answer as { segments?: { documentId: string; segments: DocumentSegmentsOut } } | undefined)?.segments;
        if (!got || got.documentId !== openIdRef.current || JSON.stringify((input as { counts?: unknown } | undefined)?.counts) !== scopeRef.current.key) return;
        segmentsAnswered.current = got.documentId;
        // An answer to a request made before the step is dropped.
        ++segmentsAsked.current.n;
        setDocSegments(withUnsaved(segmentsOf(got.segments)));
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );
  const open = useCallback((id: string, at?: { start: number; end: number }) => {
    if (id !== openIdRef.current) void loadDoc(id).catch(() => undefined);
    setOpenId(id);
    clearSelection();
    setJump(at ? { ...at, nonce: Date.now() } : null);
    if (!at) setSelectedSegmentId(null);
  }, []);
  /** A search hit: its document opened with exactly that hit selected. */
  const openHit = useCallback((id: string, at: { start: number; end: number }) => {
    open(id, at);
    setSelectedSegmentId(null);
    setJump({ ...at, select: true, nonce: Date.now() });
  }, [open]);

  const { apply, createAndApply, inVivo, undo, redo } = useCodingCommands({ doc, coder, codes, selection: pending, scope, setDocSegments, say, fail });
  const applyCode = useCallback((c: Code) => void apply(c), [apply]);
  const askDelete = useCallback((c: Code) => dialogs.open({ delete: c }), [dialogs.open]);
  const selectCode = useCallback((id: string | null) => {
    setSelectedCodeId(id);
    setSelectedSegmentId(null);
  }, []);
  const selectSegment = useCallback((id: string | null) => {
    setSelectedSegmentId(id);
    if (id) setSelectedCodeId(null);
  }, []);


  const stepSegment = (dir: 1 | -1) => {
    const list = [...visibleSegments].sort((a, b) => a.start - b.start || a.end - b.end);
    if (list.length === 0) return;
    const at = list.findIndex((s) => s.id === selectedSegmentId);
    const from = at >= 0 ? at + dir : dir === 1 ? list.findIndex((s) => s.start >= (pending?.start ?? 0)) : list.length - 1;
    const next = list[Math.max(0, Math.min(list.length - 1, from < 0 ? 0 : from))]!;
    setSelectedSegmentId(next.id);
    setJump({ start: next.start, end: next.end, nonce: Date.now() });
  };
  const adjust = (edge: 'start' | 'end', delta: number) => {
    const s = selectedSegment;
    if (!s || !doc) return;
    const start = edge === 'start' ? s.start + delta : s.start;
    const end = edge === 'end' ? s.end + delta : s.end;
    if (start < 0 || end > doc.length || end <= start) return;
    call('segments.update', { id: s.id, ...(edge === 'start' ? { start } : { end }), counts: scope }).catch(fail);
  };
  useKeyboard({
    dialog: dialogs.kind,
    codes,
    hasSelectedSegment: !!selectedSegment,
    apply: (code) => void apply(code),
    inVivo,
    undo,
    redo,
    openPalette: () => setDialog('palette'),
    closePalette: () => setDialog(null),
    stepSegment,
    adjustSegment: adjust,
    // The stripe goes at once, and comes back if the API refuses.
    deleteSegment: () => {
      const gone = selectedSegment;
      if (!gone) return;
      deleting.current.add(gone.id);
      setDocSegments((prev) => prev.filter((s) => s.id !== gone.id));
      setSelectedSegmentId(null);
      call('segments.delete', { id: gone.id, counts: scope })
        .catch((e) => {
          setDocSegments((prev) => (prev.some((s) => s.id === gone.id) ? prev : [...prev, gone].sort((a, b) => a.start - b.start || a.end - b.end)));
          fail(e);
        })
        .finally(() => deleting.current.delete(gone.id));
    },
  });

  // The stripe takes the new code at once and goes back to the old one if the API refuses, as
  // Delete does: the relabelled stripe is what the coder looks at, not the reloads behind it.
  const changeCode = useCallback((segment: Segment, codeId: string) => {
    const code = codesRef.current.find((c) => c.id === codeId);
    if (!code || codeId === segment.code_id) return;
    const recode: Recode = { code_id: code.id, code_name: code.name, code_color: code.color };
    const before: Recode = { code_id: segment.code_id, code_name: segment.code_name, code_color: segment.code_color };
    recoding.current.set(segment.id, recode);
    setDocSegments((prev) => prev.map((s) => (s.id === segment.id ? withRecode(s, recode) : s)));
    call('segments.update', { id: segment.id, codeId, counts: scopeRef.current.scope })
      .catch((e) => {
        // Put back only what this change drew: a later change of the same segment stays.
        setDocSegments((prev) => prev.map((s) => (s.id === segment.id && s.code_id === recode.code_id ? withRecode(s, before) : s)));
        fail(e);
      })
      .finally(() => {
        if (recoding.current.get(segment.id) === recode) recoding.current.delete(segment.id);
      });
  }, [fail]);

  const openSegment = (s: SegmentWithContext | Segment) => {
    open(s.document_id, { start: s.start, end: s.end });
    setSelectedSegmentId(s.id);
  };
  const openMemo = (m: Memo) => {
    if (m.target_kind === 'document' && m.target_id) open(m.target_id);
    else if (m.target_kind === 'code' && m.target_id) setSelectedCodeId(m.target_id);
    else if (m.target_kind === 'segment' && m.target_id) {
      call('segments.list', { ids: [m.target_id] }).then((all) => {
        const s = all.find((x) => x.id === m.target_id);
        if (s) openSegment(s);
      }, fail);
    }
  };

  const menus: Menu[] = [
    {
      label: 'File',
      items: [
        { label: 'New project…', onSelect: () => setDialog('newProject') },
        { label: 'Open project…', onSelect: () => setDialog('openProject') },
        { label: 'Import documents…', onSelect: () => setDialog('import') },
        { label: 'Import REFI-QDA…', onSelect: () => setDialog('refi') },
        { label: 'Export…', onSelect: () => setDialog('export') },
        { label: "Merge a colleague's project…", onSelect: () => setDialog('merge') },
        { label: 'Save a copy to share…', onSelect: shareCopy },
      ],
    },
    {
      label: 'Edit',
      items: [
        { label: history.undo ? `Undo ${history.undo}` : 'Undo', disabled: !history.undo, onSelect: undo, shortcut: isMac ? '⌘Z' : 'Ctrl+Z' },
        { label: history.redo ? `Redo ${history.redo}` : 'Redo', disabled: !history.redo, onSelect: redo, shortcut: isMac ? '⇧⌘Z' : 'Ctrl+Shift+Z' },
      ],
    },
    {
      label: 'Code',
      items: [
        { label: 'Quick code…', onSelect: () => setDialog('palette'), shortcut: 'Q' },
        { label: 'Code in vivo', onSelect: inVivo, shortcut: 'V' },
      ],
    },
    {
      label: 'View',
      items: [
        { label: 'Coded segments', onSelect: () => setBottom('segments') },
        { label: 'Memos', onSelect: () => setBottom('memos') },
        { label: 'Compare coders', onSelect: () => setBottom('compare'), disabled: !openId },
        { label: 'Intercoder agreement', onSelect: () => setDialog('agreement') },
        { label: 'Larger text', onSelect: textSize.larger, disabled: !textSize.canGrow, shortcut: isMac ? '⌘=' : 'Ctrl+=' },
        { label: 'Smaller text', onSelect: textSize.smaller, disabled: !textSize.canShrink, shortcut: isMac ? '⌘-' : 'Ctrl+-' },
      ],
    },
    {
      label: 'Analyse',
      items: [
        { label: 'Word frequency…', onSelect: () => setWire('words') },
        { label: 'Duplicate stories…', onSelect: () => setWire('duplicates') },
        ...analysisMenuItems(setAnalysis),
      ],
    },
  ];

  const keep = (e: React.MouseEvent) => e.preventDefault();

  const topBar = (
    <>
      <MenuBar menus={menus} />
      <div className="toolbar" role="toolbar" aria-label="Coding tools">
        <button type="button" onMouseDown={keep} onClick={() => setDialog('palette')} title="Quick code (Q or Ctrl+K)">
          Quick code
        </button>
        <button type="button" onMouseDown={keep} onClick={inVivo} title="Code in vivo (V)">
          Code in vivo
        </button>
        <button type="button" onMouseDown={keep} onClick={undo} disabled={!history.undo} title={history.undo ? `Undo ${history.undo}` : 'Nothing to undo'}>
          Undo
        </button>
        <button type="button" onMouseDown={keep} onClick={redo} disabled={!history.redo} title={history.redo ? `Redo ${history.redo}` : 'Nothing to redo'}>
          Redo
        </button>
      </div>
      <span className="project-name">{info ? `${info.name} — ${info.file}` : ''}</span>
    </>
  );
  const codebook = (
    <Codebook
      codes={codes}
      selectedCodeId={selectedCodeId}
      canApply={!!pending}
      onSelect={selectCode}
      onApply={applyCode}
      onDelete={askDelete}
      onError={fail}
      onDone={say}
    />
  );
  const inspector = (
    <>
      {selectedSegment && doc ? (
        <SegmentInspector
          key={selectedSegment.id}
          segment={selectedSegment}
          text={textMap ? sliceCp(textMap, selectedSegment.start, selectedSegment.end) : ''}
          codes={codes}
          documentLength={doc.length}
          onChangeCode={(codeId) => changeCode(selectedSegment, codeId)}
          onClose={() => setSelectedSegmentId(null)}
          onError={fail}
        />
      ) : selectedCode ? (
        <CodeInspector
          key={selectedCode.id}
          code={selectedCode}
          codes={codes}
          onDelete={(c) => setDialog({ delete: c })}
          onError={fail}
          onShowSegments={(c) => {
            setRetrievalCodeId(c.id);
            setBottom('segments');
          }}
        />
      ) : (
        <section className="panel" aria-label="Selection">
          <p className="muted">
            Select text and press a code's digit, Q for the quick-code palette, or V to code in vivo. Click a stripe or coded text to inspect a segment.
          </p>
        </section>
      )}
      {openDoc && (
        <section className="panel" aria-label="Properties">
          <h3>About this text</h3>
          <p className="muted">
            {plural(openDoc.length, 'character')} · {plural(openDoc.segment_count, 'segment')} · imported {openDoc.imported_at.slice(0, 10)}
            {openDoc.source_name ? ` from ${openDoc.source_name}` : ''}
          </p>
          <AttributesEditor documentId={openDoc.id} />
          <h4>Document memo</h4>
          <MemoEditor kind="document" targetId={openDoc.id} label="Document memo" />
        </section>
      )}
    </>
  );
  const bottomView = (
    <>
      {bottom === 'segments' && (
        <CodedSegmentsView
          codes={codes}
          coders={coders}
          codeId={retrievalCodeId}
          version={topics.segments}
          onCodeChange={(id) => setRetrievalCodeId(id || null)}
          onOpen={openSegment}
          onClose={() => setBottom(null)}
        />
      )}
      {bottom === 'memos' && <MemosView version={topics.memos} onOpen={openMemo} onClose={() => setBottom(null)} />}
      {bottom === 'compare' && openId && (
        <div className="bottom-view">
          <ComparisonView documentId={openId} onClose={() => setBottom(null)} />
        </div>
      )}
    </>
  );

  return (
    <>
      <Layout
        top={topBar}
        left={
          <PaneStack
            id="left"
            panes={[
              { id: 'documents', title: 'Documents', initialPercent: 72, content: <Documents scope={scope} version={topics.documents} openId={openId} onOpen={open} /> },
              { id: 'search', title: 'Search', content: <Search codes={codes} openDocumentId={openId} onOpenHit={openHit} onError={fail} onDone={say} /> },
            ]}
          />
        }
        center={
          <BottomDock
            main={
              info && info.documents === 0 ? (
                <EmptyProject onImport={() => setDialog('import')} onImportRefi={() => setDialog('refi')} />
              ) : (
                <Viewer
                  doc={doc}
                  map={textMap}
                  colors={codeColors}
                  textSize={textSize.size}
                  segments={visibleSegments}
                  selectedSegmentId={selectedSegmentId}
                  pending={pending}
                  jump={jump}
                  onSelectSegment={selectSegment}
                  onSelection={onSelection}
                />
              )
            }
            bottom={bottom === 'segments' || bottom === 'memos' || (bottom === 'compare' && openId) ? bottomView : null}
            view={bottom ?? 'none'}
            initialPercent={bottom === 'compare' ? 65 : 50}
          />
        }
        right={
          <PaneStack
            id="right"
            panes={[
              { id: 'codebook', title: 'Codebook', initialPercent: 58, content: codebook },
              { id: 'inspector', title: 'Inspector', content: inspector },
            ]}
          />
        }
        status={
          <>
            <button type="button" onClick={() => setDialog('coder')} aria-label={`Coder: ${coder ? markedName(coder.name) : 'none'} (switch)`}>
              Coder: <strong>{coder ? <SafeText text={coder.name} /> : '—'}</strong>
            </button>
            <label>
              <input
                type="checkbox"
                checked={onlyMine}
                onChange={(e) => setOnlyMine(e.target.checked)}
              />{' '}
              Show only my coding
            </label>
            <label>
              Coding shown{' '}
              <select value={shown} disabled={onlyMine} onChange={(e) => setShown(e.target.value)}>
                <option value="all">All coders (consensus layer apart)</option>
                {coders
                  .filter((c) => c.name !== 'consensus')
                  .map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name}
                    </option>
                  ))}
                {coders.some((c) => c.name === 'consensus') && <option value="consensus">Consensus layer only</option>}
              </select>
            </label>
            {visibility?.restricted && (
              <span role="note" className="muted">
                Reliability round {visibility.rounds.map((r) => `“${r.name}”`).join(', ')} open: other coders' work is hidden
              </span>
            )}
            <span className="muted">{selectionStatus}</span>
            <span role={message?.error ? 'alert' : 'status'} className={message?.error ? 'error' : 'status'}>
              {message?.text ?? ''}
            </span>
            <SaveStatus />
          </>
        }
      />
      <Dialogs
        dialogs={dialogs}
        codes={codes}
        coder={coder}
        selectedText={pending?.text ?? null}
        onChooseCoder={chooseCoder}
        onApply={(c) => void apply(c)}
        onCreateAndApply={(name) => void createAndApply(name)}
        onDeleteClosed={(c) => {
          if (selectedCodeId === c.id) setSelectedCodeId(null);
        }}
        onError={fail}
      />
      <WireDialogs which={wire} onClose={() => setWire(null)} onOpen={(id) => open(id)} onError={fail} />
      <AnalysisDialogs which={analysis} openId={openId} onClose={() => setAnalysis(null)} onOpen={open} onError={fail} />
    </>
  );
}

