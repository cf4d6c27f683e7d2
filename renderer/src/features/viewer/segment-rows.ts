import type { DocumentSegmentsOut, ViewerSegment } from '../../../../main/api/contract/workbench';

/**
 * The segments `workbench.documentSegments` answered with, as the viewer, the inspector and the
 * coding commands hold them: one object a segment, its code and coder named in it.
 */
export function segmentsOf(answer: DocumentSegmentsOut): ViewerSegment[] {
  const { document_id, codes, coders } = answer;
  return answer.segments.map(([id, code, coder, start, end, memo, created_at, updated_at]) => {
    const c = codes[code]!;
    const k = coders[coder]!;
    return {
      id,
      document_id,
      code_id: c.id,
      code_name: c.name,
      code_color: c.color,
      coder_id: k.id,
      coder_name: k.name,
      start,
      end,
      memo,
      created_at,
      updated_at: updated_at ?? created_at,
    };
  });
}
