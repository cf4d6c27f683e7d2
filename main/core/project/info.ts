import type { Reader, Tx } from '../db/project-db';

export interface ProjectInfo {
  id: string;
  name: string;
  description: string;
  created_at: string;
  documents: number;
  codes: number;
  segments: number;
  coders: number;
  memos: number;
}

export async function setProjectMeta(tx: Tx, key: string, value: string): Promise<void> {
  await tx.run(`INSERT INTO project (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [key, value]);
}

export async function projectInfo(r: Reader): Promise<Omit<ProjectInfo, 'path'>> {
  const meta = await r.all<{ key: string; value: string }>(`SELECT key, value FROM project`);
  const m = new Map(meta.map((x) => [x.key, x.value]));
  const counts = await r.get<Record<string, number>>(`SELECT
      (SELECT count(*) FROM documents) AS documents,
      (SELECT count(*) FROM codes) AS codes,
      (SELECT count(*) FROM segment_rows) AS segments, -- not the view (migration 13), which would look up every row's ids to count them
      (SELECT count(*) FROM coders) AS coders,
      (SELECT count(*) FROM memos) AS memos`);
  return {
    id: m.get('id') ?? '',
    name: m.get('name') ?? 'Untitled project',
    description: m.get('description') ?? '',
    created_at: m.get('created_at') ?? '',
    documents: counts?.documents ?? 0,
    codes: counts?.codes ?? 0,
    segments: counts?.segments ?? 0,
    coders: counts?.coders ?? 0,
    memos: counts?.memos ?? 0,
  };
}
