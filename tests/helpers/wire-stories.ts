import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';

/**
 * A wire story republished by five outlets, made from a sample article the way outlets edit
 * agency copy: one runs it as sent, one changes the headline and adds a paragraph of its own,
 * one drops the sentence saying who reported the deaths, one rewords a sentence, and one runs
 * it word for word (an exact duplicate from another source). Plus the sample's other articles,
 * which report the same events in their own words and are no duplicates.
 */
export const CORPUS = join(__dirname, '..', '..', 'corpus');

const ATTRIBUTION = 'A day earlier, a targeted attack was made on a residential building in the city of Kramatorsk — 3 people were killed, the regional military administration told Reuters.';
const ADDED = 'Kyiv Post correspondents in Kramatorsk saw rescuers still clearing the rubble of the building on Saturday evening, and residents said they had nowhere else to go.';
const REWORDED = 'Throughout January and early February, the Russian army carried out especially brutal destruction of towns in Donbas, practically wiping them off the face of the earth.';

export interface WireStory {
  headline: string;
  outlet: string;
  date: string;
  text: string;
}

function wireText(): string {
  const raw = readFileSync(join(CORPUS, '001_125327eda1e6db50.txt'), 'utf8').replace(/\r\n/g, '\n');
  const paragraphs = raw.split(/\n\n+/).slice(1);
  paragraphs[2] = paragraphs[2]!.replace('A day earlier, a targeted attack was made on a residential building in the city of Kramatorsk — 3 people were killed.', ATTRIBUTION);
  if (!paragraphs[2]!.includes(ATTRIBUTION)) throw new Error('the sample article changed: the attribution sentence could not be placed');
  return paragraphs.join('\n\n');
}

export function wireStories(): WireStory[] {
  const text = wireText();
  const headline = 'Russia shells Donbas towns with phosphorus munitions';
  const reworded = text.replace(/Throughout January and the beginning of February[^.]*\./, REWORDED);
  if (reworded === text) throw new Error('the sample article changed: no sentence to reword');
  return [
    { headline, outlet: 'Ukrinform', date: '2023-02-04', text },
    { headline: 'Putin turns Donbas into a desert, Kramatorsk mourns its dead', outlet: 'Kyiv Post', date: '2023-02-04', text: `${text}\n\n${ADDED}` },
    { headline, outlet: 'Euromaidan Press', date: '2023-02-05', text: text.replace(` ${ATTRIBUTION}`, '') },
    { headline, outlet: 'UNIAN', date: '2023-02-05', text: reworded },
    { headline, outlet: 'Ukrainska Pravda', date: '2023-02-06', text },
  ];
}

/** The sample's other articles, which are not the wire story: name and text. */
export function otherArticles(): { headline: string; text: string }[] {
  return readdirSync(CORPUS)
    .filter((f) => f.endsWith('.txt') && !f.startsWith('001_'))
    .map((f) => ({ headline: f.replace(/\.txt$/, ''), text: readFileSync(join(CORPUS, f), 'utf8') }));
}

/** One CSV of articles (headline, outlet, date, text), as a news database exports them. */
export function storiesCsv(stories: { headline: string; outlet?: string; date?: string; text: string }[]): Buffer {
  return Buffer.from(stringify([['headline', 'outlet', 'date', 'text'], ...stories.map((s) => [s.headline, s.outlet ?? '', s.date ?? '', s.text])]));
}

export const WIRE = { ATTRIBUTION, ADDED, REWORDED };
