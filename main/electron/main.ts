/**
 * The desktop shell: one window showing the renderer from app://, the application menu,
 * native dialogs, and the IPC adapter over the same handler table the bridge serves. Thin on
 * purpose: every data operation is a contract method; this file only wires Electron to it.
 */
import { app, BrowserWindow, dialog, Menu, session, shell, type MessageBoxOptions, type WebContents } from 'electron';
import { mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { dispatch } from '../api/dispatch';
import { takeDownload } from '../api/downloads';
import { Session, type Ctx } from '../api/session';
import type { ImportReport } from '../core/import/import-files';
import { MarginaliaError } from '../core/errors';
import { APP_ORIGIN, CHANNELS, type MenuAction } from './channels';
import { registerIpc } from './ipc';
import { menuTemplate, type MenuActions } from './menu';
import { ProjectHost, projectFileFromArgs } from './project-host';
import { handleAppProtocol, hardenSession, hardenWebContents, registerAppScheme } from './security';
import { useWorkerProcesses } from '../core/team/agreement-process';
import { utilityWorkerProcess } from './worker-process';

const APP_NAME = 'Marginalia';
/** dist/main/electron/main.js → dist/renderer and dist/preload (inside app.asar when packaged). */
const RENDERER_DIR = join(__dirname, '..', '..', 'renderer');
const PRELOAD = join(__dirname, '..', '..', 'preload', 'index.js');
const START_URL = `${APP_ORIGIN}/index.html`;
const DEV = !app.isPackaged;

// Tests (and anyone who wants a clean profile) point userData elsewhere. This must happen
// before the single-instance lock, which lives in userData, and before anything reads it.
const userDataOverride = process.env.MARGINALIA_USER_DATA?.trim();
if (userDataOverride) {
  const dir = resolve(userDataOverride);
  mkdirSync(dir, { recursive: true });
  app.setPath('userData', dir);
}

// Before `ready`: app:// must be privileged (standard, secure) from the first request.
registerAppScheme();

const ctx: Ctx = { session: new Session(null) };
let host: ProjectHost | null = null;
let mainWindow: BrowserWindow | null = null;
let editingText = false;
let ready = false;
let pendingFile: string | null = null;
let quitting = false;
let menuSeq = 0;

function liveWindow(): BrowserWindow | null {
  return mainWindow && !mainWindow.isDestroyed() ? mainWindow : null;
}

function isOurContents(wc: WebContents): boolean {
  const win = liveWindow();
  return win !== null && wc === win.webContents;
}

function ownerOf(wc: WebContents): BrowserWindow | null {
  return BrowserWindow.fromWebContents(wc) ?? liveWindow();
}

function messageBox(options: MessageBoxOptions): Promise<{ response: number }> {
  const win = liveWindow();
  return win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options);
}

