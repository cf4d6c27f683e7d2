import { openTestProject } from './project';

/**
 * A project of `documents` short articles (`text(d)`) with one code, "theme", that ana applied
 * over `ana` in the first four and ben over `ben` in the third to the sixth: two coders who agree
 * on some documents and not on others, for agreement's tests. The session is left as ana.
 */
export async function codedByTwo(documents: number, text: (d: number) => string, ana: [number, number], ben: [number, number]) {
  const t = await openTestProject({ coder: 'ana' });
  await t.call('import.files', { files: Array.from({ length: documents }, (_, d) => ({ name: `d${d}.txt`, dataBase64: Buffer.from(text(d)).toString('base64') })) });
  const docs = await t.call('documents.list', {});
  const code = await t.call('codes.create', { name: 'theme' });
  const first = await t.call('coders.current', {});
  for (const d of docs.slice(0, 4)) await t.call('segments.create', { documentId: d.id, codeId: code.id, start: ana[0], end: ana[1] });
  const second = await t.call('coders.setCurrent', { name: 'ben' });
  for (const d of docs.slice(2, 6)) await t.call('segments.create', { documentId: d.id, codeId: code.id, start: ben[0], end: ben[1] });
  await t.call('coders.setCurrent', { name: 'ana' });
  return { t, coderIds: [first.id, second.id] };
}
