/** Placeholder until the feature lands: the app shell renders this when the user opens "Export". */
export function ExportDialog(props: { onClose: () => void }) {
  return (
    <div role="dialog" aria-modal="true" aria-label="Export" className="dialog">
      <p>Not available yet.</p>
      <button type="button" onClick={props.onClose}>
        Close
      </button>
    </div>
  );
}