function showError(message: string, detail: string): Promise<unknown> {
  return messageBox({ type: 'error', message, detail, buttons: ['OK'] });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function updateTitle(): void {
  const win = liveWindow();
  const path = host?.currentPath;
  // While the start-up open (an upgrade, perhaps) runs, the window already names the file.
  const opening = path ? null : ctx.session.opening;
  win?.setTitle(path ? `${basename(path)} — ${APP_NAME}` : opening && opening.phase !== 'failed' ? `Opening ${opening.file} — ${APP_NAME}` : APP_NAME);
  if (win && process.platform === 'darwin') win.setRepresentedFilename(path ?? '');
}

/** Rebuilds the menu: Undo/Redo name the next action from project.historyState. */
async function refreshMenu(): Promise<void> {
  const seq = ++menuSeq;
  let history = { undo: null as string | null, redo: null as string | null };
  try {
    if (host) history = await host.history();
  } catch {
    // A project that cannot report its history still gets a menu.
  }
  if (seq !== menuSeq) return; // a newer refresh is on its way
  const template = menuTemplate(
    {
      appName: APP_NAME,
      isMac: process.platform === 'darwin',
      dev: DEV,
      hasProject: ctx.session.hasProject,
      undo: history.undo,
      redo: history.redo,
      editingText,
      recent: host?.recent ?? [],
    },
    actions,
  );
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

/** Tells the renderer the project changed behind its back (the preload reloads the page when nothing listens). */
function notifyChanged(): void {
  liveWindow()?.webContents.send(CHANNELS.changed);
}

/** Another project is open: the renderer starts afresh on it. */
function projectSwitched(): void {
  editingText = false;
  updateTitle();
  for (const path of host?.recent.slice(0, 1) ?? []) app.addRecentDocument(path);
  liveWindow()?.webContents.reload();
  void refreshMenu();
}

/** Opens a project file; when it is not one (or is broken), says why and keeps the current project. */
async function openProjectFile(path: string, readOnly = false): Promise<void> {
  if (!host) return;
  const busy = ctx.session.opening;
  if (busy && busy.phase !== 'failed') {
    await showError(`${basename(path)} was not opened.`, `${busy.file} is still being opened. Wait until it is open, then open ${basename(path)} again.`);
    return;
  }
  // An older project's upgrade takes minutes at 100,000 articles: the window shows its progress
  // (project.opening, answered from the moment host.open is called) instead of the old project
  // with no sign of work, and goes back to that project if the new one cannot be opened.
  const work = readOnly ? null : await host.pendingWork(path);
  const slow = work !== null && (work.upgrade !== null || work.compaction);
  const opening = host.open(path, { readOnly, work: work ?? undefined });
  if (slow) liveWindow()?.webContents.reload();
  try {
    await opening;
  } catch (err) {
    if (slow) liveWindow()?.webContents.reload();
    void refreshMenu(); // the recent list may have lost a missing file
    if (err instanceof MarginaliaError && err.code === 'damaged' && !readOnly) {
      // A damaged file is never written to; reading what is left, to export it, is offered.
      const { response } = await messageBox({
        type: 'error',
        message: `${basename(path)} is damaged.`,
        detail: `${err.message}\n\nThe current project stays open.`,
        buttons: ['Open Read-Only', 'Cancel'],
        defaultId: 1,
        cancelId: 1,
      });
      if (response === 0) await openProjectFile(path, true);
      return;
    }
    await showError(`${basename(path)} could not be opened.`, `${errorText(err)}\n\nThe current project stays open.`);
    return;
  }
  projectSwitched();
}

function importSummary(report: ImportReport): { message: string; detail: string } {
  const lines: string[] = [];
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  for (const o of report.outcomes) {
    if (lines.length >= 12) {
      lines.push('…');
      break;
    }
    if (o.status === 'duplicate') lines.push(`${o.file}: already in the project as "${o.duplicateOf.name}"`);
    if (o.status === 'failed') lines.push(`${o.file}: ${o.reason}`);
  }
  const parts = [`Imported ${plural(report.imported, 'document')}.`];
  if (report.duplicates) parts.push(`${plural(report.duplicates, 'duplicate')} skipped.`);
  if (report.failed) parts.push(`${plural(report.failed, 'file')} could not be imported.`);
  return { message: parts.join(' '), detail: lines.join('\n') };
}

async function importDocuments(kind: 'any' | 'files' | 'folder'): Promise<void> {
  const win = liveWindow();
  if (!host || !ctx.session.hasProject || !win) return;
  const properties: Electron.OpenDialogOptions['properties'] =
    kind === 'any' ? ['openFile', 'openDirectory', 'multiSelections'] : kind === 'files' ? ['openFile', 'multiSelections'] : ['openDirectory', 'multiSelections'];
  const result = await dialog.showOpenDialog(win, {
    title: kind === 'folder' ? 'Import Folder' : 'Import Documents',
    buttonLabel: 'Import',
    properties,
    filters: kind === 'folder' ? undefined : [
      { name: 'Text documents', extensions: ['txt', 'md', 'markdown'] },
      { name: 'All files', extensions: ['*'] },
    ],
  });
  if (result.canceled || result.filePaths.length === 0) return;
  let report: ImportReport;
  try {
    report = await host.importFiles(result.filePaths);
  } catch (err) {
    await showError('The import failed.', errorText(err));
    return;
  }
  if (report.imported > 0) notifyChanged();
  void refreshMenu();
  const summary = importSummary(report);
  await messageBox({ type: report.failed ? 'warning' : 'info', message: summary.message, detail: summary.detail, buttons: ['OK'] });
}

async function undoRedo(which: 'undo' | 'redo'): Promise<void> {
  const win = liveWindow();
  if (!win) return;
  if (editingText) {
    // Focus is in a text field: Undo means the typing there, as everywhere else.
    if (which === 'undo') win.webContents.undo();
    else win.webContents.redo();
    return;
  }
  const result = await dispatch(ctx, which === 'undo' ? 'project.undo' : 'project.redo', {});
  if (!result.ok) await showError(which === 'undo' ? 'Nothing was undone.' : 'Nothing was redone.', result.error.message);
  else notifyChanged();
  void refreshMenu();
}

const actions: MenuActions = {
  newProject: () => {
    void (async () => {
      const win = liveWindow();
      const options: Electron.SaveDialogOptions = {
        title: 'New Project',
        buttonLabel: 'Create',
        defaultPath: join(app.getPath('documents'), 'Untitled.marginalia'),
        filters: [{ name: 'Marginalia project', extensions: ['marginalia'] }],
        properties: ['createDirectory', 'showOverwriteConfirmation'],
      };
      const result = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
      if (result.canceled || !result.filePath || !host) return;
      const path = /\.marginalia$/i.test(result.filePath) ? result.filePath : `${result.filePath}.marginalia`;
      try {
        await host.create(path);
      } catch (err) {
        await showError('The project could not be created.', errorText(err));
        return;
      }
      projectSwitched();
    })();
  },
  openProject: () => {
    void (async () => {
      const win = liveWindow();
      const options: Electron.OpenDialogOptions = {
        title: 'Open Project',
        properties: ['openFile'],
        filters: [
          { name: 'Marginalia project', extensions: ['marginalia'] },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      const path = result.filePaths[0];
      if (result.canceled || !path) return;
      await openProjectFile(path);
    })();
  },
  openRecent: (path) => void openProjectFile(path),
  clearRecent: () => {
    host?.clearRecent();
    app.clearRecentDocuments();
    void refreshMenu();
  },
  importDocuments: (kind) => void importDocuments(kind),
  exportData: () => liveWindow()?.webContents.send(CHANNELS.menu, 'export' satisfies MenuAction),
  shareCopy: () => liveWindow()?.webContents.send(CHANNELS.menu, 'share' satisfies MenuAction),
  undo: () => void undoRedo('undo'),
  redo: () => void undoRedo('redo'),
  openSample: () => {
    void (async () => {
      if (!host) return;
      try {
        await host.openSample();
      } catch (err) {
        await showError('The sample project could not be opened.', errorText(err));
        return;
      }
      projectSwitched();
    })();
  },
  showProjectFile: () => {
    const path = host?.currentPath;
    if (path) shell.showItemInFolder(path);
  },
  about: () => {
    void messageBox({
      type: 'info',
      message: `${APP_NAME} ${app.getVersion()}`,
      detail: 'An offline workbench for qualitative coding of text corpora.\nProjects are single .marginalia files on your disk.',
      buttons: ['OK'],
    });
  },
};

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 800,
    minHeight: 500,
    title: APP_NAME,
    show: false,
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      devTools: DEV,
    },
  });
  mainWindow = win;
  // The window title names the project; the page's <title> must not replace it.
  win.on('page-title-updated', (event) => event.preventDefault());
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
    editingText = false;
  });
  win.webContents.on('render-process-gone', (_event, details) => {
    if (details.reason === 'clean-exit') return;
    void showError('The window stopped unexpectedly and was reloaded.', `Reason: ${details.reason}. Your project is saved.`).then(() => {
      if (!win.isDestroyed()) win.webContents.reload();
    });
  });
  updateTitle();
  void win.loadURL(START_URL);
  return win;
}

