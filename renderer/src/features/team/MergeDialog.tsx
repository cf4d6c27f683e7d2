/** Placeholder until the feature lands: the app shell renders this when the user opens "Merge a colleague's project". */
export function MergeDialog(props: { onClose: () => void }) {
  return (
    <div role="dialog" aria-modal="true" aria-label="Merge a colleague's project" className="dialog">
      <p>Not available yet.</p>
      <button type="button" onClick={props.onClose}>
        Close
      </button>
    </div>
  );
}
