/**
 * Every message a person can meet, in the situations they meet: bad files, a locked,
 * read-only, full or missing project, bad requests to the bridge, bad command lines and
 * hostile names. None may be SQLite's, Node's or a library's own wording.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { send } from '../helpers/http';
import { join, resolve } from 'node:path';
import { runCli } from '../helpers/cli';
import { openTestProject, tempDir } from '../helpers/project';
import { type Bridge } from '../../main/bridge/server';
import { dispatch } from '../../main/api/dispatch';
import { Session } from '../../main/api/session';
import { openTestBridge, type TestBridge, type TestProject } from '../helpers/bridge';

const root = resolve(__dirname, '../..');

/** Wording that is not the user's: SQLite codes, Node error codes, stack lines, JavaScript's own errors. */
const RAW: [string, RegExp][] = [
  ['an SQLite code', /SQLITE_[A-Z]+/],
  ['a Node error code', /\bE[A-Z]{3,}\b:/],
  ['a stack trace line', /^\s*at .+:\d+:\d+\)?$/m],
  ['a JavaScript error name', /\b(TypeError|RangeError|ReferenceError|SyntaxError)\b/],
  ['a property access failure', /Cannot read propert/],
  ['"undefined"', /\bundefined\b/],
  ['"[object Object]"', /\[object Object\]/],
  ['"null" on its own', /(^|[^"\w])null([^"\w]|$)/],
];

function expectUserWords(situation: string, message: string): void {
  expect(message.trim(), `${situation}: no message`).not.toBe('');
  for (const [what, pattern] of RAW) expect(message, `${situation}: ${what} in "${message}"`).not.toMatch(pattern);
}

