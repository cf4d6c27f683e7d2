import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shingleHashes, signature, similarity } from '../../main/core/analysis/minhash';
import { diffTexts } from '../../main/core/analysis/text-diff';
import { openTestProject, tempDir } from '../helpers/project';
import { projectFileAtSchema } from '../helpers/old-schema';
import { runCli } from '../helpers/cli';
import { otherArticles, storiesCsv, wireStories, WIRE } from '../helpers/wire-stories';
import { openProjectDb } from '../../main/core/db/open';
import { indexDuplicates, duplicateGroups } from '../../main/core/analysis/duplicates';

const file = (name: string, data: string | Buffer) => ({ name, dataBase64: Buffer.from(data).toString('base64') });

function exactJaccard(a: string, b: string): number {
  const x = new Set(shingleHashes(a));
  const y = new Set(shingleHashes(b));
  let both = 0;
  for (const h of x) if (y.has(h)) both++;
  return both / (x.size + y.size - both);
}

describe('MinHash signatures', () => {
  it('estimate the Jaccard similarity of 5-word shingles within a few points, for near-duplicates and for unrelated texts', () => {
    const stories = wireStories();
    const others = otherArticles();
    const pairs: [string, string][] = [
      ...stories.slice(1).map((s) => [stories[0]!.text, s.text] as [string, string]),
      ...others.map((o) => [stories[0]!.text, o.text] as [string, string]),
      [others[0]!.text, others[1]!.text],
    ];
    for (const [a, b] of pairs) {
      const est = similarity(signature(a)!, signature(b)!);
      // 128 slots: the standard error is at most 0.045; 0.15 is over three of them.
      expect(Math.abs(est - exactJaccard(a, b))).toBeLessThan(0.15);
    }
    expect(signature('')).toBeNull();
    expect(similarity(signature('Short text.')!, signature('short text')!)).toBe(1);
  });

  it('the sample corpus: five articles on the same events, in their own words, are not near-duplicates of each other', () => {
    const texts = [wireStories()[0]!.text, ...otherArticles().map((o) => o.text)];
    for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) expect(exactJaccard(texts[i]!, texts[j]!)).toBeLessThan(0.05);
  });
});

describe('what an outlet changed', () => {
  it('names a changed headline, an added paragraph, a dropped attribution and a reworded sentence', () => {
    const [first, kyivPost, euromaidan, unian, pravda] = wireStories();
    const base = { headline: first!.headline, text: first!.text };
    const kp = diffTexts(base, { headline: kyivPost!.headline, text: kyivPost!.text });
    expect(kp.summary).toMatchObject({ headlineChanged: true, paragraphsAdded: 1, sentencesAdded: 1, sentencesRemoved: 0, sentencesChanged: 0, attributionsRemoved: [] });
    expect(kp.blocks.find((b) => b.kind === 'added')!.parts[0]!.text).toBe(WIRE.ADDED);
    const em = diffTexts(base, { headline: euromaidan!.headline, text: euromaidan!.text });
    expect(em.summary).toMatchObject({ headlineChanged: false, sentencesRemoved: 1, sentencesAdded: 0, attributionsRemoved: [WIRE.ATTRIBUTION] });
    const un = diffTexts(base, { headline: unian!.headline, text: unian!.text });
    expect(un.summary).toMatchObject({ sentencesChanged: 1, sentencesAdded: 0, sentencesRemoved: 0, paragraphsAdded: 0 });
    const changed = un.blocks.find((b) => b.kind === 'changed')!;
    expect(changed.parts.filter((p) => p.change === 'added').map((p) => p.text.trim())).toContain('early');
    expect(changed.parts.map((p) => (p.change === 'removed' ? '' : p.text)).join('')).toBe(WIRE.REWORDED);
    const same = diffTexts(base, { headline: pravda!.headline, text: pravda!.text });
    expect(same.blocks.every((b) => b.kind === 'same')).toBe(true);
  });
});

