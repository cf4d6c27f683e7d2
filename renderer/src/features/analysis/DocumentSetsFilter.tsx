import { useEffect, useState } from 'react';
import type { Output } from '../../../../main/api/contract';
import { call } from '../../api/client';
import { useTopicVersion } from '../../app/use-api';

type DocumentSet = Output<'sets.list'>[number];

/** A document-set picker for a list: "All documents" or one set's (made under Analyse ▸ Document sets). Hidden while the project has no set. */
export function DocumentSetsFilter({ value, onChange, label = 'Show documents of set' }: { value: string; onChange: (setId: string) => void; label?: string }) {
  const version = useTopicVersion('catalog');
  const [sets, setSets] = useState<DocumentSet[]>([]);
  useEffect(() => {
    let live = true;
    call('sets.list', {}).then(
      (s) => {
        if (!live) return;
        setSets(s);
        // A set deleted (or undone) since it was chosen: back to every document.
        if (value && !s.some((x) => x.id === value)) onChange('');
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [version, value, onChange]);
  if (sets.length === 0) return null;
  return (
    <label>
      Set{' '}
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">all documents</option>
        {sets.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name} ({s.document_count})
          </option>
        ))}
      </select>
    </label>
  );
}
