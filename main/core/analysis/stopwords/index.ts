import { EN } from './en';
import { RU } from './ru';
import { UK } from './uk';

/** The languages that ship a stop list. */
export const STOP_LANGUAGES = ['en', 'ru', 'uk'] as const;
export type StopLanguage = (typeof STOP_LANGUAGES)[number];

const split = (list: string) => [...new Set(list.split(/\s+/).filter(Boolean))].sort();

/** The stop lists shipped with Marginalia; a project keeps its own edited copy (see words.ts). */
export const DEFAULT_STOPWORDS: Record<StopLanguage, readonly string[]> = { en: split(EN), ru: split(RU), uk: split(UK) };
