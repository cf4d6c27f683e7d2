import { useEffect, useState } from 'react';
import type { Output } from '../../../../main/api/contract';
import { call } from '../../api/client';
import './words-duplicates.css';

type Groups = Output<'duplicates.groups'>;
type Aligned = Output<'duplicates.group'>;
type Member = Aligned['members'][number];
type Diff = NonNullable<Member['diff']>;
type Part = Diff['blocks'][number]['parts'][number];

/** The attribute that tells outlets apart, when the documents have one. */
function outletOf(attributes: Record<string, unknown>): string {
  for (const k of ['outlet', 'source', 'publisher', 'media', 'site']) {
    const v = attributes[k];
    if (v !== undefined && v !== null && v !== '') return String(v);
  }
  return '';
}

function label(m: { name: string; attributes: Record<string, unknown> }): string {
  const outlet = outletOf(m.attributes);
  return outlet ? `${outlet}: ${m.name}` : m.name;
}

/** What a member changed, in words. */
function changes(d: Diff | null, identical: boolean): string {
  if (!d) return 'the first version';
  const s = d.summary;
  const out: string[] = [];
  if (s.headlineChanged) out.push('headline changed');
  if (s.paragraphsAdded) out.push(`${s.paragraphsAdded} paragraph${s.paragraphsAdded === 1 ? '' : 's'} added`);
  if (s.sentencesAdded) out.push(`${s.sentencesAdded} sentence${s.sentencesAdded === 1 ? '' : 's'} added`);
  if (s.sentencesRemoved) out.push(`${s.sentencesRemoved} removed`);
  if (s.sentencesChanged) out.push(`${s.sentencesChanged} reworded`);
  if (s.attributionsRemoved.length) out.push(`${s.attributionsRemoved.length} attribution${s.attributionsRemoved.length === 1 ? '' : 's'} dropped`);
  return out.length ? out.join(', ') : identical ? 'identical text (imported as a duplicate, kept)' : 'same sentences';
}

/** One side of an aligned sentence: the parts this side has, removals or additions marked. */
function Side({ parts, side }: { parts: Part[]; side: 'first' | 'version' }) {
  return (
    <>
      {parts.map((p, i) =>
        p.change === 'same' ? (
          <span key={i}>{p.text}</span>
        ) : p.change === 'removed' && side === 'first' ? (
          <del key={i}>
            <span className="dup-sr">[removed] </span>
            {p.text}
          </del>
        ) : p.change === 'added' && side === 'version' ? (
          <ins key={i}>
            <span className="dup-sr">[added] </span>
            {p.text}
          </ins>
        ) : null,
      )}
    </>
  );
}

