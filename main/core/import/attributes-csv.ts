import type { Project } from '../project/project';
import type { Tx } from '../db/project-db';
import { encodeValue, setAttributes, type AttributeValue, type VariableType } from '../documents/documents';
import { MarginaliaError } from '../errors';
import { parseDateCell, slashOrderOf } from './dates';
import { readTableInSandbox } from '../sandbox/sandbox';
import { previewTable, type Cell } from './spreadsheet';

export interface AttributesReport {
  /** Rows whose document was found and updated. */
  updated: number;
  /** Rows that changed nothing, each with its row number and why. */
  failed: { row: number; reason: string }[];
  /** The attribute columns read, with the type each has in the project. */
  attributes: { name: string; type: VariableType }[];
}

const KEY_NAMES = /^(document|name|document name|title|file)$/i;

function text(c: Cell): string {
  if (c === null) return '';
  if (c instanceof Date) return c.toISOString().slice(0, 10);
  return String(c).trim();
}

/**
 * Sets attributes of many documents from a CSV (or TSV/XLSX) keyed by document name: the
 * column named "document" (or "name"), else the first. Every other column is an attribute;
 * one that is new to the project takes the type its values look like. One undoable action;
 * a row that names no document, or has a bad value, changes nothing and is reported.
 */
export async function importAttributes(project: Project, bytes: Uint8Array, file: string, importedBy: string | null): Promise<AttributesReport> {
  const ext = file.toLowerCase().match(/\.(csv|tsv|tab|xlsx)$/)?.[1];
  const format = ext === 'xlsx' ? 'xlsx' : ext === 'tsv' || ext === 'tab' ? 'tsv' : 'csv';
  if (bytes.length === 0) throw new MarginaliaError('invalid_input', `${file}: the file is empty.`);
  const table = await readTableInSandbox(bytes, file, format);
  const keyIndex = Math.max(0, table.columns.findIndex((c) => KEY_NAMES.test(c)));
  const detected = previewTable(table, file).columns;
  const columns = table.columns.map((name, index) => ({ name, index })).filter((c) => c.index !== keyIndex);
  if (columns.length === 0) throw new MarginaliaError('invalid_input', `${file}: has only the document column "${table.columns[keyIndex]}"; add one column per attribute.`);

  return project.db.action({ kind: 'document.attributes', summary: `Set attributes from ${file}`, coderId: importedBy }, async (tx) => {
    // No prototype: a column named "__proto__" or "constructor" is an attribute like any other.
    const types: Record<string, VariableType> = Object.create(null) as Record<string, VariableType>;
    for (const c of columns) {
      const existing = await tx.get<{ type: VariableType }>(`SELECT type FROM variables WHERE name = ? COLLATE NOCASE`, [c.name]);
      types[c.name] = existing?.type ?? detected[c.index]!.detectedType;
    }
    const orders = new Map(columns.map((c) => [c.name, slashOrderOf(table.rows.map((r) => r[c.index] ?? null))]));
    const report: AttributesReport = { updated: 0, failed: [], attributes: columns.map((c) => ({ name: c.name, type: types[c.name]! })) };
    for (let i = 0; i < table.rows.length; i++) {
      const r = table.rows[i]!;
      const row = table.rowNumbers[i] ?? i + 2;
      const key = text(r[keyIndex] ?? null);
      if (!key) {
        report.failed.push({ row, reason: `row ${row}: the document column "${table.columns[keyIndex]}" is empty.` });
        continue;
      }
      const doc = await findDocument(tx, key);
      if (typeof doc === 'string') {
        report.failed.push({ row, reason: `row ${row}: ${doc}` });
        continue;
      }
      const values: Record<string, AttributeValue> = Object.create(null) as Record<string, AttributeValue>;
      let bad: string | null = null;
      for (const c of columns) {
        const cell = r[c.index] ?? null;
        // A blank cell leaves the attribute as it is: a sheet with gaps must not erase values.
        if (text(cell) === '') continue;
        let value: AttributeValue = cell instanceof Date ? text(cell) : (cell as AttributeValue);
        if (types[c.name] === 'date') value = parseDateCell(cell, orders.get(c.name)) ?? text(cell);
        try {
          encodeValue({ name: c.name, type: types[c.name]! }, value);
        } catch (err) {
          bad = `row ${row}, column "${c.name}": ${(err as Error).message.replace(/^attribute "[^"]*": /, '')}`;
          break;
        }
        values[c.name] = value;
      }
      if (bad) {
        report.failed.push({ row, reason: bad });
        continue;
      }
      await setAttributes(tx, doc.id, values, types);
      report.updated++;
    }
    return report;
  });
}

/** The document of this name (exactly, else ignoring case), or why there is not exactly one. */
async function findDocument(tx: Tx, name: string): Promise<{ id: string } | string> {
  let rows = await tx.all<{ id: string }>(`SELECT id FROM documents WHERE name = ?`, [name]);
  if (rows.length === 0) rows = await tx.all<{ id: string }>(`SELECT id FROM documents WHERE name = ? COLLATE NOCASE`, [name]);
  if (rows.length === 1) return rows[0]!;
  if (rows.length === 0) return `no document is named "${name}"; check the spelling against the document list.`;
  return `${rows.length} documents are named "${name}"; rename them apart first.`;
}
