import { useEffect, useState } from 'react';
import type { Output } from '../../../../main/api/contract';
import { call, downloadFrom } from '../../api/client';
import { useAnalysisJob } from './use-analysis-job';
import './words-duplicates.css';

type Result = Output<'words.frequency'>;
type Language = 'en' | 'ru' | 'uk';

const LANGUAGES: { value: Language; label: string }[] = [
  { value: 'en', label: 'English' },
  { value: 'ru', label: 'Russian' },
  { value: 'uk', label: 'Ukrainian' },
];

const plural = (n: number, one: string) => `${n.toLocaleString()} ${one}${n === 1 ? '' : 's'}`;

/** The project's stop list for one language, edited as text (one word a line or separated by spaces). */
function StopListEditor({ onSaved, onError }: { onSaved: () => void; onError: (e: unknown) => void }) {
  const [language, setLanguage] = useState<Language>('en');
  const [text, setText] = useState('');
  const [edited, setEdited] = useState(false);
  const [saved, setSaved] = useState('');
  useEffect(() => {
    let live = true;
    call('words.stopwords', { language }).then((s) => {
      if (!live) return;
      setText(s.words.join('\n'));
      setEdited(s.edited);
      setSaved('');
    }, onError);
    return () => {
      live = false;
    };
  }, [language, onError]);
  const save = (words: string[] | null) =>
    call('words.setStopwords', { language, words }).then((s) => {
      setText(s.words.join('\n'));
      setEdited(s.edited);
      setSaved(words === null ? 'Shipped list restored.' : `Saved ${s.words.length} stop words in the project.`);
      onSaved();
    }, onError);
  return (
    <details className="wf-stoplist">
      <summary>Edit stop lists</summary>
      <label>
        Language{' '}
        <select aria-label="Stop list language" value={language} onChange={(e) => setLanguage(e.target.value as Language)}>
          {LANGUAGES.map((l) => (
            <option key={l.value} value={l.value}>
              {l.label}
            </option>
          ))}
        </select>
      </label>{' '}
      <span className="muted">{edited ? "this project's own list" : 'the list shipped with Marginalia'}</span>
      <label className="wf-stoplist-text">
        Stop words ({LANGUAGES.find((l) => l.value === language)!.label}), one a line
        <textarea rows={6} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <button type="button" onClick={() => void save(text.split(/\s+/).filter(Boolean))}>
        Save stop list
      </button>{' '}
      <button type="button" disabled={!edited} onClick={() => void save(null)}>
        Restore shipped list
      </button>{' '}
      <span role="status">{saved}</span>
    </details>
  );
}

/** Letters, marks and digits: what the search's words are made of (an emoji or symbol is none of them). */
const WORD_CHAR = /[\p{L}\p{M}\p{N}]/u;
const escapeRegex = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

/**
 * The search a frequency list's term runs: a word as a word, a phrase as a "quoted phrase". An
 * emoji or symbol is no word to the search (it is refused there): it is looked for as a regular
 * expression, the term itself, in a phrase between words that stand alone and anything but
 * letters and digits between the parts (the list drops punctuation and spaces).
 */
export function searchForTerm(term: string): { query: string; regex: boolean } {
  const parts = term.split(' ').filter(Boolean);
  if (parts.every((p) => WORD_CHAR.test(p))) return { query: parts.length === 1 ? term : `"${term}"`, regex: false };
  if (parts.length === 1) return { query: escapeRegex(term), regex: true };
  const alone = (p: string) => (WORD_CHAR.test(p) ? `(?<![\\p{L}\\p{M}\\p{N}])${escapeRegex(p)}(?![\\p{L}\\p{M}\\p{N}])` : escapeRegex(p));
  return { query: parts.map(alone).join('[^\\p{L}\\p{M}\\p{N}]*'), regex: true };
}

/**
 * Word frequencies: the most frequent words or phrases of two or three words, over all
 * documents or one attribute value, with counts, document counts and a rate per 10,000
 * words. A word is a button that searches the texts for it. The count runs in the background
 * (seconds at 100,000 documents): a progress bar, the list so far and a Cancel button show
 * while it runs.
 */
