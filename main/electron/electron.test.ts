/**
 * The parts of the desktop shell that need no Electron binary: the app:// file server, the
 * settings file, the project host (first run, reopen, errors), the menu template, and the
 * preload's copy of the channel names.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serveAppRequest } from './app-protocol';
import { CHANNELS } from './channels';
import { menuTemplate, undoLabel, type MenuActions, type MenuState } from './menu';
import { ProjectHost, projectFileFromArgs, SAMPLE_FILE } from './project-host';
import { DEFAULT_SETTINGS, MAX_RECENT, readSettings, withOpened, writeSettings } from './settings';
import { Session } from '../api/session';
import { dispatch } from '../api/dispatch';
import { CONTENT_SECURITY_POLICY } from '../core/security/web';
import { Project } from '../core/project/project';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'marginalia-shell-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('app:// protocol', () => {
  let renderer: string;
  beforeEach(() => {
    renderer = join(dir, 'renderer');
    mkdirSync(join(renderer, 'assets'), { recursive: true });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>M</title>');
    writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.txt'), 'secret');
  });

  it('serves files with their type and the CSP', async () => {
    const r = await serveAppRequest(renderer, 'app://marginalia/assets/app.js', 'GET');
    expect(r.status).toBe(200);
    expect(r.headers['Content-Type']).toMatch(/^text\/javascript/);
    expect(r.headers['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(String(r.body)).toBe('console.log(1)');
  });

  it('serves index.html for / and for app routes, but 404 for missing assets', async () => {
    expect(String((await serveAppRequest(renderer, 'app://marginalia/', 'GET')).body)).toContain('<title>M</title>');
    expect(String((await serveAppRequest(renderer, 'app://marginalia/documents/123', 'GET')).body)).toContain('<title>M</title>');
    expect((await serveAppRequest(renderer, 'app://marginalia/assets/missing.js', 'GET')).status).toBe(404);
  });

  it('never leaves the renderer folder, and errors carry the CSP too', async () => {
    for (const url of [
      'app://marginalia/../secret.txt',
      'app://marginalia/%2e%2e/secret.txt',
      'app://marginalia/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      'app://marginalia/..%5csecret.txt',
      'app://marginalia/%00index.html',
    ]) {
      const r = await serveAppRequest(renderer, url, 'GET');
      expect(String(r.body), url).not.toContain('secret');
      expect(r.headers['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('answers only GET/HEAD on our own host', async () => {
    expect((await serveAppRequest(renderer, 'app://marginalia/index.html', 'POST')).status).toBe(405);
    expect((await serveAppRequest(renderer, 'app://elsewhere/index.html', 'GET')).status).toBe(404);
    const head = await serveAppRequest(renderer, 'app://marginalia/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
  });

  it('says the UI is not built when there is no index.html', async () => {
    rmSync(join(renderer, 'index.html'));
    const r = await serveAppRequest(renderer, 'app://marginalia/', 'GET');
    expect(r.status).toBe(500);
    expect(String(r.body)).toMatch(/npm run build/);
  });
});

describe('settings', () => {
  it('is a first run without a file, and defaults when the file is malformed', () => {
    const file = join(dir, 'settings.json');
    expect(readSettings(file)).toEqual({ settings: DEFAULT_SETTINGS, firstRun: true });
    writeFileSync(file, '{ not json');
    expect(readSettings(file)).toEqual({ settings: DEFAULT_SETTINGS, firstRun: false });
    writeFileSync(file, JSON.stringify({ version: 1, lastProject: 42, recent: [] }));
    expect(readSettings(file)).toEqual({ settings: DEFAULT_SETTINGS, firstRun: false });
  });

  it('round-trips, keeps the recent list short and without duplicates', () => {
    const file = join(dir, 'sub', 'settings.json');
    let s = DEFAULT_SETTINGS;
    for (let i = 0; i < MAX_RECENT + 5; i++) s = withOpened(s, join(dir, `p${i}.marginalia`));
    s = withOpened(s, join(dir, 'p3.marginalia'));
    writeSettings(file, s);
    const back = readSettings(file).settings;
    expect(back.lastProject).toBe(resolve(dir, 'p3.marginalia'));
    expect(back.recent).toHaveLength(MAX_RECENT);
    expect(back.recent[0]).toBe(resolve(dir, 'p3.marginalia'));
    expect(new Set(back.recent).size).toBe(back.recent.length);
  });
});

describe('project host', () => {
  const hosts: ProjectHost[] = [];
  afterEach(async () => {
    for (const h of hosts.splice(0)) await h.close();
  });
  const newHost = () => {
    const h = new ProjectHost({ session: new Session(null, 'tester') }, dir);
    hosts.push(h);
    return h;
  };

  it('first run builds and opens the sample; a later run reopens the last project', async () => {
    const first = newHost();
    expect(first.firstRun).toBe(true);
    expect(await first.openAtStart(null)).toEqual([]);
    expect(first.currentPath).toBe(join(dir, SAMPLE_FILE));
    const docs = await dispatch(first.ctx, 'documents.list', {});
    expect(docs.ok && (docs.value as unknown[]).length).toBe(5);

    const other = join(dir, 'Other.marginalia');
    await first.create(other);
    expect(first.currentPath).toBe(other);
    await first.close();

    const later = newHost();
    expect(later.firstRun).toBe(false);
    expect(await later.openAtStart(null)).toEqual([]);
    expect(later.currentPath).toBe(other);
    expect(later.recent.slice(0, 2)).toEqual([other, join(dir, SAMPLE_FILE)]);
  });

  it('a file that is not a project fails with Project.open’s message and keeps the current project', async () => {
    const host = newHost();
    await host.openAtStart(null);
    const notes = join(dir, 'notes.marginalia');
    writeFileSync(notes, 'just some notes');
    await expect(host.open(notes)).rejects.toThrow(/not a Marginalia project/);
    expect(host.currentPath).toBe(join(dir, SAMPLE_FILE));
    expect(readFileSync(notes, 'utf8')).toBe('just some notes');
  });

  it('falls back to the sample, and says why, when the last project is gone', async () => {
    const gone = join(dir, 'Gone.marginalia');
    await (await Project.create(gone)).close();
    writeSettings(join(dir, 'settings.json'), withOpened(DEFAULT_SETTINGS, gone));
    rmSync(gone);
    const host = newHost();
    const problems = await host.openAtStart(null);
    expect(problems.join('\n')).toMatch(/Gone\.marginalia/);
    expect(host.currentPath).toBe(join(dir, SAMPLE_FILE));
    expect(host.recent).not.toContain(gone);
  });

  it('imports files from disk and reports history for the Edit menu', async () => {
    const host = newHost();
    await host.create(join(dir, 'Empty.marginalia'));
    const src = join(dir, 'in');
    mkdirSync(src);
    writeFileSync(join(src, 'a.txt'), 'Alpha');
    writeFileSync(join(src, 'b.md'), 'Beta');
    writeFileSync(join(src, 'c.bin'), 'x');
    const report = await host.importFiles([src]);
    expect(report).toMatchObject({ imported: 2, failed: 1 });
    expect(await host.history()).toMatchObject({ redo: null });
  });

  it('finds a project file on a command line', () => {
    const p = join(dir, 'P.marginalia');
    writeFileSync(p, '');
    expect(projectFileFromArgs(['electron', '.', '--inspect=0', 'P.marginalia'], dir)).toBe(p);
    expect(projectFileFromArgs(['electron', '.', 'missing.marginalia'], dir)).toBeNull();
    expect(projectFileFromArgs(['marginalia'], dir)).toBeNull();
  });
});

describe('menu', () => {
  const noop: MenuActions = {
    newProject() {},
    openProject() {},
    openRecent() {},
    clearRecent() {},
    importDocuments() {},
    exportData() {},
    shareCopy() {},
    undo() {},
    redo() {},
    openSample() {},
    showProjectFile() {},
    about() {},
  };
  const state: MenuState = { appName: 'Marginalia', isMac: false, dev: false, hasProject: true, undo: 'Create code casualties', redo: null, editingText: false, recent: ['/p/A & B.marginalia'] };
  type Item = { label?: string; role?: string; enabled?: boolean; submenu?: Item[] };
  const labels = (items: Item[]) => items.map((i) => i.label ?? i.role);

  it('has File, Edit, View, Help with the items the researcher expects', () => {
    const t = menuTemplate(state, noop) as Item[];
    expect(labels(t)).toEqual(['&File', '&Edit', '&View', '&Help']);
    expect(labels(t[0]!.submenu!)).toEqual(expect.arrayContaining(['New Project…', 'Open Project…', 'Open Recent', 'Import Documents…', 'Export…', 'Quit']));
    expect(labels(t[0]!.submenu!.find((i) => i.label === 'Open Recent')!.submenu!)[0]).toBe('A && B.marginalia');
    const edit = t[1]!.submenu!;
    expect(edit[0]).toMatchObject({ label: 'Undo Create code casualties', enabled: true });
    expect(edit[1]).toMatchObject({ label: 'Redo', enabled: false });
    expect(labels(edit)).toEqual(expect.arrayContaining(['cut', 'copy', 'paste', 'selectAll']));
    expect(labels(t[2]!.submenu!)).not.toContain('toggleDevTools');
    expect(labels((menuTemplate({ ...state, dev: true }, noop) as Item[])[2]!.submenu!)).toContain('toggleDevTools');
  });

  it('Undo means typing while a text field has focus', () => {
    expect(undoLabel({ ...state, editingText: true })).toBe('Undo');
    const edit = (menuTemplate({ ...state, editingText: true, undo: null }, noop) as Item[])[1]!.submenu!;
    expect(edit[0]).toMatchObject({ label: 'Undo', enabled: true });
  });

  it('puts the app menu first on macOS', () => {
    const t = menuTemplate({ ...state, isMac: true }, noop) as Item[];
    expect(labels(t)).toEqual(['Marginalia', 'File', 'Edit', 'View', 'windowMenu', 'Help']);
  });
});

describe('preload', () => {
  const preload = readFileSync(resolve(__dirname, '../../preload/index.ts'), 'utf8');

  it('uses the same channel names as main', () => {
    for (const channel of Object.values(CHANNELS)) expect(preload).toContain(`'${channel}'`);
  });

  it('exposes window.marginalia and never ipcRenderer itself', () => {
    const exposed = [...preload.matchAll(/exposeInMainWorld\(\s*'([^']+)'\s*,\s*(\w+)\s*\)/g)];
    expect(exposed.map((m) => m[1])).toEqual(['marginalia']);
    expect(exposed[0]![2]).toBe('api');
    expect(preload).not.toMatch(/api\.\w+\s*=\s*ipcRenderer\b/);
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
  });
});
