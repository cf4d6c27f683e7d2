import { useEffect, useState } from 'react';
import './words-duplicates.css';
import { call } from '../../api/client';
import { useTopicVersion } from '../../app/use-api';

/**
 * For the document list: per document in a group of near-duplicates, how many other
 * documents tell the same story (at the default threshold). Reloaded when documents come or go
 * (the catalog topic), not at every coding.
 */
export function useSameStoryCounts(): Readonly<Record<string, number>> {
  const version = useTopicVersion('catalog');
  const [counts, setCounts] = useState<Record<string, number>>({});
  useEffect(() => {
    let live = true;
    // A project without the duplicate index (or any failure) shows no badges rather than an error.
    call('duplicates.counts', { threshold: 0.8 }).then(
      (c) => live && setCounts(c),
      () => live && setCounts({}),
    );
    return () => {
      live = false;
    };
  }, [version]);
  return counts;
}

/** The words a badge stands for, also read out in the row's description. */
export function sameStoryText(others: number): string {
  return `same story as ${others} other${others === 1 ? '' : 's'}`;
}

/** "same story as 4 others", shown beside a document's name in the list. */
export function SameStoryBadge({ others }: { others: number | undefined }) {
  if (!others) return null;
  return (
    <span className="same-story" title="Near-duplicate text: see Analyse ▸ Duplicate stories">
      {sameStoryText(others)}
    </span>
  );
}