export function WordFrequencyView(props: { onSearch: (query: string, regex: boolean) => void; onClose: () => void; onError: (e: unknown) => void }) {
  const { onError } = props;
  const [n, setN] = useState<1 | 2 | 3>(1);
  const [top, setTop] = useState(100);
  const [stopwords, setStopwords] = useState(true);
  const [attribute, setAttribute] = useState('');
  const [value, setValue] = useState('');
  const [setId, setSetId] = useState('');
  const [sets, setSets] = useState<Output<'sets.list'>>([]);
  const [stamp, setStamp] = useState(0);
  const [attrList, setAttrList] = useState<Output<'words.attributes'>>([]);
  const attrs = new Map(attrList.map((a) => [a.name, a.values]));
  const where = attribute && value ? { attribute, value } : undefined;
  const whereKey = JSON.stringify(where ?? null);
  const scopeInput = { ...(where ? { where } : {}), ...(setId ? { set: setId } : {}) };
  const setName = sets.find((s) => s.id === setId)?.name;

  useEffect(() => {
    call('sets.list', {}).then(setSets, onError);
    call('words.attributes', {}).then(setAttrList, onError);
  }, [onError]);

  // The count runs in the background: started again whenever what it counts changes
  // (whereKey stands for `where`, a new object every render), cancelled when nobody will see it.
  const { value: result, job, running: busy, cancelled, cancel } = useAnalysisJob<Result>(
    JSON.stringify([n, top, stopwords, whereKey, setId, stamp]),
    () => call('words.start', { n, top, stopwords, ...scopeInput }),
    (jobId) => call('words.progress', { jobId }),
    (jobId) => call('words.cancel', { jobId }),
    onError,
  );
  const partial = result?.partial ?? null;

  const exportCsv = () =>
    call('words.csv', { n, top, stopwords, ...scopeInput }).then((f) => downloadFrom(f.download, f.fileName), onError);

  const unit = n === 1 ? 'Word' : 'Phrase';
  const scope = [setName ? `the set ${setName}` : '', where ? `documents with ${where.attribute} = ${where.value}` : ''].filter(Boolean).join(', ') || 'all documents';
  return (
    <div className="dialog wf-dialog" role="dialog" aria-modal="true" aria-labelledby="wf-title">
      <header className="wf-head">
        <h2 id="wf-title">Word frequency</h2>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </header>
      <form className="wf-controls" onSubmit={(e) => e.preventDefault()} aria-label="What to count">
        <label>
          Count{' '}
          <select aria-label="Count" value={n} onChange={(e) => setN(Number(e.target.value) as 1 | 2 | 3)}>
            <option value={1}>words</option>
            <option value={2}>two-word phrases</option>
            <option value={3}>three-word phrases</option>
          </select>
        </label>
        <label>
          In{' '}
          <select
            aria-label="Documents"
            value={attribute}
            onChange={(e) => {
              setAttribute(e.target.value);
              setValue('');
            }}
          >
            <option value="">all documents</option>
            {[...attrs.keys()].map((k) => (
              <option key={k} value={k}>
                documents by {k}
              </option>
            ))}
          </select>
        </label>
        {attribute && (
          <label>
            {attribute} ={' '}
            <select aria-label={`${attribute} =`} value={value} onChange={(e) => setValue(e.target.value)}>
              <option value="">choose a value</option>
              {(attrs.get(attribute) ?? []).map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          </label>
        )}
        {sets.length > 0 && (
          <label>
            Set{' '}
            <select aria-label="Document set" value={setId} onChange={(e) => setSetId(e.target.value)}>
              <option value="">any (all documents)</option>
              {sets.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name} ({s.document_count})
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Show top{' '}
          <select aria-label="Show top" value={top} onChange={(e) => setTop(Number(e.target.value))}>
            {[50, 100, 500, 2000].map((x) => (
              <option key={x} value={x}>
                {x}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={stopwords} onChange={(e) => setStopwords(e.target.checked)} /> Leave out stop words
        </label>
        <button type="button" onClick={() => void exportCsv()} disabled={!result || busy}>
          Export CSV
        </button>
      </form>
      <StopListEditor onSaved={() => setStamp((s) => s + 1)} onError={onError} />
      {busy && job && (
        <div className="wf-progress">
          <progress
            aria-label="Documents counted"
            max={Math.max(job.total, 1)}
            value={job.done}
            aria-valuetext={`${job.done.toLocaleString()} of ${job.total.toLocaleString()} documents`}
          />
          <span>
            {job.total ? `${job.done.toLocaleString()} of ${plural(job.total, 'document')} counted` : 'Counting…'}
          </span>
          <button type="button" onClick={cancel}>
            Cancel
          </button>
        </div>
      )}
      <p className="muted" role="status" aria-live="polite">
        {busy
          ? partial
            ? `Counting… the list below is from the first ${partial.done.toLocaleString()} of ${plural(partial.total, 'document')} and will change.`
            : 'Counting…'
          : cancelled
            ? partial
              ? `Cancelled. The list below is from the first ${partial.done.toLocaleString()} of ${plural(partial.total, 'document')} only.`
              : 'Cancelled before the first documents were counted.'
            : result
              ? `${plural(result.documents, 'document')}, ${plural(result.tokens, 'word')}, ${result.distinct.toLocaleString()} distinct ${n === 1 ? 'words' : 'phrases'}. Lemmas: not available (word forms are counted).${result.undercountAtMost ? ` Rare phrases were dropped to fit in memory: a count may be low by up to ${result.undercountAtMost}.` : ''}`
              : ''}
      </p>
      {result && (
        <div className="wf-table-wrap">
          <table className="wf-table">
            <caption>
              {partial ? `So far (${partial.done.toLocaleString()} of ${partial.total.toLocaleString()} documents): ` : ''}
              {result.words.length} most frequent {n === 1 ? 'words' : `${n}-word phrases`} in {scope}
              {stopwords ? ', stop words left out' : ''}. Choose one to search the texts for it.
            </caption>
            <thead>
              <tr>
                <th scope="col">Rank</th>
                <th scope="col">{unit}</th>
                <th scope="col">Count</th>
                <th scope="col">Documents</th>
                <th scope="col">Per 10,000 words</th>
              </tr>
            </thead>
            <tbody>
              {result.words.map((w, i) => (
                <tr key={w.term}>
                  <td>{i + 1}</td>
                  <th scope="row">
                    <button type="button" className="wf-term" onClick={() => {
                        const { query, regex } = searchForTerm(w.term);
                        props.onSearch(query, regex);
                      }} aria-label={`Search the texts for ${w.term}`}>
                      {w.term}
                    </button>
                  </th>
                  <td>{w.count.toLocaleString()}</td>
                  <td>{w.documents.toLocaleString()}</td>
                  <td>{result.tokens ? ((w.count / result.tokens) * 10000).toFixed(2) : '0'}</td>
                </tr>
              ))}
              {result.words.length === 0 && (
                <tr>
                  <td colSpan={5} className="muted">
                    No words in {scope}.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
