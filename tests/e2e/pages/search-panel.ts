import { expect, type Locator, type Page } from '@playwright/test';

/** The search panel as a user sees it: the query box, its results and the autocode form. */
export class SearchPanel {
  readonly root: Locator;
  readonly box: Locator;
  readonly results: Locator;
  readonly summary: Locator;
  readonly position: Locator;
  readonly autocode: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByRole('region', { name: 'Search', exact: true });
    this.box = this.root.getByRole('searchbox', { name: 'Search in texts' });
    this.results = this.root.getByRole('list', { name: 'Search results' });
    this.summary = this.root.locator('.search-summary');
    this.position = this.root.getByRole('group', { name: 'Hits in the open document' });
    this.autocode = this.root.getByRole('group', { name: 'Code these hits' });
  }

  async search(query: string, options: { regex?: boolean } = {}): Promise<void> {
    const toggle = this.root.getByRole('checkbox', { name: 'Regular expression' });
    if (options.regex) await toggle.check();
    else await toggle.uncheck();
    await this.box.fill(query);
    await this.box.press('Enter');
  }

  /** The KWIC line of hit number `n` (from 1, over all hits). */
  hit(n: number): Locator {
    return this.results.getByRole('button', { name: new RegExp(`^Hit ${n} in `) });
  }

  choose(n: number): Locator {
    return this.results.getByRole('checkbox', { name: `Choose hit ${n} for coding` });
  }
}

/** The status bar's account of the selection in the text: "Selected 6 characters (12–18)…". */
export async function expectSelected(page: Page, start: number, end: number): Promise<void> {
  await expect(page.getByText(new RegExp(`^Selected ${end - start} characters? \\(${start}–${end}\\)`))).toBeVisible();
}
