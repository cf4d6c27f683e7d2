import type { ViewerSegment as Segment } from '../../../../main/api/contract/workbench';
import type { Output } from '../../../../main/api/contract';
import { call } from '../../api/client';
import { SafeText } from '../../app/SafeText';
import { MemoEditor } from '../memos/MemoEditor';
import { CodeOptions } from '../codebook/CodeOptions';
import './inspector.css';

type Code = Output<'codes.list'>[number];

interface Props {
  segment: Segment;
  /** The coded text, sliced from the document by code points. */
  text: string;
  codes: Code[];
  documentLength: number;
  /** Changes the segment's code (drawn at once by the caller, put back if the API refuses). */
  onChangeCode: (codeId: string) => void;
  onClose: () => void;
  onError: (e: unknown) => void;
}

const fmt = (iso: string) => iso.slice(0, 16).replace('T', ' ');

/** The selected segment: what it is, its memo, and how to change or remove it. */
export function SegmentInspector({ segment, text, codes, documentLength, onChangeCode, onClose, onError }: Props) {
  const code = codes.find((c) => c.id === segment.code_id);
  const update = (patch: { start?: number; end?: number }) =>
    call('segments.update', { id: segment.id, ...patch }).catch(onError);
  const adjust = (edge: 'start' | 'end', delta: number) => {
    const start = edge === 'start' ? segment.start + delta : segment.start;
    const end = edge === 'end' ? segment.end + delta : segment.end;
    if (start < 0 || end > documentLength || end <= start) return;
    void update(edge === 'start' ? { start } : { end });
  };
  return (
    <section className="panel" aria-label="Segment">
      <h3 className="segment-code">
        <span className="swatch" style={{ backgroundColor: segment.code_color }} aria-hidden="true" /> {code?.path ?? segment.code_name}
      </h3>
      <dl className="facts">
        <dt>Coder</dt>
        <dd>
          <SafeText text={segment.coder_name} />
        </dd>
        <dt>Coded</dt>
        <dd>{fmt(segment.created_at)}</dd>
        <dt>Changed</dt>
        <dd>{fmt(segment.updated_at)}</dd>
        <dt>Span</dt>
        <dd>
          {segment.start}–{segment.end}
        </dd>
      </dl>
      <blockquote className="segment-text" aria-label="Coded text">
        {text}
      </blockquote>
      <div className="row" role="group" aria-label="Adjust boundaries (Alt+←/→ start, Alt+Shift+←/→ end)">
        <button type="button" onClick={() => adjust('start', -1)} aria-label="Move start earlier">
          ⇤ start
        </button>
        <button type="button" onClick={() => adjust('start', 1)} aria-label="Move start later">
          start ⇥
        </button>
        <button type="button" onClick={() => adjust('end', -1)} aria-label="Move end earlier">
          ⇤ end
        </button>
        <button type="button" onClick={() => adjust('end', 1)} aria-label="Move end later">
          end ⇥
        </button>
      </div>
      <div className="row">
        <label className="field grow">
          Change code
          <select value={segment.code_id} onChange={(e) => onChangeCode(e.target.value)}>
            <CodeOptions codes={codes} />
          </select>
        </label>
      </div>
      <div className="row">
        <button
          type="button"
          className="danger"
          onClick={() => {
            call('segments.delete', { id: segment.id }).then(onClose, onError);
          }}
        >
          Remove segment
        </button>
        <button type="button" onClick={onClose}>
          Deselect
        </button>
      </div>
      <h4>Segment memo</h4>
      <MemoEditor kind="segment" targetId={segment.id} label="Segment memo" />
    </section>
  );
}
