import { z } from 'zod';
import { contract, type Method } from '../api/contract';

/**
 * How many bytes of request body each API method may be sent over the bridge. The bound is
 * read off the method's own input schema (every string and list in the contract has a
 * maximum), so a method added to the contract gets a cap suited to it without a table here
 * to forget. Over the cap the bridge stops reading and answers 413.
 */

const KB = 1024;
const MB = 1024 * 1024;

/** No method is capped below this: room for JSON's spacing and a few short fields. */
export const MIN_BODY = 64 * KB;
/** Methods that carry no file: long memos and lists of a million ids fit, nothing more. */
export const MAX_TEXT_BODY = 64 * MB;
/**
 * Methods that carry files (a `dataBase64` field): one part of an import as the app sends it
 * (parts of about 16 MB, so at most 16 MB plus one 150 MB file, as base64), one REFI-QDA file,
 * or a colleague's project to merge. These bodies are streamed to a temporary file.
 */
export const MAX_UPLOAD_BODY = 232 * MB;

/** A string's worst case in JSON: every character written as \uXXXX. */
const ESCAPED = 6;
/** A string with no maximum but a pattern (ids, colours, dates): generous for those. */
const PATTERNED_STRING = 256;
/** A string with no maximum and no pattern. */
const UNSIZED_STRING = 4 * KB;

type JsonSchema = {
  type?: string | string[];
  maxLength?: number;
  pattern?: string;
  maxItems?: number;
  items?: JsonSchema | JsonSchema[];
  prefixItems?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
};

/** An upper bound on the JSON size of a value of `schema` (Infinity when it has none). */
function bound(schema: JsonSchema, key = ''): number {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return Math.max(...alternatives.map((s) => bound(s, key)));
  if (schema.allOf) return Math.min(...schema.allOf.map((s) => bound(s, key)));
  if (schema.enum) return Math.max(...schema.enum.map((v) => JSON.stringify(v).length * ESCAPED));
  if (schema.const !== undefined) return JSON.stringify(schema.const).length * ESCAPED;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  let most = 0;
  for (const type of types) {
    if (type === 'string') {
      // Base64 is plain ASCII: one byte a character, never escaped.
      const perChar = key === 'dataBase64' ? 1 : ESCAPED;
      most = Math.max(most, schema.maxLength === undefined && schema.pattern ? PATTERNED_STRING : 2 + (schema.maxLength ?? UNSIZED_STRING) * perChar);
    } else if (type === 'number' || type === 'integer') most = Math.max(most, 32);
    else if (type === 'boolean' || type === 'null') most = Math.max(most, 5);
    else if (type === 'array') {
      const items = Array.isArray(schema.items) ? schema.items : schema.items ? [schema.items] : (schema.prefixItems ?? []);
      const each = Math.max(0, ...items.map((s) => bound(s, key)));
      const count = schema.maxItems ?? (schema.prefixItems ? schema.prefixItems.length : Infinity);
      most = Math.max(most, 2 + count * (each + 1));
    } else if (type === 'object') {
      const props = Object.entries(schema.properties ?? {});
      const fixed = props.reduce((sum, [k, s]) => sum + JSON.stringify(k).length * ESCAPED + 1 + bound(s, k) + 1, 2);
      const open = schema.additionalProperties !== undefined && schema.additionalProperties !== false;
      most = Math.max(most, open ? Infinity : fixed);
    } else most = Math.max(most, Infinity);
  }
  return most;
}

function carriesFiles(schema: unknown): boolean {
  return JSON.stringify(schema).includes('"dataBase64"');
}

export interface BodyLimit {
  /** Bytes of body the method may be sent. */
  bytes: number;
  /** Whether the method carries file content: its body goes to a temporary file, not memory. */
  upload: boolean;
}

function limitOf(method: Method): BodyLimit {
  const schema = z.toJSONSchema(contract[method].input as z.ZodType, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const upload = carriesFiles(schema);
  const ceiling = upload ? MAX_UPLOAD_BODY : MAX_TEXT_BODY;
  return { bytes: Math.max(MIN_BODY, Math.min(ceiling, bound(schema))), upload };
}

const cache = new Map<Method, BodyLimit>();

/** The body cap of one method, worked out once. */
export function bodyLimit(method: Method): BodyLimit {
  let limit = cache.get(method);
  if (!limit) cache.set(method, (limit = limitOf(method)));
  return limit;
}

/** "232 MB", "64 KB": a size as people read it. */
export function formatBytes(bytes: number): string {
  return bytes >= MB ? `${Math.floor(bytes / MB)} MB` : `${Math.floor(bytes / KB)} KB`;
}
