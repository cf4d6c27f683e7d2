import { searchContract, type AutocodeSummary } from '../contract/search';
import type { HandlersOf } from './types';
import { documentHits, firstHits, searchHits, type SearchRequest } from '../../core/search/search';
import { applyAutocode, planAutocode, type AutocodePlan, type AutocodeRequest } from '../../core/search/autocode';
import { resolveCode } from '../../core/codebook/codebook';
import type { ParsedInputOf } from '../define';

type AutocodeInput = ParsedInputOf<(typeof searchContract)['autocode.apply']>;

function searchOf(input: Omit<SearchRequest, 'documentId'>): SearchRequest {
  return { query: input.query, regex: input.regex, caseSensitive: input.caseSensitive, attribute: input.attribute, setId: input.setId };
}

function autocodeRequest(input: AutocodeInput, coderId: string): AutocodeRequest {
  return {
    search: searchOf(input),
    codeId: input.codeId,
    coderId,
    extend: input.extend,
    only: input.hits?.map((h) => ({ document_id: h.documentId, start: h.start, end: h.end })),
  };
}

function summary(plan: AutocodePlan, written = plan.segments.length): AutocodeSummary {
  return { hits: plan.hits, segments: written, documents: plan.documents, already_coded: plan.already_coded, sample: plan.segments.slice(0, 20) };
}

export const searchHandlers: HandlersOf<typeof searchContract> = {
  'search.hits': ({ session }, input) =>
    session.project.db.readLong((r) =>
      searchHits(r, {
        ...searchOf(input),
        page: input.page,
        pageSize: input.pageSize,
        context: input.context,
        documentsOffset: input.documentsOffset,
        documentsLimit: input.documentsLimit,
        documentsOrder: input.documentsOrder,
      }),
    ),
  'search.first': ({ session }, input) => session.project.db.read((r) => firstHits(r, { ...searchOf(input), pageSize: input.pageSize, context: input.context })),
  'search.documentHits': ({ session }, input) => session.project.db.read((r) => documentHits(r, input)),
  'autocode.preview': async ({ session }, input) => {
    const coder = await session.coder();
    return summary(await session.project.db.readLong((r) => planAutocode(r, autocodeRequest(input, coder.id))));
  },
  'autocode.apply': async ({ session }, input) => {
    const coder = await session.coder();
    const code = await session.project.db.read((r) => resolveCode(r, input.codeId));
    const req = autocodeRequest(input, coder.id);
    // Planned again inside the write: what is coded is what the hits are at this moment.
    return session.project.db.action(
      { kind: 'segment.autocode', summary: `Autocode “${input.query}” with ${code.path} (${input.extend})`, coderId: coder.id },
      async (tx) => {
        const plan = await planAutocode(tx, req);
        return summary(plan, await applyAutocode(tx, plan, input.codeId, coder.id));
      },
    );
  },
};
