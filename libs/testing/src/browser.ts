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

/** One WCAG problem axe-core found: its rule, impact, what it means and where (CSS selectors of the first nodes). */
export interface AxeProblem {
  rule: string;
  impact: string;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core (the npm package, injected through the DevTools protocol, so the page's Content-Security-Policy is
 * neither loosened nor in the way) on the page as it is now, against WCAG 2.x A and AA, and returns the violations
 * of at least serious impact. An empty list is a pass.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeProblem[]> {
  const source = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const violations = (await page.evaluate(`axe
    .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] })
    .then((result) => result.violations.map((v) => ({
      rule: v.id,
      impact: v.impact || '',
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((node) => node.target.join(' ')),
    })))`)) as AxeProblem[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
