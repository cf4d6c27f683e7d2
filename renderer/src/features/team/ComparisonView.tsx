/** Placeholder until the team feature lands: coders' stripes side by side for one document. */
export function ComparisonView(props: { documentId: string; onClose: () => void }) {
  return (
    <section aria-label="Compare coders" data-document={props.documentId}>
      <p>Not available yet.</p>
      <button type="button" onClick={props.onClose}>
        Close
      </button>
    </section>
  );
}
