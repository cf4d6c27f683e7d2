/**
 * A file's size as a person reads it: "950 KB", "12 MB", "1.4 GB", in decimal units (1 KB is
 * 1,000 bytes). Pure and import-free, so the renderer may take it as a value: the command
 * line's progress lines and the app's "Opening…" screen say the same size for the same file.
 */
export function fileSize(bytes: number): string {
  // The unit is chosen after rounding, so 999,600 bytes read "1 MB" rather than "1000 KB".
  if (bytes < 999_500) return `${Math.max(1, Math.round(bytes / 1e3))} KB`;
  return bytes < 999_500_000 ? `${Math.round(bytes / 1e6)} MB` : `${(bytes / 1e9).toFixed(1)} GB`;
}
