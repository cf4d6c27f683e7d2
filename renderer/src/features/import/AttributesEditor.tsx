import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, call } from '../../api/client';
import { useTopicVersion } from '../../app/use-api';
import type { Output } from '../../../../main/api/contract';
import './import.css';

type Variable = Output<'variables.list'>[number];
type Value = string | number | boolean | null;
type VariableType = Variable['type'];

/** Edits one document's attributes: one field per project attribute, typed, saved on change; and a row to add a new attribute. */
export function AttributesEditor(props: { documentId: string }) {
  const [variables, setVariables] = useState<Variable[]>([]);
  const [values, setValues] = useState<Record<string, Value>>({});
  const [error, setError] = useState<string | null>(null);
  const [newName, setNewName] = useState('');
  const [newType, setNewType] = useState<VariableType>('text');

  const load = useCallback(async () => {
    // This document's attributes only: the whole list would cost seconds at 100,000 documents.
    const [vars, doc] = await Promise.all([call('variables.list', {}), call('documents.summary', { id: props.documentId })]);
    setVariables(vars);
    setValues(doc.attributes);
  }, [props.documentId]);

  // Asked again when attributes may have changed (their catalog topic: an attribute set, an
  // import, an undo), after the stripes and counts a change reloads first, not before them.
  const catalog = useTopicVersion('catalog');
  const loaded = useRef<string | null>(null);
  useEffect(() => {
    const again = loaded.current === props.documentId;
    loaded.current = props.documentId;
    void load().catch((err: unknown) => (again ? undefined : setError(String(err))));
  }, [load, catalog]); // eslint-disable-line react-hooks/exhaustive-deps

  async function save(name: string, value: Value, type?: VariableType) {
    setError(null);
    try {
      await call('documents.setAttributes', { id: props.documentId, attributes: { [name]: value }, ...(type ? { types: { [name]: type } } : {}) });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
      await load().catch(() => undefined);
    }
  }

  const field = (v: Variable) => {
    const value = values[v.name];
    const label = `Attribute ${v.name}`;
    if (v.type === 'boolean') {
      return (
        <select aria-label={label} value={value === true ? 'true' : value === false ? 'false' : ''} onChange={(e) => void save(v.name, e.target.value === '' ? null : e.target.value === 'true')}>
          <option value="">(none)</option>
          <option value="true">yes</option>
          <option value="false">no</option>
        </select>
      );
    }
    return (
      <input
        aria-label={label}
        type={v.type === 'number' ? 'number' : v.type === 'date' ? 'date' : 'text'}
        defaultValue={value === null || value === undefined ? '' : String(value)}
        key={`${v.id}:${String(value)}`}
        onBlur={(e) => {
          const raw = e.target.value;
          if (raw === (value === null || value === undefined ? '' : String(value))) return;
          void save(v.name, raw === '' ? null : v.type === 'number' ? Number(raw) : raw);
        }}
      />
    );
  };

  return (
    <form
      className="attributes-editor"
      aria-label="Document attributes"
      onSubmit={(e) => {
        e.preventDefault();
        if (!newName.trim()) return;
        void save(newName.trim(), null, newType).then(() => setNewName(''));
      }}
    >
      {variables.map((v) => (
        <label key={v.id} style={{ display: 'contents' }}>
          <span className="attributes-label" title={`${v.name} (${v.type})`}>
            {v.name} <small>({v.type})</small>
          </span>
          {field(v)}
        </label>
      ))}
      {variables.length === 0 && <p style={{ gridColumn: '1 / -1' }}>No attributes yet.</p>}
      <div className="attributes-new">
        <input aria-label="New attribute name" placeholder="New attribute" value={newName} onChange={(e) => setNewName(e.target.value)} />
        <select aria-label="New attribute type" value={newType} onChange={(e) => setNewType(e.target.value as VariableType)}>
          <option value="text">text</option>
          <option value="number">number</option>
          <option value="date">date</option>
          <option value="boolean">boolean</option>
        </select>
        <button type="submit">Add attribute</button>
      </div>
      {error && (
        <p role="alert" className="attributes-error">
          {error}
        </p>
      )}
    </form>
  );
}
