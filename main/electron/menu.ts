import type { MenuItemConstructorOptions } from 'electron';
import { basename } from 'node:path';

/** What the menu shows; rebuilt whenever it changes. */
export interface MenuState {
  appName: string;
  isMac: boolean;
  /** Development build: View ▸ Toggle Developer Tools is offered. */
  dev: boolean;
  hasProject: boolean;
  /** project.historyState: what Undo and Redo would do next. */
  undo: string | null;
  redo: string | null;
  /** Focus is in a text field: Undo/Redo act on the typing, not the project. */
  editingText: boolean;
  recent: string[];
}

export interface MenuActions {
  newProject(): void;
  openProject(): void;
  openRecent(path: string): void;
  clearRecent(): void;
  /** 'any' offers files and folders in one dialog (macOS); elsewhere a dialog is one or the other. */
  importDocuments(kind: 'any' | 'files' | 'folder'): void;
  exportData(): void;
  /** File ▸ Save a Copy to Share…: a consistent single-file copy for a colleague. */
  shareCopy(): void;
  undo(): void;
  redo(): void;
  openSample(): void;
  showProjectFile(): void;
  about(): void;
}

/** Menu labels use & for mnemonics on Windows/Linux, so a literal & there must be doubled; macOS shows labels as written. */
function escapeLabel(text: string, isMac: boolean): string {
  return isMac ? text : text.replace(/&/g, '&&');
}

/** A top-level label with its Alt-key mnemonic on Windows/Linux ("&File"), plain on macOS. */
function top(label: string, isMac: boolean): string {
  return isMac ? label : `&${label}`;
}

/** Keeps the Edit menu readable when a summary is long ("Undo Rename code casualties to …"). */
function short(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function undoLabel(state: Pick<MenuState, 'undo' | 'editingText' | 'isMac'>): string {
  if (state.editingText || !state.undo) return 'Undo';
  return `Undo ${escapeLabel(short(state.undo), state.isMac)}`;
}

export function redoLabel(state: Pick<MenuState, 'redo' | 'editingText' | 'isMac'>): string {
  if (state.editingText || !state.redo) return 'Redo';
  return `Redo ${escapeLabel(short(state.redo), state.isMac)}`;
}

/** The application menu: File, Edit, View, (Window on macOS), Help. Accelerators avoid keys the memo editor uses (Ctrl+I, Ctrl+B). */
export function menuTemplate(state: MenuState, actions: MenuActions): MenuItemConstructorOptions[] {
  const recentItems: MenuItemConstructorOptions[] = state.recent.length
    ? [
        ...state.recent.map((path) => ({ label: escapeLabel(basename(path), state.isMac), sublabel: path, toolTip: path, click: () => actions.openRecent(path) })),
        { type: 'separator' as const },
        { label: 'Clear Recent', click: () => actions.clearRecent() },
      ]
    : [{ label: 'No Recent Projects', enabled: false }];

  const importItems: MenuItemConstructorOptions[] = state.isMac
    ? [{ label: 'Import Documents…', enabled: state.hasProject, click: () => actions.importDocuments('any') }]
    : [
        { label: 'Import Documents…', enabled: state.hasProject, click: () => actions.importDocuments('files') },
        { label: 'Import Folder…', enabled: state.hasProject, click: () => actions.importDocuments('folder') },
      ];

  const file: MenuItemConstructorOptions = {
    label: top('File', state.isMac),
    submenu: [
      { label: 'New Project…', accelerator: 'CmdOrCtrl+N', click: () => actions.newProject() },
      { label: 'Open Project…', accelerator: 'CmdOrCtrl+O', click: () => actions.openProject() },
      { label: 'Open Recent', submenu: recentItems },
      { type: 'separator' },
      ...importItems,
      { label: 'Export…', accelerator: 'CmdOrCtrl+Shift+E', enabled: state.hasProject, click: () => actions.exportData() },
      { label: 'Save a Copy to Share…', enabled: state.hasProject, click: () => actions.shareCopy() },
      ...(state.isMac ? [] : [{ type: 'separator' as const }, { role: 'quit' as const, label: 'Quit', accelerator: 'CmdOrCtrl+Q' }]),
    ],
  };

  const undoEnabled = state.editingText || (state.hasProject && state.undo !== null);
  const redoEnabled = state.editingText || (state.hasProject && state.redo !== null);
  const edit: MenuItemConstructorOptions = {
    label: top('Edit', state.isMac),
    submenu: [
      { label: undoLabel(state), accelerator: 'CmdOrCtrl+Z', enabled: undoEnabled, click: () => actions.undo() },
      { label: redoLabel(state), accelerator: state.isMac ? 'Shift+Cmd+Z' : 'Ctrl+Y', enabled: redoEnabled, click: () => actions.redo() },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  };

  const view: MenuItemConstructorOptions = {
    label: top('View', state.isMac),
    submenu: [
      { role: 'reload' },
      ...(state.dev ? [{ role: 'toggleDevTools' as const }] : []),
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };

  const help: MenuItemConstructorOptions = {
    role: 'help',
    label: top('Help', state.isMac),
    submenu: [
      { label: 'Open Sample Project', click: () => actions.openSample() },
      { label: 'Show Project File', enabled: state.hasProject, click: () => actions.showProjectFile() },
      ...(state.isMac ? [] : [{ type: 'separator' as const }, { label: `About ${state.appName}`, click: () => actions.about() }]),
    ],
  };

  const macApp: MenuItemConstructorOptions = {
    label: state.appName,
    submenu: [
      { role: 'about' },
      { type: 'separator' },
      { role: 'services' },
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { role: 'quit' },
    ],
  };

  return state.isMac ? [macApp, file, edit, view, { role: 'windowMenu' }, help] : [file, edit, view, help];
}
