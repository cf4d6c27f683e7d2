/** Placeholder until the feature lands: the app shell renders this when the user opens "Import documents". */
export function ImportDialog(props: { onClose: () => void }) {
  return (
    <div role="dialog" aria-modal="true" aria-label="Import documents" className="dialog">
      <p>Not available yet.</p>
      <button type="button" onClick={props.onClose}>
        Close
      </button>
    </div>
  );
}
