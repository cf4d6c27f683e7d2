import { dispatch } from '../../api/dispatch';
import { Session, defaultCoderName } from '../../api/session';
import { Project } from '../../core/project/project';
import { createSampleProject } from '../../core/sample/sample';
import { listDocuments, getDocumentText, resolveDocument } from '../../core/documents/documents';
import { createCode, listCodes, resolveCode } from '../../core/codebook/codebook';
import { createSegment, listSegments, spanProblem } from '../../core/coding/segments';
import { resolveCoder } from '../../core/coders/coders';
import { MarginaliaError } from '../../core/errors';
import {
  CODER_OPT,
  JSON_OPT,
  READ_ONLY_OPT,
  UsageError,
  int,
  list,
  projectArg,
  requireStr,
  str,
  safeName,
  table,
  withProject,
  type Command,
} from '../command';

export const newCommand: Command = {
  name: 'new',
  usage: 'marginalia new PROJECT [--sample] [--name TEXT] [--coder NAME]',
  summary: 'Create a project file (with --sample: the sample articles and starter codebook).',
  options: { sample: { type: 'boolean' }, name: { type: 'string' }, ...CODER_OPT, ...JSON_OPT },
  async run(args, io) {
    const path = projectArg(args);
    const name = str(args, 'name');
    const project = args.values.sample
      ? await createSampleProject(path, str(args, 'coder') ?? defaultCoderName(), { name })
      : await Project.create(path, { name });
    const session = new Session(project, str(args, 'coder') ?? defaultCoderName());
    const info = await dispatch({ session }, 'project.info', {});
    await project.close();
    if (!info.ok) throw new MarginaliaError('internal', info.error.message);
    if (args.values.json) io.out(JSON.stringify(info.value, null, 2));
    else io.out(`Created ${path}${args.values.sample ? ' with the sample articles and starter codebook' : ''}.`);
    return 0;
  },
};

export const docsCommand: Command = {
  name: 'docs',
  usage: 'marginalia docs PROJECT [--read-only] [--json]',
  summary: 'List documents: id, name, length in code points, sha256, attributes.',
  options: { ...READ_ONLY_OPT, ...JSON_OPT },
  run: (args, io) =>
    withProject(args, async (session) => {
      const docs = await session.project.db.read(listDocuments);
      const rows = docs.map((d) => ({ id: d.id, name: d.name, length: d.length, sha256: d.text_sha256, segments: d.segment_count, attributes: d.attributes }));
      if (args.values.json) io.out(JSON.stringify(rows, null, 2));
      else table(io, rows, ['id', 'name', 'length', 'sha256', 'segments', 'attributes']);
      return 0;
    }),
};

export const textCommand: Command = {
  name: 'text',
  usage: 'marginalia text PROJECT DOC [--read-only]',
  summary: 'Print the stored text of a document (DOC: id or unique name).',
  options: { ...READ_ONLY_OPT },
  run: (args, io) =>
    withProject(args, async (session) => {
      const doc = args.positionals[1];
      if (!doc) throw new UsageError('DOC is required');
      const d = await session.project.db.read((r) => getDocumentText(r, doc));
      process.stdout.write(d.text.endsWith('\n') ? d.text : d.text + '\n');
      void io;
      return 0;
    }),
};

export const codesCommand: Command = {
  name: 'codes',
  usage: 'marginalia codes PROJECT [--read-only] [--json]',
  summary: 'The codebook: id, path, color, description, segment count.',
  options: { ...READ_ONLY_OPT, ...JSON_OPT },
  run: (args, io) =>
    withProject(args, async (session) => {
      const codes = await session.project.db.read((r) => listCodes(r));
      const rows = codes.map((c) => ({
        id: c.id,
        path: c.path,
        color: c.color,
        shortcut: c.shortcut,
        description: c.description,
        segments: c.segment_count,
        documents: c.document_count,
      }));
      if (args.values.json) io.out(JSON.stringify(rows, null, 2));
      else table(io, rows, ['id', 'path', 'color', 'shortcut', 'segments', 'documents', 'description']);
      return 0;
    }),
};