describe('wire-story duplicates in a project', () => {
  it('groups a story republished by four outlets at import, leaves unrelated articles alone, and counts "same story as" per document', async () => {
    const t = await openTestProject();
    try {
      const stories = wireStories();
      const csv = storiesCsv([...stories, ...otherArticles()]);
      const report = await t.call('import.files', { files: [file('wire.csv', csv)] });
      // Without keep-duplicates the word-for-word copy is reported, not imported.
      expect(report.imported).toBe(8);
      expect(report.duplicates).toBe(1);
      const groups = await t.call('duplicates.groups', { threshold: 0.8 });
      expect(groups.groups).toHaveLength(1);
      const g = groups.groups[0]!;
      expect(g.members.map((m) => m.attributes.outlet)).toEqual(['Ukrinform', 'Kyiv Post', 'Euromaidan Press', 'UNIAN']);
      expect(g.members[0]!.id).toBe(g.firstId);
      for (const m of g.members.slice(1)) expect(m.similarity).toBeGreaterThanOrEqual(0.8);
      const counts = await t.call('duplicates.counts', { threshold: 0.8 });
      expect(Object.values(counts)).toEqual([3, 3, 3, 3]);
      // A threshold no pair reaches: no groups.
      expect((await t.call('duplicates.groups', { threshold: 1 })).groups).toHaveLength(0);
      const bad = await t.callRaw('duplicates.groups', { threshold: 0.2 });
      expect(bad.ok).toBe(false);
      if (!bad.ok) expect(bad.error.message).toContain('threshold');
    } finally {
      await t.close();
    }
  });

  it('signing in rounds (bounded memory on a million-row import) finds the same groups as signing all at once', async () => {
    const whole = await openTestProject();
    const rounds = await openTestProject();
    try {
      const csv = storiesCsv([...otherArticles(), ...wireStories(), ...otherArticles().map((a) => ({ ...a, headline: `${a.headline} (again)` }))]);
      for (const t of [whole, rounds]) {
        // Imported with the hook's indexing undone, so the test chooses how the signing runs.
        await t.call('import.files', { files: [file('wire.csv', csv)], keepDuplicates: true });
        await t.project.db.transaction((tx) => tx.run('DELETE FROM document_fingerprints'));
        await t.project.db.transaction((tx) => tx.run('DELETE FROM near_duplicates'));
      }
      const a = await indexDuplicates(whole.project.db);
      const b = await indexDuplicates(rounds.project.db, 2);
      expect(b).toEqual(a);
      const groupsOf = async (t: typeof whole) =>
        (await t.call('duplicates.groups', { threshold: 0.8 })).groups.map((g) => g.members.map((m) => m.name).sort().join(' | ')).sort();
      expect(await groupsOf(rounds)).toEqual(await groupsOf(whole));
      expect((await groupsOf(whole)).length).toBeGreaterThan(1);
    } finally {
      await whole.close();
      await rounds.close();
    }
  });

  it('imports an identical text from another source when asked (keep duplicates), reports it as the same text and marks it in the group', async () => {
    const t = await openTestProject();
    try {
      const stories = wireStories();
      const report = await t.call('import.files', { files: [file('wire.csv', storiesCsv(stories))], keepDuplicates: true });
      expect(report.imported).toBe(5);
      expect(report.duplicates).toBe(0);
      const copy = report.outcomes.find((o) => o.status === 'imported' && o.row === 6);
      expect(copy).toMatchObject({ status: 'imported', sameTextAs: { name: stories[0]!.headline }, note: expect.stringContaining('same text as') });
      const groups = await t.call('duplicates.groups', { threshold: 0.8 });
      expect(groups.groups[0]!.members).toHaveLength(5);
      const pravda = groups.groups[0]!.members.find((m) => m.attributes.outlet === 'Ukrainska Pravda')!;
      expect(pravda.identicalTo).toBe(groups.groups[0]!.firstId);
      expect(pravda.similarity).toBe(1);
      const counts = await t.call('duplicates.counts', { threshold: 0.8 });
      expect(counts[pravda.id]).toBe(4);
      const aligned = await t.call('duplicates.group', { documentId: pravda.id, threshold: 0.8 });
      expect(aligned.members.map((m) => m.attributes.outlet)).toEqual(['Ukrinform', 'Kyiv Post', 'Euromaidan Press', 'UNIAN', 'Ukrainska Pravda']);
      expect(aligned.members[0]!.diff).toBeNull();
      expect(aligned.members[2]!.diff!.summary.attributionsRemoved).toEqual([WIRE.ATTRIBUTION]);
    } finally {
      await t.close();
    }
  });

  it('indexes each import against the documents already there, follows undo and redo, and the command line lists the groups', async () => {
    const t = await openTestProject();
    try {
      const stories = wireStories();
      await t.call('import.files', { files: [file('first.csv', storiesCsv(stories.slice(0, 2)))] });
      expect((await t.call('duplicates.groups', { threshold: 0.8 })).groups[0]!.members).toHaveLength(2);
      await t.call('import.files', { files: [file('second.csv', storiesCsv([...stories.slice(2, 4), ...otherArticles()]))] });
      const after = await t.project.db.read((r) => duplicateGroups(r, 0.8));
      expect(after.groups[0]!.members).toHaveLength(4);
      expect(after.indexed).toBe(8);
      await t.call('project.undo', {});
      expect((await t.call('duplicates.groups', { threshold: 0.8 })).groups[0]!.members).toHaveLength(2);
      await t.call('project.redo', {});
      expect((await t.call('duplicates.groups', { threshold: 0.8 })).groups[0]!.members).toHaveLength(4);
      await t.project.close();
      const json = await runCli('duplicates', t.path, '--json');
      expect(json.code).toBe(0);
      expect(JSON.parse(json.out).groups[0].members).toHaveLength(4);
      const text = await runCli('duplicates', t.path, '--threshold', '0.8');
      expect(text.out).toMatch(/^1 group of the same story \(similarity ≥ 0\.8\), 4 documents\./);
      expect(text.out).toContain('Kyiv Post');
      const bad = await runCli('duplicates', t.path, '--threshold', '0.3');
      expect(bad.code).toBe(2);
      expect(bad.err).toContain('--threshold must be a number from 0.5 to 1');
    } finally {
      await t.close();
    }
  });

  it('marginalia import --keep-duplicates imports the same text from another file and says so', async () => {
    const t = await openTestProject();
    const { dir, cleanup } = tempDir();
    try {
      await t.project.close();
      const a = join(dir, 'agency.txt');
      const b = join(dir, 'outlet.txt');
      writeFileSync(a, wireStories()[0]!.text);
      writeFileSync(b, wireStories()[0]!.text);
      const plain = await runCli('import', t.path, a, b);
      expect(plain.out).toContain('1 imported, 1 duplicates');
      const kept = await runCli('import', t.path, b, '--keep-duplicates');
      expect(kept.code).toBe(0);
      expect(kept.out).toContain('same text as "agency", kept as a document of its own as asked');
      expect(kept.out).toContain('1 imported, 0 duplicates');
      const groups = await runCli('duplicates', t.path, '--json');
      expect(JSON.parse(groups.out).groups[0].members).toHaveLength(2);
    } finally {
      cleanup();
      await t.close();
    }
  });
});

