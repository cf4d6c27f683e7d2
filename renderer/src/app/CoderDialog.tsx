import { useEffect, useState } from 'react';
import { call } from '../api/client';
import type { Output } from '../../../main/api/contract';

type Coder = Output<'coders.list'>[number];

/**
 * The project's coders, each renamable: after a merge two different people may share a
 * name, and renaming one is how a team tells them apart.
 */
function CodersList() {
  const [coders, setCoders] = useState<Coder[]>([]);
  const [names, setNames] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const load = () =>
    call('coders.list', {}).then((list) => {
      setCoders(list);
      setNames(Object.fromEntries(list.map((c) => [c.id, c.name])));
    });
  useEffect(() => {
    void load();
  }, []);
  const rename = (c: Coder) => {
    const name = names[c.id]?.trim();
    if (!name || name === c.name) return;
    call('coders.rename', { id: c.id, name }).then(
      () => {
        setMessage({ error: false, text: `Renamed ${c.name} to ${name}.` });
        void load();
      },
      (e: Error) => setMessage({ error: true, text: e.message }),
    );
  };
  const counts = new Map<string, number>();
  for (const c of coders) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
  return (
    <section aria-label="Coders in this project">
      <h4>Coders in this project</h4>
      <ul className="coder-list">
        {coders.map((c) => (
          <li key={c.id}>
            {/* Enter renames this coder; it must not submit the switch-coder form around it. */}
            <input
              aria-label={`Name of coder ${c.name} (since ${c.created_at.slice(0, 10)})`}
              value={names[c.id] ?? ''}
              onChange={(e) => setNames({ ...names, [c.id]: e.target.value })}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  rename(c);
                }
              }}
            />
            {(counts.get(c.name) ?? 0) > 1 && <span className="muted"> shares a name · since {c.created_at.slice(0, 10)}</span>}
            <button type="button" aria-label={`Rename coder ${c.name}`} disabled={!names[c.id]?.trim() || names[c.id]?.trim() === c.name} onClick={() => rename(c)}>
              Rename
            </button>
          </li>
        ))}
      </ul>
      {message && <p role={message.error ? 'alert' : 'status'}>{message.text}</p>}
    </section>
  );
}

/** Asks who is coding: on first use, and when switching coder from the status bar. */
export function CoderDialog({ initial, firstUse, onSubmit, onCancel }: { initial: string; firstUse: boolean; onSubmit: (name: string) => void; onCancel?: () => void }) {
  const [name, setName] = useState(initial);
  return (
    <div className="overlay">
      <form
        role="dialog"
        aria-modal="true"
        aria-label={firstUse ? 'Who is coding?' : 'Switch coder'}
        className="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) onSubmit(name.trim());
        }}
      >
        <h3>{firstUse ? 'Who is coding?' : 'Switch coder'}</h3>
        <p className="muted">Every segment and memo you make is attributed to this name, so colleagues' coding can be compared and merged.</p>
        <label className="field">
          Your name
          <input autoFocus value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <div className="row">
          <button type="submit" disabled={!name.trim()}>
            {firstUse ? 'Start coding' : 'Switch'}
          </button>
          {onCancel && (
            <button type="button" onClick={onCancel}>
              Cancel
            </button>
          )}
        </div>
        {!firstUse && <CodersList />}
      </form>
    </div>
  );
}
