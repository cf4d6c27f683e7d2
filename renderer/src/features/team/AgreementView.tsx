import { useEffect, useRef, useState } from 'react';
import type { Output } from '../../../../main/api/contract';
import { call, downloadFrom } from '../../api/client';
import './team.css';
import { CodeOptions } from '../codebook/CodeOptions';
import { DocumentSetsFilter } from '../analysis/DocumentSetsFilter';
import { plural } from '../../app/words';

type Report = Output<'team.agreement'>;
type Coder = Output<'coders.list'>[number];
type Code = Output<'codes.list'>[number];
type Doc = Output<'documents.page'>['documents'][number];
type Job = Output<'team.agreementStart'>;
type Round = Output<'team.rounds.list'>[number];
type Unit = Report['unit'];

const UNITS: { value: Unit; label: string }[] = [
  { value: 'char', label: 'Characters' },
  { value: 'sentence', label: 'Sentences' },
  { value: 'paragraph', label: 'Paragraphs' },
  { value: 'document', label: 'Documents (code present or not)' },
];

const pct = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)}%`);
const k4 = (v: number | null) => (v === null ? '—' : v.toFixed(4));

function selectedValues(select: HTMLSelectElement): string[] {
  return [...select.selectedOptions].map((o) => o.value);
}

/** Documents listed in the per-document table: the figures cover every document whatever this is. */
const DOCUMENT_ROWS = 500;
/** Documents offered in the chooser at a time; typing narrows them by name. */
const DOCUMENT_CHOICES = 200;
/** How often a running computation is asked how far it has got. */
const POLL_MS = 150;
const count = (n: number) => n.toLocaleString('en');

/** What a running job makes: the figures on screen, or the CSV to save. */
type JobKind = 'report' | 'csv';

/** A running computation: a progress bar of documents done and its Cancel button. */
function Running(props: { job: Job; kind: JobKind; cancelling: boolean; onCancel: () => void }) {
  const { job } = props;
  const total = Math.max(job.total, 0);
  const said = job.writing ? 'Writing the CSV…' : total > 0 ? `${count(job.done)} of ${plural(total, 'document')} compared` : 'Reading the project…';
  return (
    <div className="team-progress">
      <progress
        aria-label={props.kind === 'csv' ? 'Exporting the agreement CSV' : 'Computing agreement'}
        max={Math.max(1, total)}
        value={job.done}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={job.done}
        aria-valuetext={`${count(job.done)} of ${plural(total, 'document')}`}
      />
      <span role="status">{props.cancelling ? 'Cancelling…' : said}</span>
      <button type="button" onClick={props.onCancel} disabled={props.cancelling}>
        Cancel
      </button>
    </div>
  );
}

function ResultTables(props: { report: Report }) {
  const { report } = props;
  const o = report.overall;
  const many = report.coders.length > 2;
  const [first, second] = report.coders.map((c) => c.name);
  const unitWord = report.unit === 'char' ? 'characters' : `${report.unit}s`;
  const covers = `over ${o.codes_used} of ${plural(o.codes_total, 'code')} (those used by at least one coder)`;
  // With three or more coders "either" and "both" would misname who is meant.
  const nobody = many ? 'not used by any chosen coder' : 'not used by either coder';
  const zeroOverZero = many ? 'No chosen coder applied the code: kappa is 1 by the 0/0 convention' : 'Neither coder applied the code: kappa is 1 by the 0/0 convention';
  const pair = many ? ` of ${first} and ${second} (the first two chosen)` : '';
  return (
    <>
      {report.warnings.map((w) => (
        <p key={w} className="team-warning" role="note">
          {w}
        </p>
      ))}
      <table className="team-table" aria-label="Agreement per code">
        <caption>
          Per code. Kappa: {report.kappa_name}. Confusion table in {unitWord}{pair}: coded by both, by {first} only, by {second} only, by neither.
        </caption>
        <thead>
          <tr>
            <th scope="col">Code</th>
            <th scope="col">Units</th>
            <th scope="col">Agreement</th>
            <th scope="col">Kappa (weighted)</th>
            <th scope="col">Kappa (pooled)</th>
            {many && <th scope="col">Fleiss’ kappa</th>}
            <th scope="col">Brennan–Prediger kappa</th>
            <th scope="col">Alpha</th>
            <th scope="col">Segment agreement</th>
            <th scope="col">Both</th>
            <th scope="col">{first} only</th>
            <th scope="col">{second} only</th>
            <th scope="col">Neither</th>
          </tr>
        </thead>
        <tbody>
          {report.codes.map((c) => (
            <tr key={c.code_id} className={c.used ? undefined : 'team-unused'}>
              <th scope="row">
                {c.path}
                {!c.used && <span className="muted"> — {nobody}</span>}
              </th>
              <td>{c.units}</td>
              <td>{pct(c.percent_agreement)}</td>
              <td>{c.kappa_convention ? <abbr title={zeroOverZero}>{k4(c.kappa_weighted)} (0/0)</abbr> : k4(c.kappa_weighted)}</td>
              <td>{c.kappa_convention ? <abbr title={zeroOverZero}>{k4(c.kappa_pooled)} (0/0)</abbr> : k4(c.kappa_pooled)}</td>
              {many && <td>{k4(c.kappa_fleiss)}</td>}
              <td>{k4(c.kappa_brennan_prediger)}</td>
              <td>{k4(c.alpha)}</td>
              <td>{pct(c.segment_agreement)}</td>
              <td>{c.counts.both}</td>
              <td>{c.counts.first_only}</td>
              <td>{c.counts.second_only}</td>
              <td>{c.counts.neither}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="team-table" aria-label="Agreement per document">
        <caption>
          Per document (codes used by at least one coder)
          {o.documents.length < o.documents_total && `: the first ${count(o.documents.length)} of ${plural(o.documents_total, 'document')}; every figure above and below covers them all`}
        </caption>
        <thead>
          <tr>
            <th scope="col">Document</th>
            <th scope="col">Units</th>
            <th scope="col">Agreement</th>
            <th scope="col">Kappa</th>
            <th scope="col">Alpha</th>
            <th scope="col">Segment agreement</th>
          </tr>
        </thead>
        <tbody>
          {o.documents.map((d) => (
            <tr key={d.document_id}>
              <th scope="row">{d.name}</th>
              <td>{d.units}</td>
              <td>{pct(d.percent_agreement)}</td>
              <td>{d.kappa_convention ? <abbr title="No coder applied any of these codes here: kappa is 1 by the 0/0 convention">{k4(d.kappa)} (0/0)</abbr> : k4(d.kappa)}</td>
              <td>{k4(d.alpha)}</td>
              <td>{pct(d.segment_agreement)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="team-table" aria-label="Overall agreement">
        <caption>Overall, {covers}</caption>
        <tbody>
          <tr>
            <th scope="row">Codes covered</th>
            <td>
              {o.codes_used} of {o.codes_total}
            </td>
          </tr>
          <tr>
            <th scope="row">Percent agreement</th>
            <td>{pct(o.percent_agreement)}</td>
          </tr>
          <tr>
            <th scope="row">{report.kappa_name}, weighted by document length</th>
            <td>{k4(o.kappa_weighted)}</td>
          </tr>
          <tr>
            <th scope="row">{report.kappa_name}, pooled</th>
            <td>{k4(o.kappa_pooled)}</td>
          </tr>
          {many && (
            <tr>
              <th scope="row">Fleiss’ kappa</th>
              <td>{k4(o.kappa_fleiss)}</td>
            </tr>
          )}
          <tr>
            <th scope="row">Brennan–Prediger kappa (free-marginal)</th>
            <td>{k4(o.kappa_brennan_prediger)}</td>
          </tr>
          <tr>
            <th scope="row">Krippendorff’s alpha (nominal)</th>
            <td>{k4(o.alpha)}</td>
          </tr>
          <tr>
            <th scope="row">Segment agreement (overlap ≥ {Math.round(report.threshold * 100)}%)</th>
            <td>
              {pct(o.segment_agreement)} ({o.segments.matched} of {plural(o.segments.total, 'segment')})
            </td>
          </tr>
          <tr>
            <th scope="row">Segment kappa (Brennan–Prediger, chance 1/{o.codes_used} codes, as MAXQDA)</th>
            <td>{k4(o.kappa_segments)}</td>
          </tr>
          <tr>
            <th scope="row">
              Units: both / {first} only / {second} only / neither
            </th>
            <td>
              {o.counts.both} / {o.counts.first_only} / {o.counts.second_only} / {o.counts.neither}
            </td>
          </tr>
        </tbody>
      </table>
    </>
  );
}

/** Reliability rounds: draw a seeded sample for chosen coders, then close to keep the results. */
function Rounds(props: { coders: Coder[]; chosenCoders: string[]; unit: Unit; threshold: number; onResults: (r: Report) => void; onChanged: () => void }) {
  const [rounds, setRounds] = useState<Round[]>([]);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'share' | 'count'>('share');
  const [size, setSize] = useState('0.2');
  const [seed, setSeed] = useState('');
  const [error, setError] = useState<string | null>(null);

  const load = () => call('team.rounds.list', {}).then(setRounds, (e: Error) => setError(e.message));
  useEffect(() => void load(), []);

  async function open() {
    setError(null);
    try {
      await call('team.rounds.create', {
        name,
        sample: { kind, value: Number(size) },
        ...(seed.trim() ? { seed: Number(seed) } : {}),
        coderIds: props.chosenCoders,
        unit: props.unit,
        threshold: props.threshold,
      });
      setName('');
      await load();
      props.onChanged();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function close(id: string) {
    setError(null);
    try {
      const r = await call('team.rounds.close', { id });
      if (r.results) props.onResults(r.results);
      await load();
      props.onChanged();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <section aria-label="Reliability rounds">
      <h4>Reliability rounds</h4>
      <div className="team-form">
        <label className="field">
          Round name
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">
          Sample by
          <select value={kind} onChange={(e) => setKind(e.target.value as 'share' | 'count')}>
            <option value="share">Share of documents</option>
            <option value="count">Number of documents</option>
          </select>
        </label>
        <label className="field">
          {kind === 'share' ? 'Share (0–1)' : 'Number of documents'}
          <input type="number" min={kind === 'share' ? 0.01 : 1} max={kind === 'share' ? 1 : undefined} step={kind === 'share' ? 0.05 : 1} value={size} onChange={(e) => setSize(e.target.value)} />
        </label>
        <label className="field">
          Seed (blank: random, recorded)
          <input type="number" min={0} value={seed} onChange={(e) => setSeed(e.target.value)} />
        </label>
        <button type="button" onClick={() => void open()} disabled={!name.trim() || props.chosenCoders.length < 2}>
          Open round for the chosen coders
        </button>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {rounds.length > 0 && (
        <table className="team-table" aria-label="Reliability rounds">
          <thead>
            <tr>
              <th scope="col">Round</th>
              <th scope="col">Status</th>
              <th scope="col">Sample</th>
              <th scope="col">Seed</th>
              <th scope="col">Coders</th>
              <th scope="col">Kappa (pooled)</th>
              <th scope="col">Alpha</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {rounds.map((r) => (
              <tr key={r.id}>
                <th scope="row">{r.name}</th>
                <td>{r.status}</td>
                <td title={r.documents.map((d) => d.name).join(', ')}>
                  {r.documents.length} documents ({r.sample.kind === 'share' ? `${Math.round(r.sample.value * 100)}%` : r.sample.value})
                </td>
                <td>{r.seed}</td>
                <td>{r.coders.map((c) => c.name).join(', ')}</td>
                <td>{k4(r.results?.overall.kappa_pooled ?? null)}</td>
                <td>{k4(r.results?.overall.alpha ?? null)}</td>
                <td>
                  {r.status === 'open' ? (
                    <button type="button" onClick={() => void close(r.id)} aria-label={`Close round ${r.name} and compute agreement`}>
                      Close and compute
                    </button>
                  ) : (
                    <button type="button" onClick={() => r.results && props.onResults(r.results)} aria-label={`Show results of round ${r.name}`}>
                      Show results
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted">
        While a round is open, each of its coders sees only their own coding. Closing it computes agreement on exactly the
        sample and keeps the results in the project.
      </p>
    </section>
  );
}

/** Intercoder agreement: choose coders, codes, documents and unit; read and export the numbers. */
export function AgreementView(props: { onClose: () => void }) {
  const [coders, setCoders] = useState<Coder[]>([]);
  const [hiddenNote, setHiddenNote] = useState<string | null>(null);
  // Opening or closing a round changes whose work this coder may see: the coders are read again.
  const [roundsChanged, setRoundsChanged] = useState(0);
  const [codes, setCodes] = useState<Code[]>([]);
  const [docs, setDocs] = useState<Doc[]>([]);
  const [docsTotal, setDocsTotal] = useState(0);
  const [docFilter, setDocFilter] = useState('');
  const [chosenCoders, setChosenCoders] = useState<string[]>([]);
  const [chosenCodes, setChosenCodes] = useState<string[]>([]);
  const [chosenDocs, setChosenDocs] = useState<string[]>([]);
  const [setId, setSetId] = useState('');
  const [unit, setUnit] = useState<Unit>('char');
  const [threshold, setThreshold] = useState('90');
  const [report, setReport] = useState<Report | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [jobKind, setJobKind] = useState<JobKind>('report');
  const [cancelling, setCancelling] = useState(false);
  const [cancelled, setCancelled] = useState<JobKind | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The running job's id, for Cancel and for closing the dialog mid-way.
  const running = useRef<string | null>(null);

  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const [all, c, visible] = await Promise.all([call('coders.list', {}), call('codes.list', {}), call('team.visibleCoders', {})]);
        // In an open reliability round the round's other coders are not offered: their work is hidden from this coder.
        const k = all.filter((x) => !visible.hidden_coder_ids.includes(x.id));
        // Start with two coders who have coded (not whoever only created the project), the consensus layer aside.
        // The boxes appear with this choice already made, so a click is never undone by a late default.
        const people = k.filter((x) => x.name !== 'consensus');
        const coded = await Promise.all(people.map((x) => call('codes.list', { coderId: x.id }).then((cs) => cs.some((s) => s.segment_count > 0), () => false)));
        const withWork = people.filter((_, i) => coded[i]);
        if (!live) return;
        setChosenCoders((withWork.length >= 2 ? withWork : people).slice(0, 2).map((x) => x.id));
        setCoders(k);
        const rounds = visible.rounds.map((r) => `“${r.name}”`).join(', ');
        const names = all.filter((x) => visible.hidden_coder_ids.includes(x.id)).map((x) => x.name);
        setHiddenNote(visible.restricted ? `Hidden from you while ${rounds} ${visible.rounds.length > 1 ? 'are' : 'is'} open: ${names.join(', ')}.` : null);
        setCodes(c);
      } catch (e) {
        if (live) setError((e as Error).message);
      }
    })();
    return () => {
      live = false;
    };
  }, [roundsChanged]);

  // The document chooser offers one page of documents, narrowed by name as the user types:
  // a project of 100,000 documents is not sent whole to fill a list.
  useEffect(() => {
    let live = true;
    call('documents.page', { filter: docFilter.trim() || undefined, limit: DOCUMENT_CHOICES }).then(
      (page) => {
        if (!live) return;
        setDocs(page.documents);
        setDocsTotal(page.total);
      },
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [docFilter]);

  // Closing the dialog stops a computation nobody will read.
  useEffect(
    () => () => {
      if (running.current) void call('team.agreementCancel', { jobId: running.current }).catch(() => undefined);
    },
    [],
  );

  const thresholdValue = Number(threshold) / 100;
  const input = () => ({ coderIds: chosenCoders, codeIds: chosenCodes, documentIds: chosenDocs, ...(setId ? { setId } : {}), unit, threshold: thresholdValue });

  /**
   * Runs one job to its end, polling its progress: the figures for the screen, or the CSV
   * (by sentence over 100,000 documents about half a minute), which is then downloaded.
   */
  async function run(kind: JobKind) {
    setError(null);
    setCancelled(null);
    setCancelling(false);
    if (kind === 'report') setReport(null);
    setJobKind(kind);
    try {
      let state = kind === 'report' ? await call('team.agreementStart', { ...input(), documentRows: DOCUMENT_ROWS }) : await call('team.agreementCsvStart', input());
      running.current = state.jobId;
      setJob(state);
      while (!state.finished) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        if (running.current !== state.jobId) return;
        state = await call('team.agreementProgress', { jobId: state.jobId });
        setJob(state);
      }
      if (state.cancelled) setCancelled(kind);
      else if (state.error) setError(state.error.message);
      else if (state.file) downloadFrom(state.file.download, state.file.fileName);
      else setReport(state.report);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      running.current = null;
      setJob(null);
      setCancelling(false);
    }
  }

  async function cancel() {
    const id = running.current;
    if (!id) return;
    setCancelling(true);
    try {
      await call('team.agreementCancel', { jobId: id });
    } catch (e) {
      setError((e as Error).message);
    }
  }

  // The chooser shows one page: choices made under another filter are kept.
  const chooseDocs = (select: HTMLSelectElement) => {
    const shown = new Set(docs.map((d) => d.id));
    setChosenDocs((cur) => [...cur.filter((id) => !shown.has(id)), ...selectedValues(select)]);
  };

  const toggleCoder = (id: string, on: boolean) => setChosenCoders((cur) => (on ? [...cur, id] : cur.filter((x) => x !== id)));

  return (
    <div role="dialog" aria-modal="true" aria-label="Intercoder agreement" className="dialog team-dialog team-wide">
      <h3>Intercoder agreement</h3>
      <div className="team-form">
        <fieldset>
          <legend>Coders</legend>
          {coders.map((c) => (
            <label key={c.id} className="team-radio">
              <input type="checkbox" checked={chosenCoders.includes(c.id)} onChange={(e) => toggleCoder(c.id, e.target.checked)} />
              {c.name}
              {coders.filter((x) => x.name === c.name).length > 1 && <span className="muted"> ({c.id.slice(0, 8)})</span>}
            </label>
          ))}
          {hiddenNote && (
            <p className="muted" role="note">
              {hiddenNote}
            </p>
          )}
        </fieldset>
        <label className="field">
          Codes (none chosen: all)
          <select multiple aria-label="Codes" value={chosenCodes} onChange={(e) => setChosenCodes(selectedValues(e.target))}>
            <CodeOptions codes={codes} />
          </select>
        </label>
        <div className="field">
          <label htmlFor="agreement-doc-filter">Documents (none chosen: all)</label>
          <input id="agreement-doc-filter" type="search" placeholder="Filter by name" aria-label="Filter documents by name" value={docFilter} onChange={(e) => setDocFilter(e.target.value)} />
          <select multiple aria-label="Documents" value={chosenDocs} onChange={(e) => chooseDocs(e.target)}>
            {docs.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
          <span className="muted">
            {docsTotal > docs.length ? `${count(docs.length)} of ${count(docsTotal)} shown; type to narrow. ` : ''}
            {chosenDocs.length > 0 ? `${plural(chosenDocs.length, 'document')} chosen.` : ''}
          </span>
        </div>
        <DocumentSetsFilter label="Only documents of set" value={setId} onChange={setSetId} />
        <div>
          <label className="field">
            Unit
            <select value={unit} onChange={(e) => setUnit(e.target.value as Unit)}>
              {UNITS.map((u) => (
                <option key={u.value} value={u.value}>
                  {u.label}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            Segment overlap threshold (%)
            <input type="number" min={1} max={100} value={threshold} onChange={(e) => setThreshold(e.target.value)} />
          </label>
        </div>
      </div>
      <div className="team-actions">
        <button type="button" className="primary" onClick={() => void run('report')} disabled={job !== null || chosenCoders.length < 2}>
          Compute agreement
        </button>
        <button type="button" onClick={() => void run('csv')} disabled={job !== null || chosenCoders.length < 2}>
          Export CSV
        </button>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </div>
      {chosenCoders.length < 2 && <p className="muted">Choose at least two coders.</p>}
      {job && <Running job={job} kind={jobKind} cancelling={cancelling} onCancel={() => void cancel()} />}
      {cancelled && (
        <p role="status" className="muted">
          {cancelled === 'csv' ? 'Cancelled. The CSV was not saved; export again when ready.' : 'Cancelled. Nothing was computed; choose again and compute when ready.'}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {report && <ResultTables report={report} />}
      <Rounds coders={coders} chosenCoders={chosenCoders} unit={unit} threshold={thresholdValue} onResults={setReport} onChanged={() => setRoundsChanged((n) => n + 1)} />
    </div>
  );
}
