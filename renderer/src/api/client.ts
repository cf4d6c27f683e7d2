import type { Input, Method, Output, ApiResult } from '../../../main/api/contract';

/** An error the API returned: `code` is stable, `message` is for the person. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** What the Electron preload puts on window: one function per contract method. */
type PreloadApi = Record<string, (input: unknown) => Promise<ApiResult<unknown>>>;

declare global {
  interface Window {
    marginalia?: PreloadApi;
  }
}

const TOKEN_KEY = 'marginalia.bridgeToken';

/**
 * The bridge token arrives in the URL fragment (#token=…) when `marginalia serve` opens the
 * page; it is kept for this tab only and removed from the address bar.
 */
function bridgeToken(): string | null {
  const m = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, m[1]!);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return m[1]!;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

type Transport = (method: string, input: unknown) => Promise<ApiResult<unknown>>;

/** Chooses the transport at run time: the preload's IPC in Electron, the loopback bridge in a browser. */
function chooseTransport(): Transport {
  const preload = window.marginalia;
  if (preload) {
    return (method, input) => {
      const fn = preload[method];
      if (!fn) return Promise.resolve({ ok: false, error: { code: 'invalid_input', message: `Unknown method "${method}".` } });
      return fn(input);
    };
  }
  const token = bridgeToken();
  return async (method, input) => {
    const res = await fetch(`/api/${encodeURIComponent(method)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(input ?? {}),
    });
    try {
      return (await res.json()) as ApiResult<unknown>;
    } catch {
      return { ok: false, error: { code: 'io', message: `The bridge answered ${res.status} ${res.statusText}.` } };
    }
  };
}

let transport: Transport | null = null;
/**
 * Hears of every change: what made it, and for a method this page called, its answer and its
 * input (a segment write asked with `counts` answers with the counts it moved, which the views
 * apply instead of reloading).
 */
export type ChangeListener = (source: ChangeSource, answer?: unknown, input?: unknown) => void;
const listeners = new Set<ChangeListener>();

/**
 * Requests that go first (`call(…, { first: true })`) and are not answered yet; the others
 * wait for them. A change sets off a dozen reloads at once; the project answers one request at
 * a time, and the page and the project share two cores, so the stripes and counts the coder
 * looks at next are answered alone, and the lists behind them follow.
 */
let firstInFlight = 0;
let waiting: Array<() => void> = [];
/** A request that goes first holds the others back this long at most (a slow or hung one must not stop the page). */
const FIRST_AT_MOST_MS = 1000;

function letOthersGo(): void {
  const go = waiting;
  waiting = [];
  for (const f of go) f();
}

/**
 * Calls one contract method. Resolves with its value or rejects with an ApiError. After a
 * method that changes the project, every `onChange` listener hears of it. `first`: what the
 * screen must show next; calls made while one is on its way are sent once it is answered.
 */
export async function call<M extends Method>(method: M, input: Input<M>, options?: { first?: boolean }): Promise<Output<M>> {
  transport ??= chooseTransport();
  let holding = !!options?.first;
  if (holding) firstInFlight++;
  else if (firstInFlight > 0) await new Promise<void>((go) => waiting.push(go));
  const release = () => {
    if (!holding) return;
    holding = false;
    if (--firstInFlight === 0) letOthersGo();
  };
  const cap = holding ? setTimeout(release, FIRST_AT_MOST_MS) : null;
  try {
    const result = await transport(method, input);
    if (!result.ok) throw new ApiError(result.error.code, result.error.message);
    if (result.mutated) {
      const source = changeSource(method, result.value);
      for (const l of listeners) l(source, result.value, input);
    }
    return result.value as Output<M>;
  } finally {
    if (cap) clearTimeout(cap);
    release();
  }
}

/**
 * What changed the project: a method this renderer called; `history:` and the kind of the
 * action an undo or redo stepped over ("history:segment.delete"), which says what it touched;
 * or 'host' for a change made outside the page (the desktop menu's Import or Undo).
 */
export type ChangeSource = Method | `history:${string}` | 'host';

function changeSource(method: Method, value: unknown): ChangeSource {
  if (method !== 'project.undo' && method !== 'project.redo') return method;
  const kind = (value as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' ? `history:${kind}` : method;
}

/** The desktop shell's events, where the preload offers them (Electron only). */
interface HostEvents {
  onChanged?: (cb: () => void) => void;
  onMenu?: (cb: (action: string) => void) => () => void;
}
const host = (): HostEvents | undefined => window.marginalia as HostEvents | undefined;

let hostHooked = false;

/** Subscribes to project changes (for views to refresh); returns the unsubscribe function. */
export function onChange(listener: ChangeListener): () => void {
  if (!hostHooked) {
    hostHooked = true;
    host()?.onChanged?.(() => {
      for (const l of listeners) l('host');
    });
  }
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Runs `handler` for menu commands the desktop shell hands to the page (e.g. "export"). */
export function onHostMenu(handler: (action: string) => void): () => void {
  return host()?.onMenu?.(handler) ?? (() => undefined);
}

/** Reads a File (from <input type=file> or a drop) as base64 for upload methods. */
export async function fileToBase64(file: Blob): Promise<string> {
  const buf = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < buf.length; i += chunk) binary += String.fromCharCode(...buf.subarray(i, i + chunk));
  return btoa(binary);
}

function clickDownload(href: string, fileName: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/** Saves bytes the API returned (base64) as a download: works in Electron and in a browser. For small files only. */
export function downloadBase64(fileName: string, mime: string, dataBase64: string): void {
  const bin = atob(dataBase64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type: mime }));
  clickDownload(url, fileName);
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Saves a file main wrote (an export job's one-time download address, "/download/<token>") as a
 * download: the browser or Electron streams it to disk, so its bytes never pass through this page.
 * The address is on the page's own origin in both hosts (the bridge, app://marginalia).
 */
export function downloadFrom(address: string, fileName: string): void {
  if (!address.startsWith('/download/')) throw new ApiError('invalid_input', `Not a download address: ${address}`);
  clickDownload(address, fileName);
}
