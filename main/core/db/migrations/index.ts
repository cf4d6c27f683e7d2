import type { Sqlite } from '../sqlite';
import * as m001 from './001-initial';
import * as m002 from './002-team';
import * as m003 from './003-document-order';
import * as m004 from './004-segment-codings';
import * as m005 from './005-events-undone';
import * as m006 from './006-list-indexes';
import * as m007 from './007-document-sets';
import * as m008 from './008-near-duplicates';
import * as m009 from './009-code-counts';
import * as m010 from './010-lean-storage';
import * as m011 from './011-document-counts';
import * as m012 from './012-code-counts-in-bulk';
import * as m013 from './013-segment-keys';
import * as m014 from './014-search-words';
import * as m015 from './015-lean-keys';

export interface Migration {
  version: number;
  name: string;
  /** What the step does, in a researcher's words: shown while an older project is upgraded ("step 2 of 3: Rebuilding the search index"). */
  label: string;
  up(db: Sqlite): Promise<void>;
}

/**
 * Every schema step, in order. A project at user_version N runs steps N+1.. on open.
 * Add a step as a new numbered file with its own test starting from the previous schema.
 */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', label: 'Creating the project tables', up: m001.up },
  { version: 2, name: 'team', label: 'Adding reliability rounds and consensus', up: m002.up },
  { version: 3, name: 'document-order', label: 'Indexing the order of documents', up: m003.up },
  { version: 4, name: 'segment-codings', label: 'Indexing codings for merges and imports', up: m004.up },
  { version: 5, name: 'events-undone', label: 'Indexing the undo history', up: m005.up },
  { version: 6, name: 'list-indexes', label: 'Indexing the codebook and the lists', up: m006.up },
  { version: 7, name: 'document-sets', label: 'Adding document sets', up: m007.up },
  { version: 8, name: 'near-duplicates', label: 'Adding wire-story duplicates', up: m008.up },
  { version: 9, name: 'code-counts', label: "Keeping the codebook's counts", up: m009.up },
  { version: 10, name: 'lean-storage', label: 'Making the file leaner', up: m010.up },
  { version: 11, name: 'document-counts', label: "Counting each document's segments", up: m011.up },
  { version: 12, name: 'code-counts-in-bulk', label: 'Counting segments moved in bulk', up: m012.up },
  { version: 13, name: 'segment-keys', label: 'Re-keying every coded segment', up: m013.up },
  { version: 14, name: 'search-words', label: 'Rebuilding the search index', up: m014.up },
  { version: 15, name: 'lean-keys', label: 'Storing attributes and timestamps leaner', up: m015.up },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
