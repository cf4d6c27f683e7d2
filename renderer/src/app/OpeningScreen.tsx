import { useEffect, useState, type ReactNode } from 'react';
import type { ProjectOpeningOut } from '../../../main/api/contract/opening';
import { call } from '../api/client';
import { markedName } from '../../../main/api/contract/safe-text';
import { fileSize } from '../../../main/api/contract/file-size';
import { SafeText } from './SafeText';
import './opening-screen.css';

/** How often the screen asks how far the open is: a step of an upgrade takes seconds. */
const POLL_MS = 500;
/**
 * A current file opens in a fraction of a second (the desktop window may load before it is
 * open): asked again soon, so the workbench is not held back by a poll, and shown blank rather
 * than flashing an "Opening…" screen unless it takes longer than this.
 */
const QUICK_POLL_MS = 50;
const QUICK_OPEN_MS = 600;

/** Whether an open is one that takes a while: an upgrade, a compaction, or anything past a moment. */
const slow = (o: ProjectOpeningOut) => o.upgrade !== null || o.phase === 'compacting' || o.elapsedMs > QUICK_OPEN_MS;

/** "42 s", "1 min 05 s". */
function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** What is being done now, in a sentence. */
function phaseText(o: ProjectOpeningOut): string {
  switch (o.phase) {
    case 'checking':
      return `Checking the file for damage${o.bytes ? ` (${fileSize(o.bytes)})` : ''}`;
    case 'upgrading':
      return `Step ${o.step ?? 1} of ${o.upgrade?.steps ?? 1}: ${o.label ?? 'upgrading'}`;
    case 'compacting':
      return `Compacting the file${o.bytes ? ` (${fileSize(o.bytes)})` : ''}: giving back the space the old tables took`;
    default:
      return 'Opening the file';
  }
}

/**
 * The bar counts the upgrade's steps and the compaction after them, so it fills as a person
 * expects from "step k of n"; a file that is only checked or compacted has one step.
 */
function bar(o: ProjectOpeningOut): { max: number; now: number } {
  const steps = o.upgrade?.steps ?? 0;
  const max = steps + 1;
  if (o.phase === 'upgrading') return { max, now: Math.max(0, (o.step ?? 1) - 1) };
  if (o.phase === 'compacting') return { max, now: steps };
  return { max, now: 0 };
}

/** "Upgrading" a file saved by an older Marginalia, else "Opening". */
const titleOf = (o: ProjectOpeningOut) => (o.upgrade ? 'Upgrading' : 'Opening');

/** Shown while a project is opened and, for a file saved by an older Marginalia, upgraded: what happens, how far it is, and what is safe. */
export function OpeningScreen({ opening: o }: { opening: ProjectOpeningOut }) {
  return (
    // Not aria-busy: a screen reader would then hold back the step announcements of the status line.
    <main className="opening-screen" aria-labelledby="opening-title">
      <h1 id="opening-title">
        {titleOf(o)} <SafeText text={o.file} />
      </h1>
      <OpeningDetails opening={o} />
    </main>
  );
}

/** The phase, the bar, the time elapsed and what is safe: the screen's body, also shown in the Open project dialog. */
export function OpeningDetails({ opening: o }: { opening: ProjectOpeningOut }) {
  const { max, now } = bar(o);
  const title = titleOf(o);
  return (
    <div className="opening-details">
      <p role="status" className="opening-phase">
        {phaseText(o)}…
      </p>
      <progress
        aria-label={`${title} ${markedName(o.file)}`}
        max={max}
        value={now}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={now}
        aria-valuetext={phaseText(o)}
      />
      <p className="muted opening-elapsed">{elapsed(o.elapsedMs)} elapsed</p>
      {o.upgrade && (
        <p>
          This project was saved by an older version of Marginalia and is upgraded to the current one, in {o.upgrade.steps === 1 ? 'one step' : `${o.upgrade.steps} steps`}. This
          happens once; on a large project it takes a few minutes. If it is interrupted, nothing is lost: each step is kept whole or not at all, and the next
          open goes on from the last finished step. Once upgraded, the file opens in this version of Marginalia and later ones.
        </p>
      )}
      {o.phase === 'compacting' && (
        <p>
          Please keep this window open until the compaction has finished. Closing it stops the compaction, not the upgrade: the upgraded file stays whole,
          and it is compacted again the next time it is opened.
        </p>
      )}
    </div>
  );
}