describe('command line messages', () => {
  it('for a missing, empty or foreign project file', async () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(join(dir, 'empty.marginalia'), '');
      writeFileSync(join(dir, 'notes.txt'), 'just notes');
      const cases: [string, string[], RegExp][] = [
        ['missing project', ['docs', join(dir, 'nowhere.marginalia')], /nowhere\.marginalia: no such file/],
        ['missing folder', ['docs', join(dir, 'no', 'such', 'p.marginalia')], /no such file/],
        ['empty project', ['codes', join(dir, 'empty.marginalia')], /is empty \(0 bytes\)/],
        ['a text file as project', ['docs', join(dir, 'notes.txt')], /not a Marginalia project/],
        ['a folder as project', ['docs', dir], /is a folder/],
      ];
      for (const [situation, argv, expected] of cases) {
        const r = await runCli(...argv);
        expect(r.code, situation).toBe(1);
        expect(r.err, situation).toMatch(expected);
        expectUserWords(situation, r.err);
      }
    } finally {
      cleanup();
    }
  });

  it('for bad arguments', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const p = join(dir, 'p.marginalia');
      expect((await runCli('new', p, '--sample')).code).toBe(0);
      const cases: [string, string[]][] = [
        ['unknown command', ['frobnicate', p]],
        ['unknown option', ['docs', p, '--nope']],
        ['option without its value', ['code', p, '--doc']],
        ['a word for a number', ['code', p, '--doc', 'x', '--code', 'y', '--start', 'ten', '--end', '20']],
        ['missing options', ['code', p]],
        ['no project', ['docs']],
        ['an unknown document', ['code', p, '--doc', 'no such document', '--code', 'attribution', '--start', '0', '--end', '4']],
        ['an unknown code', ['segments', p, '--code', 'no/such/code']],
        ['a span past the end', ['text', p, 'no such document']],
        ['new over an existing file', ['new', p]],
        ['new in a missing folder', ['new', join(dir, 'missing', 'q.marginalia')]],
        ['an unknown export format', ['export', p, '--format', 'docx', '--out', join(dir, 'x.docx')]],
        ['a code name that is only spaces', ['add-code', p, '   ']],
      ];
      for (const [situation, argv] of cases) {
        const r = await runCli(...argv);
        expect(r.code, situation).toBeGreaterThan(0);
        expectUserWords(situation, r.err);
      }
    } finally {
      cleanup();
    }
  });

  it('for files that cannot be imported, and hostile names', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const p = join(dir, 'p.marginalia');
      expect((await runCli('new', p)).code).toBe(0);
      const input = join(dir, 'in');
      mkdirSync(input);
      const junk = Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 256));
      writeFileSync(join(input, 'broken.docx'), junk);
      writeFileSync(join(input, 'broken.odt'), junk);
      writeFileSync(join(input, 'broken.xlsx'), junk);
      writeFileSync(join(input, 'broken.pdf'), Buffer.concat([Buffer.from('%PDF-1.7\n'), junk]));
      writeFileSync(join(input, 'empty.txt'), '');
      writeFileSync(join(input, 'spaces.txt'), '   \n\n  ');
      writeFileSync(join(input, 'zip-pretending.docx'), Buffer.from('PK\u0003\u0004 not really a zip'));
      writeFileSync(join(input, 'bad rows.csv'), 'text,date\n"unclosed quote,2024\n');
      writeFileSync(join(input, 'evil\u001b[2J\u202Ename.rtf'), '{\\rtf1 unclosed');
      writeFileSync(join(input, 'good.txt'), 'An ordinary article.');
      const r = await runCli('import', p, input, '--json');
      const report = JSON.parse(r.out) as { outcomes: { file: string; status: string; reason?: string }[] };
      const failed = report.outcomes.filter((o) => o.status === 'failed');
      expect(failed.length).toBeGreaterThanOrEqual(6);
      for (const o of failed) expectUserWords(`import of ${o.file}`, o.reason!);
      const printed = await runCli('import', p, input);
      expectUserWords('the printed import report', printed.err + printed.out);

      // Attributes named like Object.prototype's members are ordinary attributes.
      writeFileSync(join(dir, 'attrs.csv'), 'document,constructor,toString,hasOwnProperty,valueOf\ngood,a,b,c,d\nnobody,a,b,c,d\n');
      const attrs = await runCli('attributes', p, join(dir, 'attrs.csv'));
      expect(attrs.out).toMatch(/1 documents updated \(constructor: text, toString: text, hasOwnProperty: text, valueOf: text\), 1 rows failed/);
      expectUserWords('attributes with prototype names', attrs.err + attrs.out);
    } finally {
      cleanup();
    }
  });

  it('for a project another program holds locked, an import included', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const p = join(dir, 'p.marginalia');
      expect((await runCli('new', p)).code).toBe(0);
      mkdirSync(join(dir, 'in'));
      writeFileSync(join(dir, 'in', 'a.txt'), 'An article.');
      const sqlite3 = (await import('sqlite3')).default;
      const other = new sqlite3.Database(p);
      await new Promise<void>((done, fail) => other.exec('BEGIN EXCLUSIVE; CREATE TABLE lock_holder(x);', (e) => (e ? fail(e) : done())));
      try {
        const r = await runCli('import', p, join(dir, 'in'), '--json');
        const text = r.code === 0 ? r.out : r.err + r.out;
        expect(text).toMatch(/busy/);
        expectUserWords('import into a locked project', text);
      } finally {
        await new Promise<void>((done) => other.exec('ROLLBACK', () => other.close(() => done())));
      }
    } finally {
      cleanup();
    }
  }, 30_000);

  it('for a project in a read-only folder: reading works, a change says what to do', async () => {
    if (process.getuid?.() !== 0 && process.platform !== 'linux') return void console.log('read-only folder check skipped: needs Linux');
    const { dir, cleanup } = tempDir();
    try {
      const p = join(dir, 'p.marginalia');
      expect((await runCli('new', p, '--sample')).code).toBe(0);
      chmodSync(dir, 0o555);
      // root ignores permissions, so the commands run as the unprivileged "nobody" (from dist/, as a user runs them).
      const asNobody = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
      const cli = (...argv: string[]) =>
        spawnSync(asNobody[0] ?? process.execPath, [...asNobody.slice(1), ...(asNobody.length ? [process.execPath] : []), join(root, 'bin', 'marginalia.js'), ...argv], { encoding: 'utf8' });
      try {
        const docs = cli('docs', p, '--json');
        expect(docs.status, docs.stderr).toBe(0);
        expect(JSON.parse(docs.stdout)).toHaveLength(5);
        expect(cli('codes', p).status).toBe(0);
        const change = cli('add-code', p, 'new code');
        expect(change.status).toBe(1);
        expect(change.stderr).toMatch(/read-only folder/);
        expect(change.stderr).toMatch(/Copy the project to a folder you can write to/);
        expectUserWords('a change in a read-only folder', change.stderr);
      } finally {
        chmodSync(dir, 0o755);
      }
    } finally {
      cleanup();
    }
  });

  it('for a full disk', async () => {
    const probe = spawnSync('sh', ['-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d" && rmdir "$d"']);
    if (probe.status !== 0) return void console.log(`full-disk message check skipped: mounting a small tmpfs needs root (${probe.stderr.toString().trim() || 'mount failed'})`);
    const { dir, cleanup } = tempDir();
    const disk = join(dir, 'disk');
    mkdirSync(disk);
    try {
      expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', disk]).status).toBe(0);
      const p = join(disk, 'p.marginalia');
      expect((await runCli('new', p)).code).toBe(0);
      mkdirSync(join(dir, 'in'));
      writeFileSync(join(dir, 'in', 'big.txt'), 'A sentence of an article about the siege. '.repeat(40_000));
      const r = await runCli('import', p, join(dir, 'in'), '--json');
      const text = r.err + r.out;
      expect(text).toMatch(/disk is full/);
      expectUserWords('import onto a full disk', text);
    } finally {
      spawnSync('umount', [disk]);
      cleanup();
    }
  });
});

