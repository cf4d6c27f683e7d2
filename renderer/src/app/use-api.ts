import { startTransition, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { onChange, type ChangeSource } from '../api/client';
import type { Method } from '../../../main/api/contract';
import type { CountsAfter } from '../../../main/api/contract/coding';

/** A counter that moves after every change to the project: views reload on it. */
export function useProjectVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => onChange(() => setVersion((v) => v + 1)), []);
  return version;
}

/**
 * What a view shows, as far as invalidation goes. A change moves only the topics it touched,
 * so coding a passage reloads the codebook's counts, the visible page of the document list
 * and the open document's stripes, not the project info, the coders or the whole list.
 * `catalog` is what the filters offer (the attributes, the document sets, the same-story
 * groups): no coding moves it, so a coding does not ask for it six times over.
 */
export type Topic = 'project' | 'history' | 'documents' | 'catalog' | 'codes' | 'segments' | 'coders' | 'memos';
const ALL: readonly Topic[] = ['project', 'history', 'documents', 'catalog', 'codes', 'segments', 'coders', 'memos'];

/** By method name, what a change touches; anything not named here (imports, merges, the desktop menu) touches everything. */
const TOUCHES: ReadonlyArray<[RegExp, readonly Topic[]]> = [
  // Counts live in the codebook and the document list.
  // Removing a segment removes its memo.
  [/^segments\.delete$/, ['segments', 'codes', 'documents', 'memos', 'history']],
  [/^segments\./, ['segments', 'codes', 'documents', 'history']],
  [/^memos\./, ['memos', 'segments', 'history']],
  // A code's colour and name show on stripes; deleting or merging one moves counts everywhere.
  [/^codes\.(create|rename|recolor|describe|setShortcut|move)$/, ['codes', 'segments', 'history']],
  [/^codes\./, ['codes', 'segments', 'documents', 'memos', 'history']],
  [/^documents\.rename$/, ['documents', 'history']],
  [/^documents\.setAttributes$/, ['documents', 'catalog', 'history']],
  // A set's members show in the list filtered by it and in retrieval scoped to it; no count changes.
  [/^sets\./, ['documents', 'segments', 'catalog', 'history']],
  [/^coders\./, ['coders', 'project']],
  [/^project\.(rename|describe|saveNow|retrySave)$/, ['project']],
];

/**
 * An undone or redone action touches what the method that did it touched: by the action's
 * kind in the events log, the method it stands for. Kinds not named (imports, document
 * deletions, merges, reliability rounds) touch everything.
 */
const KIND_METHOD: Readonly<Record<string, Method>> = {
  'segment.create': 'segments.create',
  'segment.update': 'segments.update',
  'segment.delete': 'segments.delete',
  'segment.autocode': 'segments.create',
  'memo.save': 'memos.save',
  'memo.delete': 'memos.delete',
  'code.create': 'codes.create',
  'code.rename': 'codes.rename',
  'code.recolor': 'codes.recolor',
  'code.describe': 'codes.describe',
  'code.shortcut': 'codes.setShortcut',
  'code.move': 'codes.move',
  'code.delete': 'codes.delete',
  'code.merge': 'codes.merge',
  'document.rename': 'documents.rename',
  'document.attributes': 'documents.setAttributes',
  'set.create': 'sets.create',
  'set.add': 'sets.add',
  'set.remove': 'sets.remove',
  'set.rename': 'sets.rename',
  'set.delete': 'sets.delete',
};

/**
 * The topics a change touches; an undo or redo touches the history too (what Undo would do
 * next). A write that answered with the counts it moved (asked with `counts`) does not move
 * the codebook, whose list it carries, nor, for a segment write, the document list, whose
 * touched rows it carries: those views apply the answer (`countsAnswer`) instead of reloading.
 */
export function touched(source: ChangeSource, answer?: unknown): readonly Topic[] {
  const topics = touchedBy(source);
  const counts = countsIn(answer);
  if (!counts) return topics;
  const patched: Topic[] = ['codes'];
  if (counts.documents && isSegmentWrite(source)) patched.push('documents');
  return topics.filter((t) => !patched.includes(t));
}

function touchedBy(source: ChangeSource): readonly Topic[] {
  if (source.startsWith('history:')) {
    const method = KIND_METHOD[source.slice('history:'.length)];
    if (!method) return ALL;
    const topics = touchedBy(method);
    return topics.includes('history') ? topics : [...topics, 'history'];
  }
  for (const [re, topics] of TOUCHES) if (re.test(source)) return topics;
  return ALL;
}