export const addCodeCommand: Command = {
  name: 'add-code',
  usage: 'marginalia add-code PROJECT PATH [--color #RRGGBB] [--description TEXT] [--shortcut 1-9]',
  summary: 'Add a code; PATH like "attribution/false flag" creates missing parents.',
  options: { color: { type: 'string' }, description: { type: 'string' }, shortcut: { type: 'string' }, ...CODER_OPT, ...JSON_OPT },
  run: (args, io) =>
    withProject(args, async (session) => {
      const path = args.positionals[1];
      if (!path) throw new UsageError('PATH is required');
      const parts = path.split('/').map((p) => p.trim()).filter(Boolean);
      if (parts.length === 0) throw new UsageError('PATH must name a code');
      const coder = await session.coder();
      const shortcut = int(args, 'shortcut');
      const id = await session.project.db.action({ kind: 'code.create', summary: `Create code ${parts.join('/')}`, coderId: coder.id }, async (tx) => {
        let parentId: string | null = null;
        for (let i = 0; i < parts.length - 1; i++) {
          const existing: { id: string } | undefined = await tx.get<{ id: string }>(
            `SELECT id FROM codes WHERE ifnull(parent_id, '') = ifnull(?, '') AND name = ? COLLATE NOCASE`,
            [parentId, parts[i]!],
          );
          parentId = existing ? existing.id : await createCode(tx, { name: parts[i]!, parentId });
        }
        return createCode(tx, {
          name: parts[parts.length - 1]!,
          parentId,
          color: str(args, 'color'),
          description: str(args, 'description'),
          shortcut: shortcut ?? null,
        });
      });
      if (args.values.json) io.out(JSON.stringify({ id, path: parts.join('/') }));
      else io.out(`Added code ${safeName(parts.join('/'))} (${id}).`);
      return 0;
    }),
};

export const codeCommand: Command = {
  name: 'code',
  usage: 'marginalia code PROJECT --doc DOC --start N --end N --code PATH [--coder NAME] [--memo TEXT]',
  summary: 'Code [start, end) of a document (code points, half-open) with a code.',
  options: { doc: { type: 'string' }, start: { type: 'string' }, end: { type: 'string' }, code: { type: 'string' }, memo: { type: 'string' }, ...CODER_OPT, ...JSON_OPT },
  run: (args, io) => {
    // Usage is checked before the project is opened, so a typo never reads as a file error.
    const start = int(args, 'start');
    const end = int(args, 'end');
    if (start === undefined || end === undefined) throw new UsageError('--start and --end are required');
    const docRef = requireStr(args, 'doc');
    const codeRef = requireStr(args, 'code');
    return withProject(args, async (session) => {
      const [doc, code] = await session.project.db.read(async (r) => [await resolveDocument(r, docRef), await resolveCode(r, codeRef)] as const);
      // Checked before the coder is looked up: a refused coding must not leave a new coder behind.
      const problem = spanProblem(doc, start, end);
      if (problem) throw problem;
      const coder = await session.coder();
      const id = await session.project.db.action({ kind: 'segment.create', summary: `Code ${code.path} in ${doc.name}`, coderId: coder.id }, (tx) =>
        createSegment(tx, { documentId: doc.id, codeId: code.id, coderId: coder.id, start, end, memo: str(args, 'memo') }),
      );
      const [seg] = await session.project.db.read((r) => listSegments(r, { ids: [id] }));
      if (args.values.json) io.out(JSON.stringify(seg, null, 2));
      else io.out(`Coded "${safeName((seg?.text ?? '').replace(/\s+/g, ' '))}" in ${safeName(doc.name)} with ${safeName(code.path)} (${id}).`);
      return 0;
    });
  },
};

export const segmentsCommand: Command = {
  name: 'segments',
  usage: 'marginalia segments PROJECT [--doc DOC] [--code PATH] [--subcodes] [--coder NAME] [--read-only] [--json]',
  summary: 'List coded segments: id, document, code path, coder, start, end, text, memo, created_at.',
  options: { ...READ_ONLY_OPT, doc: { type: 'string' }, code: { type: 'string' }, subcodes: { type: 'boolean' }, coder: { type: 'string', multiple: true }, ...JSON_OPT },
  run: (args, io) =>
    withProject(args, async (session) => {
      const db = session.project.db;
      const rows = await db.read(async (r) => {
        const docRef = str(args, 'doc');
        const codeRef = str(args, 'code');
        const doc = docRef ? await resolveDocument(r, docRef) : undefined;
        const code = codeRef ? await resolveCode(r, codeRef) : undefined;
        const coderIds = [];
        for (const name of list(args, 'coder')) coderIds.push((await resolveCoder(r, name)).id);
        const segs = await listSegments(r, { documentId: doc?.id, codeId: code?.id, includeSubcodes: !!args.values.subcodes, coderIds });
        const paths = new Map((await listCodes(r)).map((c) => [c.id, c.path]));
        return segs.map((s) => ({
          id: s.id,
          document: s.document_name,
          document_id: s.document_id,
          code: paths.get(s.code_id) ?? s.code_name,
          code_id: s.code_id,
          coder: s.coder_name,
          start: s.start,
          end: s.end,
          text: s.text,
          memo: s.memo,
          created_at: s.created_at,
        }));
      });
      if (args.values.json) io.out(JSON.stringify(rows, null, 2));
      else table(io, rows, ['id', 'document', 'code', 'coder', 'start', 'end', 'text', 'memo', 'created_at']);
      return 0;
    }),
};

export const BASIC_COMMANDS: Command[] = [newCommand, docsCommand, textCommand, codesCommand, addCodeCommand, codeCommand, segmentsCommand];

export { projectArg };