describe('migration 8 (near-duplicates)', () => {
  it('upgrades a version-7 project with documents, which are then indexed and grouped', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'v7.marginalia');
      const old = await projectFileAtSchema(path, 7);
      const [a, b] = wireStories();
      for (const [i, s] of [a!, b!].entries()) {
        await old.run(`INSERT INTO documents (id, name, text, text_sha256, length, imported_at, sort_order) VALUES (?, ?, ?, ?, ?, '2024-01-01', ?)`, [`d${i}`, s.headline, s.text, `h${i}`, s.text.length, i]);
      }
      await old.close();
      const db = await openProjectDb(path);
      try {
        expect((await db.read((r) => r.get<{ user_version: number }>('PRAGMA user_version')))!.user_version).toBeGreaterThanOrEqual(8);
        // Asked twice at once (the list's counts and the view's groups): signed once.
        expect(await Promise.all([indexDuplicates(db), indexDuplicates(db)])).toEqual([
          { indexed: 2, pairs: 1 },
          { indexed: 0, pairs: 0 },
        ]);
        const groups = await db.read((r) => duplicateGroups(r));
        expect(groups.groups[0]!.members.map((m) => m.id)).toEqual(['d0', 'd1']);
        // Derived rows leave with their document.
        await db.transaction((tx) => tx.run(`DELETE FROM documents WHERE id = 'd1'`));
        expect((await db.read((r) => duplicateGroups(r))).groups).toHaveLength(0);
      } finally {
        await db.close();
      }
    } finally {
      cleanup();
    }
  });
});