/** A write of segments alone (or its undo or redo): the only documents whose rows change are those it names. */
export function isSegmentWrite(source: ChangeSource): boolean {
  return /^segments\.(create|update|delete)$/.test(source) || /^history:segment\./.test(source);
}

function countsIn(answer: unknown): CountsAfter | null {
  const counts = (answer as { counts?: CountsAfter } | null | undefined)?.counts;
  return counts && Array.isArray(counts.codes) ? counts : null;
}

/**
 * The counts a write answered with, for a view that shows counts over the coders `scopeKey`
 * names (JSON of the scope it loads with): `counts` when they were counted over those coders,
 * 'reload' when over others (the view asks again itself: `touched` did not move its topic),
 * null when the change carried none.
 */
export function countsAnswer(answer: unknown, input: unknown, scopeKey: string): CountsAfter | 'reload' | null {
  const counts = countsIn(answer);
  if (!counts) return null;
  return JSON.stringify((input as { counts?: unknown } | undefined)?.counts) === scopeKey ? counts : 'reload';
}

export type TopicVersions = Readonly<Record<Topic, number>>;

/** One counter per topic, moved by the changes that touch it: a view reloads on its topics' counters only. */
export function useTopicVersions(): TopicVersions {
  const [versions, setVersions] = useState<TopicVersions>(() => Object.fromEntries(ALL.map((t) => [t, 0])) as Record<Topic, number>);
  useEffect(
    () =>
      onChange((source, answer) => {
        const hit = touched(source, answer);
        setVersions((v) => {
          const next = { ...v };
          for (const t of hit) next[t] += 1;
          return next;
        });
      }),
    [],
  );
  return versions;
}

/** One topic's counter, for a view below the app that reloads on it alone. */
export function useTopicVersion(topic: Topic): number {
  const [version, setVersion] = useState(0);
  useEffect(() => onChange((source, answer) => touched(source, answer).includes(topic) && setVersion((v) => v + 1)), [topic]);
  return version;
}

/**
 * Loads a value whenever its dependencies change; keeps the previous value while loading.
 * Changes that come while a load is on its way are coalesced: one more load follows it, and
 * the answer of the one overtaken is dropped. Nine codings in a row then cost the codebook's
 * counts two requests, not nine queued behind each other.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], initial: T): T {
  return useLoadWith(useEffect, load, deps, initial);
}

/**
 * `useLoad`, asked for in the layout phase: before every passive effect's load, the lists of
 * child views included. The project answers one request at a time, in the order they came, so
 * this is how a view that must follow a change at once (the codebook's counts) goes first.
 */
export function useEarlyLoad<T>(load: () => Promise<T>, deps: unknown[], initial: T, patch?: Patch<T>): T {
  return useLoadWith(useLayoutEffect, load, deps, initial, patch);
}

/**
 * What a change's answer does to a loaded value: a new value to show at once (the codebook
 * from a write's counts), 'reload' to ask again, or null to leave it to the topics.
 */
export type Patch<T> = (source: ChangeSource, answer: unknown, input: unknown) => { value: T } | 'reload' | null;

function useLoadWith<T>(useAskEffect: typeof useEffect, load: () => Promise<T>, deps: unknown[], initial: T, patch?: Patch<T>): T {
  const [value, setValue] = useState<T>(initial);
  const state = useRef({ load, patch, running: false, again: false, mounted: true });
  state.current.load = load;
  state.current.patch = patch;
  const ask = () => {
    const s = state.current;
    const run = () => {
      s.running = true;
      s.again = false;
      s.load()
        .then(
          (v) => {
            if (s.mounted && !s.again) setValue(v);
          },
          (e) => console.error(e),
        )
        .finally(() => {
          s.running = false;
          if (s.again && s.mounted) run();
        });
    };
    if (s.running) s.again = true;
    else run();
  };
  useEffect(() => {
    const s = state.current;
    s.mounted = true;
    const off = onChange((source, answer, input) => {
      const p = s.patch?.(source, answer, input);
      if (!p) return;
      if (p === 'reload') return ask();
      // A load on its way was asked before this write: its answer is dropped and asked again.
      if (s.running) s.again = true;
      setValue(p.value);
    });
    return () => {
      s.mounted = false;
      off();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useAskEffect(ask, deps);
  return value;
}
