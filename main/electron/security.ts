import { app, dialog, protocol, shell, type BrowserWindow, type Session, type WebContents } from 'electron';
import { basename, join } from 'node:path';
import { serveAppRequest, type TakeDownload } from './app-protocol';
import { DOWNLOAD_PATH } from '../core/exchange/export-jobs';
import { APP_HOST, APP_ORIGIN, APP_SCHEME } from './channels';

/**
 * Must run before `app` is ready: app:// becomes a standard, secure scheme (so it has an
 * origin, fetch and a CSP like https), without bypassing the CSP.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

/** Serves the built renderer on app://marginalia/ with the CSP on every response, and exports to save under /download/. */
export function handleAppProtocol(rendererDir: string, take: TakeDownload): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const r = await serveAppRequest(rendererDir, request.url, request.method, take);
    return new Response(r.body as ConstructorParameters<typeof Response>[0], { status: r.status, headers: r.headers });
  });
}

/** True for a URL of our own UI: app://marginalia/… */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/** URLs the renderer may load at all: our UI, blobs and data it made itself, DevTools. */
function isAllowedRequest(url: string): boolean {
  if (isAppUrl(url)) return true;
  if (url.startsWith(`blob:${APP_ORIGIN}/`)) return true;
  if (url.startsWith('data:')) return true;
  if (url.startsWith('devtools://')) return true;
  return false;
}

/**
 * Links in memos or document attributes: only http(s), and only after the researcher says yes.
 * Everything else (file:, javascript:, custom schemes) is refused silently.
 */
async function offerExternal(url: string, owner: BrowserWindow | null): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return;
  const options = {
    type: 'question' as const,
    buttons: ['Open in Browser', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
    message: 'Open this link in your web browser?',
    detail: parsed.href,
  };
  const { response } = owner ? await dialog.showMessageBox(owner, options) : await dialog.showMessageBox(options);
  if (response === 0) await shell.openExternal(parsed.href);
}

/** Downloads the renderer may start: exports it made itself (blob:, data:) and exports main wrote (app://marginalia/download/<token>). */
export function isAllowedDownload(url: string): boolean {
  return url.startsWith(`blob:${APP_ORIGIN}/`) || url.startsWith('data:') || url.startsWith(`${APP_ORIGIN}${DOWNLOAD_PATH}`);
}

/**
 * The session-wide rules: no permission is granted (but sanitized clipboard writes from our
 * own UI, which "Copy" buttons need), no request leaves app://, and downloads (exports, made
 * by <a download> on a blob URL or on a file main wrote) go through a native save dialog.
 * Chromium writes the download beside the chosen name and renames it when complete, so a
 * cancelled or failed save leaves nothing under that name.
 */
export function hardenSession(ses: Session, ownerOf: (wc: WebContents) => BrowserWindow | null): void {
  ses.setPermissionRequestHandler((_wc, permission, callback, details) => {
    callback(permission === 'clipboard-sanitized-write' && isAppUrl(details.requestingUrl ?? ''));
  });
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin) => permission === 'clipboard-sanitized-write' && requestingOrigin === APP_ORIGIN);
  ses.setDevicePermissionHandler(() => false);
  ses.setDisplayMediaRequestHandler((_request, callback) => callback(null));

  ses.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isAllowedRequest(details.url) });
  });

  ses.on('will-download', (event, item, webContents) => {
    const url = item.getURL();
    if (!isAllowedDownload(url)) {
      event.preventDefault();
      return;
    }
    const name = basename(item.getFilename() || 'export');
    // With no save path set, Electron asks with this native save dialog; Cancel cancels the download.
    item.setSaveDialogOptions({
      title: 'Export',
      buttonLabel: 'Save',
      defaultPath: join(app.getPath('documents'), name),
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });
    item.once('done', (_e, state) => {
      if (state === 'interrupted') {
        const owner = ownerOf(webContents);
        const message = { type: 'error' as const, message: `The export ${name} could not be saved.` };
        void (owner ? dialog.showMessageBox(owner, message) : dialog.showMessageBox(message));
      }
    });
  });
}

/**
 * Rules for every web contents the app ever creates: no navigation away from app://, no new
 * windows (http(s) links are offered to the system browser after confirmation), no <webview>.
 */
export function hardenWebContents(contents: WebContents, ownerOf: (wc: WebContents) => BrowserWindow | null): void {
  contents.setWindowOpenHandler(({ url }) => {
    void offerExternal(url, ownerOf(contents));
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => {
    if (isAppUrl(event.url)) return;
    event.preventDefault();
    void offerExternal(event.url, ownerOf(contents));
  });
  contents.on('will-frame-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