/**
 * While `active` (a project.open request on its way), how far the project being opened is,
 * polled from project.opening; null while it is quick or nothing is being opened.
 */
export function useOpeningProgress(active: boolean): ProjectOpeningOut | null {
  const [progress, setProgress] = useState<ProjectOpeningOut | null>(null);
  useEffect(() => {
    if (!active) return setProgress(null);
    let live = true;
    const timer = setInterval(() => {
      call('project.opening', {}).then(
        (p) => live && setProgress(p && p.phase !== 'failed' && slow(p) ? p : null),
        () => undefined,
      );
    }, POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [active]);
  return progress;
}

/**
 * Shown when the project could not be opened and none is open: why, what to do, and the other
 * projects in its folder to open instead (a browser has no other way to choose one).
 */
function OpeningFailed({ opening: o, onContinue }: { opening: ProjectOpeningOut; onContinue(): void }) {
  const [others, setOthers] = useState<string[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // While another project opens from here, how far it is (an older one is upgraded first).
  const progress = useOpeningProgress(busy);
  useEffect(() => {
    let live = true;
    call('project.files', {}).then(
      (files) => live && setOthers(files.map((f) => f.file).filter((f) => f !== o.file)),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [o.file]);
  const open = (file: string) => {
    setBusy(true);
    setProblem(null);
    // The page starts afresh on the project now open (as the Open project dialog does).
    call('project.open', { file }).then(
      () => window.location.reload(),
      (e: Error) => {
        setBusy(false);
        setProblem(e.message);
      },
    );
  };
  if (busy && progress) return <OpeningScreen opening={progress} />;
  return (
    <main className="opening-screen" aria-labelledby="opening-title">
      <h1 id="opening-title">
        <SafeText text={o.file} /> could not be opened
      </h1>
      <p role="alert">{o.error?.message ?? 'The project could not be opened.'}</p>
      <p className="muted">Nothing was changed in the file. Open another project, or start Marginalia again on a copy or a backup.</p>
      {others.length > 0 && (
        <section aria-labelledby="opening-others">
          <h2 id="opening-others">Other projects in the same folder</h2>
          <ul className="opening-others">
            {others.map((f) => (
              <li key={f}>
                <button type="button" disabled={busy} onClick={() => open(f)} aria-label={`Open ${markedName(f)}`}>
                  <SafeText text={f} />
                </button>
              </li>
            ))}
          </ul>
          {busy && <p role="status">Opening… (a project saved by an older Marginalia is upgraded first, which can take minutes)</p>}
          {problem && <p className="error">{problem}</p>}
        </section>
      )}
      <button type="button" onClick={onContinue}>
        Continue without a project
      </button>
    </main>
  );
}

/**
 * Holds the workbench back while the host is still opening the project (project.opening):
 * its requests would only fail with "opening" meanwhile. Shows how far the open is, polling
 * as the agreement's progress does, and the workbench once it is open, without a reload.
 */
export function OpeningGate({ children }: { children: ReactNode }) {
  const [state, setState] = useState<'asking' | 'open' | ProjectOpeningOut>('asking');
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ask = async () => {
      let opening: ProjectOpeningOut | null = null;
      try {
        opening = await call('project.opening', {});
      } catch {
        // A host that cannot say: the workbench says what is wrong with its own requests.
      }
      if (!live) return;
      if (!opening) return setState('open');
      setState(opening);
      if (opening.phase !== 'failed') timer = setTimeout(() => void ask(), slow(opening) ? POLL_MS : QUICK_POLL_MS);
    };
    void ask();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, []);
  if (state === 'open') return <>{children}</>;
  if (state === 'asking') return null;
  if (state.phase === 'failed') return <OpeningFailed opening={state} onContinue={() => setState('open')} />;
  return slow(state) ? <OpeningScreen opening={state} /> : null;
}
