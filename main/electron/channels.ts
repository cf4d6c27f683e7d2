/**
 * The IPC channel names between main and the preload. The sandboxed preload cannot require
 * this file, so preload/index.ts repeats them; main/electron/electron.test.ts checks the two agree.
 */
export const CHANNELS = {
  /** invoke(method, input) → ApiResult: the one data channel, a thin adapter over dispatch. */
  call: 'marginalia:call',
  /** sendSync() → string[]: the contract's method names, read once when the preload loads. */
  methods: 'marginalia:methods',
  /** main → renderer: the project changed outside the renderer (import, undo from the menu, another project). */
  changed: 'marginalia:changed',
  /** main → renderer: a menu command the renderer carries out (e.g. "export"). */
  menu: 'marginalia:menu',
  /** renderer → main: no view subscribed to a menu command, so main explains instead. */
  menuUnhandled: 'marginalia:menu-unhandled',
  /** renderer → main: whether focus is in a text field (Edit ▸ Undo then undoes typing, not the project). */
  editing: 'marginalia:editing',
} as const;

/** Menu commands main sends on CHANNELS.menu. */
export const MENU_ACTIONS = ['export', 'share'] as const;
export type MenuAction = (typeof MENU_ACTIONS)[number];

/** The privileged scheme and host the UI is served from: app://marginalia/index.html. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'marginalia';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
