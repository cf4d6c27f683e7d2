/** Placeholder until the import feature lands: edits one document's attributes. */
export function AttributesEditor(props: { documentId: string }) {
  return <p data-document={props.documentId}>Attributes cannot be edited yet.</p>;
}
