import type { Contract } from '../contract';
import type { HandlersOf } from './types';
import { projectHandlers } from './project';
import { documentsHandlers } from './documents';
import { codebookHandlers } from './codebook';
import { codingHandlers } from './coding';
import { importHandlers } from './import';
import { workbenchHandlers } from './workbench';
import { exchangeHandlers } from './exchange';
import { teamHandlers } from './team';
import { analysisHandlers } from './analysis';
import { wordsHandlers } from './words';
import { duplicatesHandlers } from './duplicates';
import { searchHandlers } from './search';
import { openingHandlers } from './opening';

/** The handler table: one entry per contract method; the type checker proves none is missing. */
export const handlers: HandlersOf<Contract> = {
  ...projectHandlers,
  ...openingHandlers,
  ...documentsHandlers,
  ...codebookHandlers,
  ...codingHandlers,
  ...importHandlers,
  ...workbenchHandlers,
  ...exchangeHandlers,
  ...teamHandlers,
  ...analysisHandlers,
  ...wordsHandlers,
  ...duplicatesHandlers,
  ...searchHandlers,
};