function focusWindow(): void {
  const win = liveWindow();
  if (!win) return;
  if (win.isMinimized()) win.restore();
  win.focus();
}

async function start(): Promise<void> {
  await app.whenReady();
  // Agreement runs in utility processes: the packaged app cannot fork (its runAsNode fuse is off).
  useWorkerProcesses(utilityWorkerProcess);
  handleAppProtocol(RENDERER_DIR, (token) => takeDownload(ctx.session, token));
  hardenSession(session.defaultSession, ownerOf);
  registerIpc({
    ctx,
    isOurContents,
    onMutated: () => void refreshMenu(),
    onEditing: (_sender, editing) => {
      if (editing === editingText) return;
      editingText = editing;
      void refreshMenu();
    },
    onMenuUnhandled: (_sender, action) => {
      if (action === 'export' || action === 'share') {
        void messageBox({ type: 'info', message: 'Export is not available in this window yet.', detail: 'Use "marginalia" on the command line to export, or update Marginalia.', buttons: ['OK'] });
      }
    },
  });
  app.setAboutPanelOptions({ applicationName: APP_NAME, applicationVersion: app.getVersion() });

  host = new ProjectHost(ctx, app.getPath('userData'));
  // The window first: opening a project saved by an older Marginalia upgrades it, a minute and a
  // half at 100,000 articles, and the window shows how far it is (project.opening answers from
  // this call on) rather than nothing at all. The page shows the workbench once it is open.
  const opening = host.openAtStart(pendingFile ?? projectFileFromArgs(process.argv));
  pendingFile = null;
  createWindow();
  void refreshMenu();
  const problems = await opening;
  ready = true;
  updateTitle();
  await refreshMenu();
  // A file double-clicked in the Finder while the first one was being opened.
  const waiting = pendingFile as string | null;
  pendingFile = null;
  if (waiting) void openProjectFile(waiting);
  if (problems.length > 0) {
    // The page may have shown a failure meanwhile, before the next candidate opened: it starts afresh.
    liveWindow()?.webContents.reload();
    await messageBox({
      type: 'warning',
      message: ctx.session.hasProject ? 'The last project could not be opened.' : 'No project could be opened.',
      detail: `${problems.join('\n\n')}${ctx.session.hasProject ? '' : '\n\nUse File ▸ New Project or File ▸ Open Project.'}`,
      buttons: ['OK'],
    });
  }
}

