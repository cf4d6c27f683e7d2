import { expect, type Locator, type Page } from '@playwright/test';

/** The coding workbench as a user sees it: its regions, lists and controls by role and name. */
export class Workbench {
  readonly documents: Locator;
  readonly document: Locator;
  readonly text: Locator;
  readonly codes: Locator;
  readonly stripes: Locator;
  readonly segmentPanel: Locator;
  readonly codePanel: Locator;

  constructor(readonly page: Page) {
    this.documents = page.getByRole('listbox', { name: 'Documents', exact: true });
    this.document = page.getByRole('region', { name: 'Document', exact: true });
    this.text = this.document.locator('.doc-text');
    this.codes = page.getByRole('tree', { name: 'Codes', exact: true });
    this.stripes = page.getByRole('group', { name: 'Coding stripes' }).getByRole('button', { name: / stripe, / });
    this.segmentPanel = page.getByRole('region', { name: 'Segment', exact: true });
    this.codePanel = page.getByRole('region', { name: 'Code', exact: true });
  }

  async ready(): Promise<void> {
    await expect(this.documents.getByRole('option').first()).toBeVisible();
    await expect(this.text.locator('p').first()).toBeVisible();
  }

  async openDocument(name: string): Promise<void> {
    await this.documents.getByRole('option', { name, exact: true }).click();
    await expect(this.document.getByRole('heading', { name, exact: true })).toBeVisible();
  }

  code(name: string): Locator {
    return this.codes.getByRole('treeitem', { name, exact: true });
  }

  /** The stripes of a code; each is named “<code> stripe, <coder>: “<first words> … <last words>””. */
  stripe(codeName: string): Locator {
    const escaped = codeName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return this.page.getByRole('group', { name: 'Coding stripes' }).getByRole('button', { name: new RegExp(`^${escaped} stripe,`) });
  }

  /**
   * Selects the first occurrence of `words` in the open document as a mouse drag would: a DOM
   * selection over the text nodes (UTF-16 offsets, as the browser reports them).
   */
  async selectText(words: string, occurrence = 0): Promise<void> {
    await this.text.evaluate(
      (root, [w, n]) => {
        const paras = Array.from(root.children);
        let seen = 0;
        for (const p of paras) {
          const t = p.firstChild?.firstChild;
          if (!t || t.nodeType !== Node.TEXT_NODE) continue;
          let at = (t.textContent ?? '').indexOf(w as string);
          while (at >= 0) {
            if (seen++ === n) {
              p.scrollIntoView({ block: 'center' });
              const r = document.createRange();
              r.setStart(t, at);
              r.setEnd(t, at + (w as string).length);
              const sel = document.getSelection()!;
              sel.removeAllRanges();
              sel.addRange(r);
              (root as HTMLElement).focus({ preventScroll: true });
              return;
            }
            at = (t.textContent ?? '').indexOf(w as string, at + 1);
          }
        }
        throw new Error(`"${w}" is not in the document`);
      },
      [words, occurrence] as const,
    );
    await expect(this.page.getByText(/^Selected \d+ characters/)).toBeVisible();
  }

  async menu(menu: string, item: string | RegExp): Promise<void> {
    await this.page.getByRole('menubar').getByRole('menuitem', { name: menu, exact: true }).click();
    await this.page.getByRole('menu', { name: menu }).getByRole('menuitem', { name: item }).click();
  }
}
