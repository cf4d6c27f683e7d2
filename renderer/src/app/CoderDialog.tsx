import { useState } from 'react';

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
      </form>
    </div>
  );
}
