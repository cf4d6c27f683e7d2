/** What a project without documents shows where the text would be: how to bring documents in. */
export function EmptyProject({ onImport, onImportRefi }: { onImport(): void; onImportRefi(): void }) {
  return (
    <section className="empty-project" aria-labelledby="empty-project-title">
      <h2 id="empty-project-title">This project has no documents yet</h2>
      <p>
        Bring in the articles to code with <strong>File ▸ Import documents…</strong>: plain text, Word, OpenDocument, PDF, HTML, or a spreadsheet with one
        article per row. A project from ATLAS.ti, MAXQDA, NVivo or QualCoder comes in with <strong>File ▸ Import REFI-QDA…</strong>.
      </p>
      <div className="row">
        <button type="button" className="primary" onClick={onImport}>
          Import documents…
        </button>
        <button type="button" onClick={onImportRefi}>
          Import REFI-QDA…
        </button>
      </div>
    </section>
  );
}
