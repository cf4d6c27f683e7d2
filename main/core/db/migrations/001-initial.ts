import type { Sqlite } from '../sqlite';

/** Version 1: the schema of ARCHITECTURE.md §3. */
export async function up(db: Sqlite): Promise<void> {
  await db.exec(`
    CREATE TABLE project (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );

    CREATE TABLE coders (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      created_at TEXT NOT NULL
    );

    CREATE TABLE documents (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      text TEXT NOT NULL,
      text_sha256 TEXT NOT NULL,
      length INTEGER NOT NULL,
      source_name TEXT,
      source_format TEXT,
      source_encoding TEXT,
      imported_at TEXT NOT NULL,
      imported_by TEXT REFERENCES coders(id),
      sort_order INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX documents_sha256 ON documents(text_sha256);

    CREATE TABLE variables (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE COLLATE NOCASE,
      type TEXT NOT NULL CHECK (type IN ('text', 'number', 'date', 'boolean')),
      sort_order INTEGER NOT NULL DEFAULT 0
    );

    CREATE TABLE document_values (
      document_id TEXT NOT NULL REFERENCES documents(id),
      variable_id TEXT NOT NULL REFERENCES variables(id),
      value TEXT NOT NULL,
      PRIMARY KEY (document_id, variable_id)
    );

    CREATE TABLE codes (
      id TEXT PRIMARY KEY,
      parent_id TEXT REFERENCES codes(id),
      name TEXT NOT NULL CHECK (length(trim(name)) > 0),
      description TEXT NOT NULL DEFAULT '',
      color TEXT NOT NULL,
      shortcut INTEGER UNIQUE CHECK (shortcut BETWEEN 1 AND 9),
      sort_order INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX codes_sibling_name ON codes(ifnull(parent_id, ''), name COLLATE NOCASE);

    CREATE TABLE segments (
      id TEXT PRIMARY KEY,
      document_id TEXT NOT NULL REFERENCES documents(id),
      code_id TEXT NOT NULL REFERENCES codes(id),
      coder_id TEXT NOT NULL REFERENCES coders(id),
      start INTEGER NOT NULL,
      end INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      CHECK (start >= 0 AND start < end)
    );
    CREATE INDEX segments_document ON segments(document_id, start);
    CREATE INDEX segments_code ON segments(code_id);
    CREATE INDEX segments_coder ON segments(coder_id);

    CREATE TABLE memos (
      id TEXT PRIMARY KEY,
      target_kind TEXT NOT NULL CHECK (target_kind IN ('project', 'document', 'code', 'segment')),
      target_id TEXT,
      author_id TEXT REFERENCES coders(id),
      title TEXT NOT NULL DEFAULT '',
      content TEXT NOT NULL,
      text TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE INDEX memos_target ON memos(target_kind, target_id);

    CREATE VIRTUAL TABLE documents_fts USING fts5(
      name, text, content = 'documents', content_rowid = 'rowid',
      tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
      INSERT INTO documents_fts (rowid, name, text) VALUES (new.rowid, new.name, new.text);
    END;
    CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
      INSERT INTO documents_fts (documents_fts, rowid, name, text) VALUES ('delete', old.rowid, old.name, old.text);
    END;
    CREATE TRIGGER documents_fts_update AFTER UPDATE OF name, text ON documents BEGIN
      INSERT INTO documents_fts (documents_fts, rowid, name, text) VALUES ('delete', old.rowid, old.name, old.text);
      INSERT INTO documents_fts (rowid, name, text) VALUES (new.rowid, new.name, new.text);
    END;

    -- Append-only log of actions. undone: 0 done, 1 undone (redoable), 2 undone and superseded.
    CREATE TABLE events (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      action_id TEXT NOT NULL,
      at TEXT NOT NULL,
      coder_id TEXT,
      kind TEXT NOT NULL,
      summary TEXT NOT NULL,
      changes TEXT NOT NULL,
      undone INTEGER NOT NULL DEFAULT 0
    );
  `);
}