// Every web contents the app creates is locked down, from its first moment.
app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, ownerOf));

if (!app.requestSingleInstanceLock()) {
  // Another Marginalia runs with this profile: it receives our arguments ('second-instance').
  app.quit();
} else {
  app.on('second-instance', (_event, argv, workingDirectory) => {
    focusWindow();
    const file = projectFileFromArgs(argv, workingDirectory);
    if (file && ready) void openProjectFile(file);
    else if (file) pendingFile = file; // opened once the start-up open (perhaps an upgrade) is done
  });

  // macOS: a .marginalia file double-clicked in the Finder, before or after start.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (ready) void openProjectFile(path);
    else pendingFile = path;
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('activate', () => {
    if (ready && !liveWindow()) createWindow();
  });

  // Close the project file (WAL checkpoint) before the process ends.
  app.on('before-quit', (event) => {
    if (quitting || !host) return;
    event.preventDefault();
    quitting = true;
    void host
      .close()
      // The last save into the file failed (a full disk): say so before the window goes, since
      // the project file alone is then not the whole project.
      .catch((err: unknown) => dialog.showErrorBox(`${APP_NAME}: your latest changes are not in the project file`, errorText(err)))
      .finally(() => app.quit());
  });

  start().catch((err: unknown) => {
    dialog.showErrorBox(`${APP_NAME} could not start`, errorText(err));
    app.exit(1);
  });
}
