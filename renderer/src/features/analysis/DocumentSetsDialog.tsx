import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Output } from '../../../../main/api/contract';
import { call } from '../../api/client';
import './analysis-tables.css';

type DocumentSet = Output<'sets.list'>[number];
type Variable = Output<'variables.list'>[number];
type Source = 'hand' | 'search' | 'attribute';

/** Documents shown at once in the by-hand picker: the name filter finds the others. */
const PICK_LIMIT = 300;

/** Named sets of documents: made by hand, from a search or from an attribute value; renamed, emptied, deleted. */
export function DocumentSetsDialog(props: { openId: string | null; onClose: () => void; onError: (e: unknown) => void }) {
  const { onError } = props;
  const [sets, setSets] = useState<DocumentSet[]>([]);
  const [variables, setVariables] = useState<Variable[]>([]);
  const [target, setTarget] = useState('');
  const [name, setName] = useState('');
  const [source, setSource] = useState<Source>('hand');
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [nameFilter, setNameFilter] = useState('');
  const [query, setQuery] = useState('');
  const [regex, setRegex] = useState(false);
  const [attribute, setAttribute] = useState('');
  const [value, setValue] = useState('');
  const [status, setStatus] = useState('');
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);

  const reload = useCallback(() => call('sets.list', {}).then(setSets, onError), [onError]);
  useEffect(() => {
    void reload();
    call('variables.list', {}).then((v) => {
      setVariables(v);
      setAttribute((a) => a || v[0]?.name || '');
    }, onError);
  }, [reload, onError]);

  // Asked of the project as they are needed, never the whole document list (100,000 at scale):
  // each attribute's values, and one page of the names matching what is typed.
  const [attributeValues, setAttributeValues] = useState<Array<{ name: string; values: string[] }>>([]);
  useEffect(() => {
    call('words.attributes', {}).then(setAttributeValues, onError);
  }, [onError]);
  const values = useMemo(() => attributeValues.find((a) => a.name === attribute)?.values ?? [], [attributeValues, attribute]);
  const [shownDocs, setShownDocs] = useState<Array<{ id: string; name: string }>>([]);
  useEffect(() => {
    if (source !== 'hand') return;
    let live = true;
    call('documents.page', { filter: nameFilter.trim(), sort: 'name', limit: PICK_LIMIT }).then((p) => {
      if (live) setShownDocs(p.documents.map((d) => ({ id: d.id, name: d.name })));
    }, onError);
    return () => {
      live = false;
    };
  }, [source, nameFilter, onError]);
  const existing = sets.find((s) => s.id === target) ?? null;

  const sourceInput = () => {
    if (source === 'hand') return { documentIds: [...picked] };
    if (source === 'search') return { query, regex };
    return { where: [`${attribute}=${value}`] };
  };
  const ready = (existing || name.trim()) && (source === 'hand' ? picked.size > 0 : source === 'search' ? query.trim() !== '' : attribute !== '' && value !== '');

  const add = async () => {
    try {
      if (existing) {
        const r = await call('sets.add', { setId: existing.id, ...sourceInput() });
        setStatus(`Added ${r.added} document${r.added === 1 ? '' : 's'} to “${existing.name}”.`);
      } else {
        const r = await call('sets.create', { name: name.trim(), ...sourceInput() });
        setStatus(`Made “${name.trim()}” with ${r.added} document${r.added === 1 ? '' : 's'}.`);
        setTarget(r.id);
        setName('');
      }
      setPicked(new Set());
      await reload();
    } catch (e) {
      onError(e);
    }
  };
  const rename = async () => {
    if (!renaming) return;
    try {
      await call('sets.rename', { setId: renaming.id, name: renaming.name });
      setRenaming(null);
      await reload();
    } catch (e) {
      onError(e);
    }
  };
  const remove = async (s: DocumentSet) => {
    try {
      await call('sets.delete', { setId: s.id });
      if (target === s.id) setTarget('');
      setStatus(`Deleted the set “${s.name}”; its documents stay in the project. Undo brings it back.`);
      await reload();
    } catch (e) {
      onError(e);
    }
  };
  const toggle = (id: string, on: boolean) =>
    setPicked((p) => {
      const n = new Set(p);
      if (on) n.add(id);
      else n.delete(id);
      return n;
    });

  return (
    <div className="dialog at-dialog" role="dialog" aria-modal="true" aria-labelledby="ds-title">
      <div className="at-head">
        <h2 id="ds-title">Document sets</h2>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </div>
      <div className="at-body">
        <table className="at-sets">
          <caption>Sets in this project: a scope for the analyses, retrieval, agreement and exports</caption>
          <thead>
            <tr>
              <th scope="col">Set</th>
              <th scope="col">Documents</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {sets.length === 0 && (
              <tr>
                <td colSpan={3} className="muted">
                  No sets yet. Make one below.
                </td>
              </tr>
            )}
            {sets.map((s) => (
              <tr key={s.id}>
                <th scope="row">
                  {renaming?.id === s.id ? (
                    <input
                      aria-label={`New name for ${s.name}`}
                      value={renaming.name}
                      autoFocus
                      onChange={(e) => setRenaming({ id: s.id, name: e.target.value })}
                      onKeyDown={(e) => {
                        if (e.key === 'Enter') void rename();
                      }}
                    />
                  ) : (
                    s.name
                  )}
                </th>
                <td className="num">{s.document_count}</td>
                <td>
                  {renaming?.id === s.id ? (
                    <button type="button" onClick={() => void rename()}>
                      Save name
                    </button>
                  ) : (
                    <button type="button" aria-label={`Rename ${s.name}`} onClick={() => setRenaming({ id: s.id, name: s.name })}>
                      Rename
                    </button>
                  )}{' '}
                  <button type="button" aria-label={`Add documents to ${s.name}`} onClick={() => setTarget(s.id)}>
                    Add documents
                  </button>{' '}
                  <button type="button" aria-label={`Delete ${s.name}`} onClick={() => void remove(s)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>

        <fieldset className="at-form">
          <legend>Add documents to a set</legend>
          <div className="at-controls">
            <label>
              Set{' '}
              <select aria-label="Set to add to" value={target} onChange={(e) => setTarget(e.target.value)}>
                <option value="">A new set…</option>
                {sets.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
            </label>
            {!existing && (
              <label>
                Name <input aria-label="New set name" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. RT, March" />
              </label>
            )}
          </div>
          <div className="at-controls" role="radiogroup" aria-label="Which documents">
            {(
              [
                ['hand', 'Documents I choose'],
                ['search', 'Documents a search finds'],
                ['attribute', 'Documents with an attribute value'],
              ] as const
            ).map(([v, label]) => (
              <label key={v}>
                <input type="radio" name="set-source" value={v} checked={source === v} onChange={() => setSource(v)} /> {label}
              </label>
            ))}
          </div>
          {source === 'hand' && (
            <>
              <div className="at-controls">
                <label>
                  Find by name <input aria-label="Find documents by name" value={nameFilter} onChange={(e) => setNameFilter(e.target.value)} />
                </label>
                {props.openId && (
                  <button type="button" onClick={() => toggle(props.openId!, true)}>
                    Choose the open document
                  </button>
                )}
                <span className="muted">{picked.size} chosen</span>
              </div>
              <div className="at-pick" role="group" aria-label="Documents to add">
                {shownDocs.map((d) => (
                  <label key={d.id} title={d.name}>
                    <input type="checkbox" checked={picked.has(d.id)} onChange={(e) => toggle(d.id, e.target.checked)} /> {d.name}
                  </label>
                ))}
              </div>
              {shownDocs.length === PICK_LIMIT && <p className="at-note">The first {PICK_LIMIT} matching names are shown; type more of a name to find others.</p>}
            </>
          )}
          {source === 'search' && (
            <div className="at-controls">
              <label>
                Search <input aria-label="Search query for the set" value={query} onChange={(e) => setQuery(e.target.value)} placeholder='"false flag" OR provocation' />
              </label>
              <label>
                <input type="checkbox" checked={regex} onChange={(e) => setRegex(e.target.checked)} /> Regular expression
              </label>
              <span className="at-note">Every document the search matches, in the search box’s syntax.</span>
            </div>
          )}
          {source === 'attribute' && (
            <div className="at-controls">
              <label>
                Attribute{' '}
                <select aria-label="Attribute" value={attribute} onChange={(e) => setAttribute(e.target.value)}>
                  {variables.map((v) => (
                    <option key={v.id} value={v.name}>
                      {v.name}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Value{' '}
                <select aria-label="Attribute value" value={value} onChange={(e) => setValue(e.target.value)}>
                  <option value="">Choose…</option>
                  {values.map((v) => (
                    <option key={v} value={v}>
                      {v}
                    </option>
                  ))}
                </select>
              </label>
            </div>
          )}
          <div>
            <button type="button" disabled={!ready} onClick={() => void add()}>
              {existing ? `Add to “${existing.name}”` : 'Make set'}
            </button>
          </div>
        </fieldset>
        <p role="status" className="at-note">
          {status}
        </p>
      </div>
    </div>
  );
}
