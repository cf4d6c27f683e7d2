import { wordFrequencies, wordFrequenciesCsv } from '../../core/analysis/words';
import { duplicateGroups, indexDuplicates, DEFAULT_THRESHOLD, MIN_THRESHOLD } from '../../core/analysis/duplicates';
import { JSON_OPT, READ_ONLY_OPT, UsageError, int, str, table, withProject, type Command, type ParsedArgs } from '../command';

/** --where attribute=value */
function whereOf(args: ParsedArgs): { attribute: string; value: string } | undefined {
  const w = str(args, 'where');
  if (w === undefined) return undefined;
  const eq = w.indexOf('=');
  if (eq <= 0) throw new UsageError(`--where "${w}" must be ATTRIBUTE=VALUE, e.g. --where outlet=RT`);
  return { attribute: w.slice(0, eq).trim(), value: w.slice(eq + 1).trim() };
}

export const wordsCommand: Command = {
  name: 'words',
  usage: 'marginalia words PROJECT [--n 1|2|3] [--set SET] [--where ATTRIBUTE=VALUE] [--top N] [--all-words] [--csv|--json]',
  summary:
    "Word frequencies: the most frequent words (--n 1, the default) or phrases of 2 or 3 words, with counts and the number of documents, over all documents, a document set (--set, by name) or those with one attribute value. The project's stop lists (English, Russian, Ukrainian) are left out unless --all-words. Counts word forms: no lemmatiser is available.",
  options: { n: { type: 'string' }, set: { type: 'string' }, where: { type: 'string' }, top: { type: 'string' }, 'all-words': { type: 'boolean' }, csv: { type: 'boolean' }, ...READ_ONLY_OPT, ...JSON_OPT },
  async run(args, io) {
    const nRaw = str(args, 'n') ?? '1';
    if (!['1', '2', '3'].includes(nRaw)) throw new UsageError(`--n must be 1, 2 or 3, got "${nRaw}"`);
    if (args.values.csv && args.values.json) throw new UsageError('choose --csv or --json, not both');
    const top = int(args, 'top') ?? 50;
    if (top < 1) throw new UsageError('--top must be at least 1');
    const where = whereOf(args);
    return withProject(args, async (session) => {
      const result = await wordFrequencies(session.project.db, { n: Number(nRaw) as 1 | 2 | 3, top, stopwords: !args.values['all-words'], where, set: str(args, 'set') });
      if (args.values.json) io.out(JSON.stringify(result));
      else if (args.values.csv) for (const line of wordFrequenciesCsv(result).split('\r\n').slice(0, -1)) io.out(line);
      else {
        io.out(
          `${result.documents} document${result.documents === 1 ? '' : 's'}, ${result.tokens} words${str(args, 'set') ? ` in set ${str(args, 'set')}` : ''}${where ? ` (${where.attribute} = ${where.value})` : ''}; ${result.stopwordsApplied ? 'stop words left out' : 'all words'}; lemmas: not available.`,
        );
        table(io, result.words.map((w) => ({ [result.n === 1 ? 'word' : 'phrase']: w.term, count: w.count, documents: w.documents })), [result.n === 1 ? 'word' : 'phrase', 'count', 'documents']);
        if (result.undercountAtMost) io.out(`Rare phrases were dropped to fit in memory: a count may be low by up to ${result.undercountAtMost}.`);
      }
      return 0;
    });
  },
};

export const duplicatesCommand: Command = {
  name: 'duplicates',
  usage: 'marginalia duplicates PROJECT [--threshold 0.8] [--json]',
  summary: `Groups of documents that tell the same (wire) story: texts whose 5-word shingles overlap by at least the threshold (estimated Jaccard similarity, MinHash; ${MIN_THRESHOLD} to 1, default ${DEFAULT_THRESHOLD}). Each stays a document of its own.`,
  options: { threshold: { type: 'string' }, ...READ_ONLY_OPT, ...JSON_OPT },
  async run(args, io) {
    const raw = str(args, 'threshold');
    const threshold = raw === undefined ? DEFAULT_THRESHOLD : Number(raw);
    if (raw !== undefined && (!/^\d*\.?\d+$/.test(raw) || threshold < MIN_THRESHOLD || threshold > 1)) {
      throw new UsageError(`--threshold must be a number from ${MIN_THRESHOLD} to 1, got "${raw}"`);
    }
    return withProject(args, async (session) => {
      if (!session.project.db.readOnly) await indexDuplicates(session.project.db);
      const result = await session.project.db.read((r) => duplicateGroups(r, threshold));
      if (args.values.json) {
        io.out(JSON.stringify(result));
        return 0;
      }
      io.out(`${result.groups.length} group${result.groups.length === 1 ? '' : 's'} of the same story (similarity ≥ ${threshold}), ${result.documents} documents.`);
      result.groups.forEach((g, i) => {
        io.out(`\nGroup ${i + 1}: ${g.members.length} documents`);
        table(
          io,
          g.members.map((m) => ({
            document: m.name,
            similarity: m.similarity === null ? '' : m.similarity.toFixed(2),
            note: m.id === g.firstId ? 'first' : m.identicalTo ? 'identical text' : '',
            attributes: Object.entries(m.attributes).map(([k, v]) => `${k}: ${String(v)}`).join('; '),
          })),
          ['document', 'similarity', 'note', 'attributes'],
        );
      });
      return 0;
    });
  },
};

export const WORDS_COMMANDS: Command[] = [wordsCommand, duplicatesCommand];
