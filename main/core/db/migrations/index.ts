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
  up(db: Sqlite): Promise<void>;
}

/**
 * Every schema step, in order. A project at user_version N runs steps N+1.. on open.
 * Add a step as a new numbered file with its own test starting from the previous schema.
 */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', up: m001.up },
  { version: 2, name: 'team', up: m002.up },
  { version: 3, name: 'document-order', up: m003.up },
  { version: 4, name: 'segment-codings', up: m004.up },
  { version: 5, name: 'events-undone', up: m005.up },
  { version: 6, name: 'list-indexes', up: m006.up },
  { version: 7, name: 'document-sets', up: m007.up },
  { version: 8, name: 'near-duplicates', up: m008.up },
  { version: 9, name: 'code-counts', up: m009.up },
  { version: 10, name: 'lean-storage', up: m010.up },
  { version: 11, name: 'document-counts', up: m011.up },
  { version: 12, name: 'code-counts-in-bulk', up: m012.up },
  { version: 13, name: 'segment-keys', up: m013.up },
  { version: 14, name: 'search-words', up: m014.up },
  { version: 15, name: 'lean-keys', up: m015.up },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
