import { exchangeContract } from '../contract/exchange';
import type { HandlersOf } from './types';
import { exportToBytes, mimeOf, suggestedName, writeExport } from '../../core/exchange/export';
import { projectInfo } from '../../core/project/info';
import { exportJobsOf } from '../downloads';
import { writeTable } from '../../core/exchange/tables';
import { importExchangeBytes } from '../../core/exchange/qdpx-import';
import type { Cell } from '../../core/exchange/csv';
import { resolveCoderScope } from '../../core/exchange/filter';
import { uploadedBytes } from '../../core/files/uploads';

const cellText = (c: Cell): string => (c === null ? '' : String(c));

export const exchangeHandlers: HandlersOf<typeof exchangeContract> = {
  'exchange.preview': ({ session }, { format, filter, measure, rollup, limit }) =>
    session.project.db.read(async (r) => {
      const preview = { columns: [] as string[], rows: [] as string[][], scope: (await resolveCoderScope(r, filter)).scope.label };
      await writeTable(r, format, { filter, measure, rollup, limit: limit ?? 20 }, {
        header: (names) => void (preview.columns = [...names]),
        row: (cells) => void preview.rows.push(cells.map(cellText)),
      });
      return preview;
    }),
  'exchange.export': async ({ session }, input) => {
    const [file, scope] = await session.project.db.read(async (r) => [await exportToBytes(r, input), (await resolveCoderScope(r, input.filter)).scope.label] as const);
    const scoped = input.format !== 'qdpx' && input.format !== 'qdc';
    return { fileName: file.fileName, mime: file.mime, dataBase64: Buffer.from(file.bytes).toString('base64'), bytes: file.bytes.length, ...(scoped ? { scope } : {}) };
  },
  'exchange.exportStart': async ({ session }, input) => {
    const db = session.project.db;
    const scoped = input.format !== 'qdpx' && input.format !== 'qdc';
    // A filter the project cannot meet (an unknown coder, set or attribute) is refused now, not reported later by the job.
    const [name, scope] = await db.read(async (r) => [(await projectInfo(r)).name, scoped ? (await resolveCoderScope(r, input.filter)).scope.label : undefined] as const);
    const file = { fileName: suggestedName(name, input.format), mime: mimeOf(input.format), ...(scope !== undefined ? { scope } : {}) };
    return exportJobsOf(session).start(file, async (sink) => void (await writeExport(db, input, sink)));
  },
  'exchange.exportProgress': async ({ session }, { jobId }) => exportJobsOf(session).progress(jobId),
  'exchange.exportCancel': async ({ session }, { jobId }) => exportJobsOf(session).cancel(jobId),
  'exchange.import': async ({ session }, { name, dataBase64 }) => {
    // The importer credits the current coder only where the file names no user.
    const coderName = (await session.coder()).name;
    return importExchangeBytes(session.project.db, uploadedBytes(name, dataBase64), name, coderName);
  },
};
