/**
 * The preload: puts `window.marginalia` in the page, with exactly one function per contract
 * method (each a call over IPC, answered by dispatch in main) plus two subscriptions,
 * `onChanged` and `onMenu`. Nothing else crosses: no ipcRenderer, no Node.
 *
 * It runs sandboxed, so it can require only 'electron': the method names come from main at
 * load (sendSync), and the channel names are repeated here (a unit test checks they match
 * main/electron/channels.ts).
 */
import { contextBridge, ipcRenderer } from 'electron';

const CALL = 'marginalia:call';
const METHODS = 'marginalia:methods';
const CHANGED = 'marginalia:changed';
const MENU = 'marginalia:menu';
const MENU_UNHANDLED = 'marginalia:menu-unhandled';
const EDITING = 'marginalia:editing';

/** The little of the DOM this file touches (main/ and preload/ compile without the DOM lib). */
interface PageGlobals {
  addEventListener(type: 'focusin' | 'focusout', listener: () => void, capture?: boolean): void;
  location: { reload(): void };
  document: { activeElement: { tagName?: string; isContentEditable?: boolean; readOnly?: boolean; type?: string } | null };
}
const page = globalThis as unknown as PageGlobals;

const changedListeners = new Set<() => void>();
const menuListeners = new Set<(action: string) => void>();

ipcRenderer.on(CHANGED, () => {
  // A renderer that does not listen still shows the change: it starts afresh.
  if (changedListeners.size === 0) {
    page.location.reload();
    return;
  }
  for (const cb of [...changedListeners]) {
    try {
      cb();
    } catch (err) {
      console.error('marginalia onChanged listener failed', err);
    }
  }
});

ipcRenderer.on(MENU, (_event, action: unknown) => {
  if (typeof action !== 'string') return;
  if (menuListeners.size === 0) {
    ipcRenderer.send(MENU_UNHANDLED, action);
    return;
  }
  for (const cb of [...menuListeners]) {
    try {
      cb(action);
    } catch (err) {
      console.error('marginalia onMenu listener failed', err);
    }
  }
});

/** Tells main whether focus is in a text field, so Edit ▸ Undo undoes typing there rather than the project. */
const TEXT_INPUT_TYPES = new Set(['text', 'search', 'url', 'email', 'tel', 'password', 'number', '']);
function focusInText(): boolean {
  const el = page.document.activeElement;
  if (!el) return false;
  if (el.isContentEditable) return true;
  const tag = (el.tagName ?? '').toUpperCase();
  if (tag === 'TEXTAREA') return !el.readOnly;
  if (tag === 'INPUT') return !el.readOnly && TEXT_INPUT_TYPES.has((el.type ?? '').toLowerCase());
  return false;
}
let lastEditing = false;
function reportFocus(): void {
  const editing = focusInText();
  if (editing === lastEditing) return;
  lastEditing = editing;
  ipcRenderer.send(EDITING, editing);
}
page.addEventListener('focusin', reportFocus, true);
// On focusout activeElement is still the old element; look once focus has settled.
page.addEventListener('focusout', () => void Promise.resolve().then(reportFocus), true);

const names: unknown = ipcRenderer.sendSync(METHODS);
const api: Record<string, unknown> = {};
if (Array.isArray(names)) {
  for (const name of names) {
    if (typeof name !== 'string' || name === 'onChanged' || name === 'onMenu') continue;
    api[name] = (input?: unknown) => ipcRenderer.invoke(CALL, name, input ?? {});
  }
}

/** Calls `cb` after main changed the project (import, undo from the menu). Returns an unsubscribe function. */
api.onChanged = (cb: unknown) => {
  if (typeof cb !== 'function') throw new TypeError('onChanged needs a function');
  const listener = () => (cb as () => void)();
  changedListeners.add(listener);
  return () => void changedListeners.delete(listener);
};

/** Calls `cb(action)` for menu commands the renderer carries out ("export"). Returns an unsubscribe function. */
api.onMenu = (cb: unknown) => {
  if (typeof cb !== 'function') throw new TypeError('onMenu needs a function');
  const listener = (action: string) => (cb as (action: string) => void)(action);
  menuListeners.add(listener);
  return () => void menuListeners.delete(listener);
};

contextBridge.exposeInMainWorld('marginalia', api);
