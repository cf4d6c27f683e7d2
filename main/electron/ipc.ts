import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { METHODS, type ApiResult } from '../api/contract';
import { dispatch } from '../api/dispatch';
import type { Ctx } from '../api/session';
import { CHANNELS, MENU_ACTIONS, type MenuAction } from './channels';
import { isAppUrl } from './security';

export interface IpcOptions {
  ctx: Ctx;
  /** True only for the web contents of a window this app made. */
  isOurContents(wc: WebContents): boolean;
  /** After a call that changed the project (refreshes Undo/Redo labels). */
  onMutated(method: string): void;
  /** Focus entered or left a text field in the renderer. */
  onEditing(sender: WebContents, editing: boolean): void;
  /** The renderer had no subscriber for a menu command. */
  onMenuUnhandled(sender: WebContents, action: MenuAction): void;
}

/**
 * Only the top frame of our own window, showing our own app:// page, may talk to main. Any
 * other sender (a subframe, a page that somehow navigated elsewhere, another web contents)
 * is refused.
 */
export function isTrustedSender(event: IpcMainEvent | IpcMainInvokeEvent, isOurContents: (wc: WebContents) => boolean): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  if (!isAppUrl(frame.url)) return false;
  return isOurContents(event.sender);
}

const FORBIDDEN: ApiResult<never> = { ok: false, error: { code: 'forbidden', message: 'This page may not call Marginalia.' } };

/** The IPC adapter: one invoke channel over dispatch, plus the method list the preload reads at load. */
export function registerIpc(options: IpcOptions): void {
  ipcMain.on(CHANNELS.methods, (event) => {
    event.returnValue = isTrustedSender(event, options.isOurContents) ? [...METHODS] : [];
  });

  ipcMain.handle(CHANNELS.call, async (event, method: unknown, input: unknown): Promise<ApiResult<unknown>> => {
    if (!isTrustedSender(event, options.isOurContents)) return FORBIDDEN;
    if (typeof method !== 'string') return { ok: false, error: { code: 'invalid_input', message: 'method: must be a string' } };
    const result = await dispatch(options.ctx, method, input);
    if (result.ok && result.mutated) options.onMutated(method);
    return result;
  });

  ipcMain.on(CHANNELS.editing, (event, editing: unknown) => {
    if (!isTrustedSender(event, options.isOurContents)) return;
    options.onEditing(event.sender, editing === true);
  });

  ipcMain.on(CHANNELS.menuUnhandled, (event, action: unknown) => {
    if (!isTrustedSender(event, options.isOurContents)) return;
    if (typeof action === 'string' && (MENU_ACTIONS as readonly string[]).includes(action)) {
      options.onMenuUnhandled(event.sender, action as MenuAction);
    }
  });
}
