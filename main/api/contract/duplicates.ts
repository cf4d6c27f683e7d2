import { z } from 'zod';
import { query } from '../define';
import { Id } from './common';
import type { AlignedGroup, DuplicateGroups } from '../../core/analysis/duplicates';

/** Estimated Jaccard similarity of 5-word shingles two texts need to count as the same story. */
const Threshold = z.number().min(0.5, { message: 'must be at least 0.5 (pairs below are not kept)' }).max(1).default(0.8);

export const duplicatesContract = {
  'duplicates.groups': query<DuplicateGroups>()(
    z.object({ threshold: Threshold }).strict(),
    'Groups of documents that tell the same (wire) story: near-duplicate texts by MinHash, largest group first, with each member’s similarity to the first.',
  ),
  'duplicates.counts': query<Record<string, number>>()(
    z.object({ threshold: Threshold }).strict(),
    'For every document in a group: how many other documents tell the same story (for the document list).',
  ),
  'duplicates.group': query<AlignedGroup>()(
    z.object({ documentId: Id, threshold: Threshold }).strict(),
    'The group of one document with every text and what each changed relative to the first (headline, sentences added, removed and reworded, attributions dropped).',
  ),
} as const;
