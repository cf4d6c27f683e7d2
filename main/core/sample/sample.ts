import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { Tx } from '../db/project-db';
import { addDocument, ensureVariable, type VariableType } from '../documents/documents';
import { createCode } from '../codebook/codebook';
import { ensureCoder } from '../coders/coders';
import { Project } from '../project/project';
import { setProjectMeta } from '../project/info';

const SampleManifest = z.object({
  name: z.string(),
  description: z.string(),
  variables: z.array(z.object({ name: z.string(), type: z.enum(['text', 'number', 'date', 'boolean']) })),
  documents: z.array(z.object({ file: z.string(), name: z.string(), attributes: z.record(z.string(), z.string()) })),
});

interface StarterCode {
  name: string;
  color?: string;
  description?: string;
  shortcut?: number;
  children?: StarterCode[];
}
const StarterCode: z.ZodType<StarterCode> = z.lazy(() =>
  z.object({
    name: z.string(),
    color: z.string().optional(),
    description: z.string().optional(),
    shortcut: z.number().int().optional(),
    children: z.array(StarterCode).optional(),
  }),
);
const Codebook = z.object({ codes: z.array(StarterCode) });

/**
 * The folder holding the sample articles and starter codebook: `corpus/` at the top of the
 * checkout, or beside the app's resources when packaged (electron-builder extraResources).
 */
export function corpusDir(): string {
  const candidates = [
    process.env.MARGINALIA_CORPUS,
    resolve(__dirname, '../../../../corpus'),
    resolve(__dirname, '../../../corpus'),
    (process as { resourcesPath?: string }).resourcesPath ? join((process as { resourcesPath?: string }).resourcesPath!, 'corpus') : undefined,
  ].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(join(p, 'sample.json')));
  if (!found) throw new Error(`The sample corpus was not found (looked in ${candidates.join(', ')}).`);
  return found;
}

async function addCodes(tx: Tx, codes: StarterCode[], parentId: string | null): Promise<void> {
  for (const c of codes) {
    const id = await createCode(tx, { name: c.name, parentId, color: c.color, description: c.description, shortcut: c.shortcut ?? null });
    if (c.children) await addCodes(tx, c.children, id);
  }
}

/** Creates the sample project at `path`: the five articles with their stated attributes and the starter codebook. */
export async function createSampleProject(path: string, coderName: string, options: { name?: string } = {}): Promise<Project> {
  const dir = corpusDir();
  const manifest = SampleManifest.parse(JSON.parse(readFileSync(join(dir, 'sample.json'), 'utf8')));
  const codebook = Codebook.parse(JSON.parse(readFileSync(join(dir, 'codebook.json'), 'utf8')));
  return Project.create(path, {
    name: options.name ?? manifest.name,
    description: manifest.description,
    // Filled before the file appears under its name: a half-built sample is never left behind.
    fill: async (db) => {
      const coder = await ensureCoder(db, coderName);
      const types: Record<string, VariableType> = Object.fromEntries(manifest.variables.map((v) => [v.name, v.type]));
      await db.transaction(async (tx) => {
        await setProjectMeta(tx, 'sample', 'true');
        for (const v of manifest.variables) await ensureVariable(tx, v.name, v.type);
        for (const d of manifest.documents) {
          const text = readFileSync(join(dir, d.file), 'utf8');
          await addDocument(tx, { name: d.name, text, sourceName: d.file, sourceFormat: 'txt', sourceEncoding: 'utf-8', attributes: d.attributes, attributeTypes: types, importedBy: coder.id });
        }
        await addCodes(tx, codebook.codes, null);
      });
    },
  });
}