describe('bridge and API messages', () => {
  let served: TestBridge;
  let t: TestProject;
  let bridge: Bridge;

  beforeAll(async () => {
    served = await openTestBridge({ sample: true });
    ({ t, bridge } = served);
  });
  afterAll(async () => {
    await served.close();
  });

  function post(path: string, body: string, auth = true) {
    return send(bridge.port, path, { method: 'POST', body, headers: { Host: `127.0.0.1:${bridge.port}`, ...(auth ? { Authorization: `Bearer ${bridge.token}` } : {}) } });
  }

  it('for bad requests', async () => {
    const doc = ((await t.call('documents.list', {})) as { id: string }[])[0]!.id;
    const cases: [string, string, string][] = [
      ['no token', '/api/documents.list', '{}'],
      ['unknown method', '/api/documents.frobnicate', '{}'],
      ['not JSON', '/api/documents.list', '{"a":'],
      ['a list for an object', '/api/documents.list', '[]'],
      ['null for the input', '/api/documents.rename', 'null'],
      ['missing fields', '/api/documents.rename', '{}'],
      ['wrong types', '/api/documents.rename', '{"id":5,"name":true}'],
      ['an unknown field', '/api/documents.list', '{"bogus":1}'],
      ['an id that is not one', '/api/documents.get', '{"id":"x"}'],
      ['an id of nothing', '/api/documents.get', '{"id":"00000000-0000-4000-8000-000000000000"}'],
      ['a name too long', '/api/codes.create', JSON.stringify({ name: 'x'.repeat(600) })],
      ['a span past the end', '/api/segments.create', JSON.stringify({ documentId: doc, codeId: '00000000-0000-4000-8000-000000000000', start: 0, end: 10_000_000 })],
      ['a body too large', '/api/coders.rename', JSON.stringify({ name: 'x'.repeat(200_000) })],
      ['a malformed address', '/api/%E0%A4%A', '{}'],
      ['an upload of a broken file', '/api/import.files', JSON.stringify({ files: [{ name: 'a.docx', dataBase64: Buffer.from('PK\u0003\u0004junk').toString('base64') }] })],
      ['a merge of something that is not a project', '/api/team.mergePreview', JSON.stringify({ fileName: 'x.marginalia', dataBase64: Buffer.from('not a project').toString('base64') })],
      ['a REFI-QDA file that is not one', '/api/exchange.import', JSON.stringify({ name: 'x.qdpx', dataBase64: Buffer.from('nope').toString('base64') })],
      ['attributes from a broken CSV', '/api/attributes.import', JSON.stringify({ file: { name: 'a.csv', dataBase64: Buffer.from('"unclosed\n').toString('base64') } })],
    ];
    for (const [situation, path, body] of cases) {
      const r = await post(path, body, situation !== 'no token');
      const reply = JSON.parse(r.body) as { ok: boolean; value?: { outcomes?: { reason?: string }[] }; error?: { message: string } };
      const messages = [reply.error?.message, ...(reply.value?.outcomes ?? []).map((o) => o.reason)].filter((m): m is string => typeof m === 'string');
      expect(messages.length, `${situation}: ${r.body.slice(0, 200)}`).toBeGreaterThan(0);
      for (const m of messages) expectUserWords(situation, m);
    }
  });

  it('with no project open, and for a failure nobody foresaw', async () => {
    const none = await dispatch({ session: new Session(null, 'x') }, 'documents.list', {});
    expect(none.ok).toBe(false);
    expectUserWords('no project open', (none as { error: { message: string } }).error.message);
    // A handler that breaks (here: the project closed under it) must not show JavaScript's wording.
    const broken = await openTestProject({ sample: true });
    await broken.project.close();
    const r = await broken.callRaw('documents.list', {});
    expect(r.ok).toBe(false);
    expectUserWords('a closed project', (r as { error: { message: string } }).error.message);
    await broken.close();
  });
});
