import fs from 'node:fs';
import path from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';

/** Debian's Chromium, driven by playwright-core (no browser download). CI installs it: absent = a failure, never a skip. */
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Where browser tests leave screenshots (git-ignored). */
export const TEST_ARTIFACTS = path.resolve(__dirname, '..', '..', '..', 'test-artifacts');

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: install it (apt-get install -y chromium). This test fails rather than skips without a browser.`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Elements wider than their box on the page as it is now (the document and every `selector` match): what a
 * 1366x768 laptop would have to scroll sideways. Page-side code is a string: tests compile without the DOM library.
 */
export async function overflowingElements(page: Page, selector: string): Promise<string[]> {
  return page.evaluate(`[document.documentElement, ...document.querySelectorAll(${JSON.stringify(selector)})]
    .filter((node) => node.scrollWidth > node.clientWidth + 1)
    .map((node) => node.tagName + ' ' + node.className + ' ' + node.scrollWidth + ' > ' + node.clientWidth)`) as Promise<
    string[]
  >;
}
