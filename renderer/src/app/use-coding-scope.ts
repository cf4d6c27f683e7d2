import { useMemo, useState } from 'react';

const ONLY_MINE_KEY = 'marginalia.onlyMine';

/** Whose coding the counts, badges and stripes show, as the API's scope input. */
export interface CodingScope {
  onlyMine: boolean;
  setOnlyMine(on: boolean): void;
  /** 'all' (every coder, the consensus layer apart), a coder's id, or 'consensus'. */
  shown: string;
  setShown(shown: string): void;
  scope: { coderIds?: string[]; consensus?: boolean };
  /** Changes whenever the scope does: a dependency for loads. */
  scopeKey: string;
}

/**
 * Whose coding is shown: every coder (the consensus layer apart, so a settled copy never
 * shows as an extra stripe), one coder, the consensus layer, or only mine (remembered).
 */
export function useCodingScope(coderId: string | null): CodingScope {
  const [onlyMine, setOnlyMineRaw] = useState(() => localStorage.getItem(ONLY_MINE_KEY) === '1');
  const [shown, setShown] = useState<string>('all');
  const scope = useMemo(
    () => (onlyMine && coderId ? { coderIds: [coderId] } : shown === 'consensus' ? { consensus: true } : shown === 'all' ? {} : { coderIds: [shown] }),
    [onlyMine, coderId, shown],
  );
  const setOnlyMine = (on: boolean) => {
    setOnlyMineRaw(on);
    localStorage.setItem(ONLY_MINE_KEY, on ? '1' : '0');
  };
  return { onlyMine, setOnlyMine, shown, setShown, scope, scopeKey: JSON.stringify(scope) };
}
