import { randomUUID } from 'node:crypto';
import { projectFileAtSchema } from './old-schema';

const T0 = '2024-01-01T00:00:00Z';

/** A project as the schema-9 app wrote it: 60 articles with an attribute, 1,200 codings by two coders. */
export async function projectAtSchema9(path: string): Promise<void> {
  const db = await projectFileAtSchema(path, 9);
  await db.exec('BEGIN');
  const coders = [randomUUID(), randomUUID()];
  const codes = [randomUUID(), randomUUID(), randomUUID()];
  const outlet = randomUUID();
  await db.run(`INSERT INTO coders (id, name, created_at) VALUES (?, 'anna', ?), (?, 'ben', ?)`, [coders[0]!, T0, coders[1]!, T0]);
  for (const [i, id] of codes.entries()) await db.run(`INSERT INTO codes (id, name, color, sort_order, created_at) VALUES (?, ?, '#d1495b', ?, ?)`, [id, `code ${i}`, i, T0]);
  await db.run(`INSERT INTO variables (id, name, type, sort_order) VALUES (?, 'outlet', 'text', 0)`, [outlet]);
  for (let i = 0; i < 60; i++) {
    const id = randomUUID();
    const text = Array.from({ length: 30 }, (_, k) => `Sentence ${k} of article ${i} about the shelling of the market in Kostiantynivka 😀.`).join(' ');
    await db.run(`INSERT INTO documents (id, name, text, text_sha256, length, imported_at, sort_order) VALUES (?, ?, ?, ?, ?, ?, ?)`, [id, `article ${i}`, text, `sha${i}`, [...text].length, T0, i + 1]);
    await db.run(`INSERT INTO document_values (document_id, variable_id, value) VALUES (?, ?, ?)`, [id, outlet, `Outlet ${i % 4}`]);
    for (let k = 0; k < 20; k++) {
      await db.run(`INSERT INTO segments (id, document_id, code_id, coder_id, start, end, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [
        randomUUID(), id, codes[k % 3]!, coders[k % 2]!, k * 50, k * 50 + 12, T0, T0,
      ]);
    }
  }
  await db.exec('COMMIT');
  await db.close();
}