function AlignedTexts({ first, member }: { first: Member; member: Member }) {
  const d = member.diff!;
  const [onlyChanges, setOnlyChanges] = useState(false);
  const blocks = onlyChanges ? d.blocks.filter((b) => b.kind !== 'same') : d.blocks;
  return (
    <>
      <label>
        <input type="checkbox" checked={onlyChanges} onChange={(e) => setOnlyChanges(e.target.checked)} /> Only the sentences that changed
      </label>
      <table className="dup-align">
        <caption>
          Sentences of {label(member)} aligned with the first version ({label(first)}): {changes(d, !!member.identicalTo)}.
        </caption>
        <thead>
          <tr>
            <th scope="col">First version: {outletOf(first.attributes) || first.name}</th>
            <th scope="col">{outletOf(member.attributes) || member.name}</th>
          </tr>
        </thead>
        <tbody>
          <tr className={d.headline.changed ? 'dup-changed' : 'dup-same'}>
            <td className="dup-headline">{d.headline.changed ? <Side parts={d.headline.parts} side="first" /> : first.name}</td>
            <td className="dup-headline">{d.headline.changed ? <Side parts={d.headline.parts} side="version" /> : member.name}</td>
          </tr>
          {blocks.map((b, i) => (
            <tr key={i} className={`dup-${b.kind}${b.paragraphStart ? ' dup-para' : ''}`}>
              <td>{b.kind === 'added' ? <span className="muted">—</span> : <Side parts={b.parts} side="first" />}</td>
              <td>
                {b.kind === 'removed' ? <span className="muted">{b.attributionRemoved ? 'attribution dropped' : '—'}</span> : <Side parts={b.parts} side="version" />}
                {b.kind === 'changed' && b.attributionRemoved && <span className="dup-flag"> attribution dropped</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** One group: its members with what each changed, and the texts of a chosen member aligned with the first. */
function GroupView({ documentId, threshold, onOpen, onError }: { documentId: string; threshold: number; onOpen: (id: string) => void; onError: (e: unknown) => void }) {
  const [group, setGroup] = useState<Aligned | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    call('duplicates.group', { documentId, threshold }).then((g) => {
      if (!live) return;
      setGroup(g);
      setChosen(g.members[1]?.id ?? null);
    }, onError);
    return () => {
      live = false;
    };
  }, [documentId, threshold, onError]);
  if (!group) return <p className="muted">Aligning the texts…</p>;
  const first = group.members[0]!;
  const member = group.members.find((m) => m.id === chosen) ?? null;
  return (
    <section aria-label="The group's versions" className="dup-group">
      <table className="dup-members">
        <caption>
          {group.members.length} versions of “{first.name}”, compared with the first ({label(first)}). Similarity: estimated share of 5-word runs in common.
        </caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Similarity</th>
            <th scope="col">What it changed</th>
            <th scope="col">Compare</th>
            <th scope="col">Open</th>
          </tr>
        </thead>
        <tbody>
          {group.members.map((m) => (
            <tr key={m.id} className={m.id === chosen ? 'selected' : undefined}>
              <th scope="row">{label(m)}</th>
              <td>{m.similarity === null ? '—' : m.similarity.toFixed(2)}</td>
              <td>{changes(m.diff, !!m.identicalTo)}</td>
              <td>
                {m.id === first.id ? (
                  <span className="muted">first</span>
                ) : (
                  <button type="button" aria-pressed={m.id === chosen} onClick={() => setChosen(m.id)} aria-label={`Compare ${label(m)} with the first version`}>
                    Compare
                  </button>
                )}
              </td>
              <td>
                <button type="button" onClick={() => onOpen(m.id)} aria-label={`Open ${label(m)}`}>
                  Open
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {member && <AlignedTexts first={first} member={member} />}
    </section>
  );
}

/**
 * Wire-story duplicates: groups of documents whose texts are near-duplicates (the same agency
 * story republished by several outlets), each kept as a document of its own, with what each
 * outlet changed relative to the first version.
 */
export function DuplicatesView(props: { initialDocumentId?: string | null; onOpen: (id: string) => void; onClose: () => void; onError: (e: unknown) => void }) {
  const { onError } = props;
  const [threshold, setThreshold] = useState(0.8);
  const [draft, setDraft] = useState('0.8');
  const [groups, setGroups] = useState<Groups | null>(null);
  const [chosen, setChosen] = useState<string | null>(props.initialDocumentId ?? null);
  useEffect(() => {
    let live = true;
    setGroups(null);
    call('duplicates.groups', { threshold }).then((g) => {
      if (!live) return;
      setGroups(g);
      setChosen((c) => (c && g.groups.some((x) => x.members.some((m) => m.id === c)) ? c : (g.groups[0]?.firstId ?? null)));
    }, onError);
    return () => {
      live = false;
    };
  }, [threshold, onError]);
  const draftValue = Number(draft);
  const draftOk = draft.trim() !== '' && draftValue >= 0.5 && draftValue <= 1;
  const chosenGroup = groups?.groups.find((g) => g.members.some((m) => m.id === chosen)) ?? null;
  return (
    <div className="dialog dup-dialog" role="dialog" aria-modal="true" aria-labelledby="dup-title">
      <header className="wf-head">
        <h2 id="dup-title">Duplicate stories</h2>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </header>
      <form
        className="wf-controls"
        aria-label="Similarity threshold"
        onSubmit={(e) => {
          e.preventDefault();
          if (draftOk) setThreshold(draftValue);
        }}
      >
        <label>
          Same story at similarity ≥{' '}
          <input type="number" min={0.5} max={1} step={0.05} value={draft} onChange={(e) => setDraft(e.target.value)} aria-describedby="dup-threshold-help" aria-invalid={!draftOk} />
        </label>
        <button type="submit" disabled={!draftOk}>
          Apply
        </button>
        <span id="dup-threshold-help" className="muted">
          {draftOk ? 'Jaccard similarity of 5-word runs (MinHash estimate), from 0.5 to 1.' : 'Enter a number from 0.5 to 1.'}
        </span>
      </form>
      <p role="status" className="muted">
        {groups
          ? `${groups.groups.length} group${groups.groups.length === 1 ? '' : 's'} at similarity ≥ ${groups.threshold}: ${groups.documents} documents tell a story another document also tells. Each stays a document of its own.`
          : 'Looking for near-duplicate texts…'}
      </p>
      {groups && groups.groups.length > 0 && (
        <div className="dup-layout">
          <table className="dup-groups">
            <caption>Groups of the same story, largest first</caption>
            <thead>
              <tr>
                <th scope="col">First version</th>
                <th scope="col">Documents</th>
                <th scope="col">Outlets</th>
              </tr>
            </thead>
            <tbody>
              {groups.groups.map((g) => {
                const first = g.members[0]!;
                const isChosen = g === chosenGroup;
                return (
                  <tr key={g.firstId} className={isChosen ? 'selected' : undefined}>
                    <th scope="row">
                      <button type="button" aria-pressed={isChosen} onClick={() => setChosen(g.firstId)}>
                        {first.name}
                      </button>
                    </th>
                    <td>{g.members.length}</td>
                    <td>{[...new Set(g.members.map((m) => outletOf(m.attributes)).filter(Boolean))].join(', ') || '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {chosenGroup && <GroupView key={`${chosenGroup.firstId}-${threshold}`} documentId={chosenGroup.firstId} threshold={threshold} onOpen={props.onOpen} onError={onError} />}
        </div>
      )}
    </div>
  );
}
