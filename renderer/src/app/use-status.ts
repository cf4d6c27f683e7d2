import { useCallback, useState } from 'react';
import { ApiError } from '../api/client';

export interface StatusMessage {
  error: boolean;
  text: string;
}

/** The status line: what the last action did (a polite status) or why it failed (an alert). */
export function useStatus(): { message: StatusMessage | null; say: (text: string) => void; fail: (e: unknown) => void } {
  const [message, setMessage] = useState<StatusMessage | null>(null);
  const say = useCallback((text: string) => setMessage({ error: false, text }), []);
  const fail = useCallback((e: unknown) => {
    setMessage({ error: true, text: e instanceof ApiError || e instanceof Error ? e.message : String(e) });
  }, []);
  return { message, say, fail };
}
