import fs from 'node:fs';
import path from 'node:path';
import { Browser, BrowserContext, Page } from 'playwright-core';
import {
  alertBody,
  api,
  createAgency,
  expectEventually,
  launchChromium,
  overflowingElements,
  seriousAxeViolations,
  submitAccepted,
  TEST_ARTIFACTS,
  testEnvironment,
  TestAgency,
  uniqueContainerNumber,
} from '@hub/testing';

const env = testEnvironment();
const UI_TIMEOUT_MS = 60000;

// A browser, two officers and several live round trips through Kafka: more than the default per-test budget.
jest.setTimeout(240000);

interface Officer {
  agency: TestAgency;
  context: BrowserContext;
  page: Page;
  pageErrors: string[];
  /** Console errors other than a failed request (a 400 the page shows is expected): CSP violations land here. */
  consoleErrors: string[];
}

describe('agency console (GET / on the gateway) in a real browser', () => {
  let browser: Browser;
  let sender: Officer;
  let recipient: Officer;
  let alertId: string;
  const container = uniqueContainerNumber();
  const headline = `Console test: heroin in ${container}`;

  async function officer(agency: TestAgency): Promise<Officer> {
    // One context each: separate session storage, like two officers on two machines.
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'en-US' });
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    const result: Officer = { agency, context, page, pageErrors: [], consoleErrors: [] };
    page.on('pageerror', (error) => result.pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        result.consoleErrors.push(message.text());
    });
    return result;
  }

  async function signIn(who: Officer): Promise<void> {
    await who.page.goto(`${env.gateway}/`);
    await who.page.fill('#signin-key', who.agency.key);
    await who.page.click('#signin-submit');
    await who.page.locator('#status.live').waitFor();
  }

  const inboxItem = (page: Page, id: string, kind: string) =>
    page.locator(`#inbox-list button[data-alert-id="${id}"][data-kind="${kind}"]`);

  beforeAll(async () => {
    browser = await launchChromium();
    const [a, b] = await Promise.all([createAgency('TJ'), createAgency('KG')]);
    [sender, recipient] = await Promise.all([officer(a), officer(b)]);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('serves a self-contained page without a key, under a strict content security policy', async () => {
    const response = await api(env.gateway, 'GET', '/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain(`default-src 'none'`);
    expect(policy).toContain(`connect-src 'self'`);
    expect(policy).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+';/);
    expect(policy).not.toContain('unsafe-inline');
    expect(response.body).not.toMatch(/(src|href)=["']https?:|<script src=/);
  });

  it('shows an en-US browser the console in English', async () => {
    await sender.page.goto(`${env.gateway}/`);
    expect(await sender.page.getAttribute('html', 'lang')).toBe('en');
    expect(await sender.page.textContent('#signin-submit')).toBe('Sign in');
    expect(await sender.page.inputValue('#language')).toBe('en');
  });

  it('refuses a key that is not an agency key', async () => {
    await sender.page.goto(`${env.gateway}/`);
    await sender.page.fill('#signin-key', env.adminKey);
    await sender.page.click('#signin-submit');
    await expectEventually(
      async () => (await sender.page.textContent('#signin-error'))?.includes('not an agency key'),
      { timeoutMs: UI_TIMEOUT_MS, description: 'refusal of an admin key' },
    );
    expect(await sender.page.isVisible('#console')).toBe(false);
  });

  it("posts an alert from one agency with the form, showing the API's field error next to the field first", async () => {
    await Promise.all([signIn(sender), signIn(recipient)]);
    const page = sender.page;
    // Keyboard: the New alert button is reachable and works with Enter.
    await page.focus('#new-alert');
    await page.keyboard.press('Enter');
    await page.locator('#alert-form').waitFor();
    // An exercise, like the other test traffic: correlation matches alerts of the same status only.
    await page.selectOption('#f-status', 'exercise');
    await page.fill('#f-headline', headline);
    await page.fill('#f-description', 'X-ray shows dense packages behind the declared dried fruit.');
    await page.check('input[name="tlp"][value="AMBER"]');
    await page.check(`#f-recipients input[value="${recipient.agency.id}"]`);
    await page.selectOption('#subject-type', 'container');
    await page.click('#add-subject');
    // Written as an officer would, but with a wrong check digit: the API's 400 lands next to the field.
    const wrongDigit = (Number(container[10]) + 1) % 10;
    await page.fill(
      '#f-subjects input[data-path="subjects[0].number"]',
      `${container.slice(0, 4).toLowerCase()} ${container.slice(4, 10)}-${wrongDigit}`,
    );
    await page.click('#form-submit');
    const numberError = page.locator('[data-error-for="subjects[0].number"]');
    await expectEventually(async () => /check digit is wrong/.test((await numberError.textContent()) ?? ''), {
      timeoutMs: UI_TIMEOUT_MS,
      description: 'field error next to the container number',
    });
    expect(await page.getAttribute('#f-subjects input[data-path="subjects[0].number"]', 'aria-invalid')).toBe('true');

    await page.fill(
      '#f-subjects input[data-path="subjects[0].number"]',
      `${container.slice(0, 4).toLowerCase()} ${container.slice(4, 10)}-${container[10]}`,
    );
    await page.click('#form-submit');
    // Posted: the console shows it among the sent alerts, with its recipient.
    const sentItem = page.locator('#sent-list button', { hasText: headline });
    await sentItem.waitFor();
    alertId = (await sentItem.getAttribute('data-alert-id'))!;
    expect(alertId).toMatch(/^[0-9a-f-]{36}$/);
    await page.locator(`#recipients-body tr[data-agency-id="${recipient.agency.id}"]`).waitFor();
  });

  it("shows it live in the other agency's console, where it is opened and acknowledged; the sender sees the acknowledgement", async () => {
    const page = recipient.page;
    await page.evaluate(`window.notReloaded = true`);
    await inboxItem(page, alertId, 'alert').click();
    await expectEventually(async () => (await page.textContent('#detail-title')) === headline, {
      timeoutMs: UI_TIMEOUT_MS,
      description: 'the alert opened',
    });
    // The identifier as written, with the canonical form the hub stamped beside it.
    expect(await page.textContent('#detail-subjects')).toContain(`canonical ${container}`);
    // AMBER / H1 may be forwarded: the form is offered.
    expect(await page.isVisible('#forward-form')).toBe(true);

    await page.check('input[name="ack-status"][value="actioned"]');
    await page.fill('#ack-note', 'Stopped at Osh, inspection under way');
    await page.click('#ack-submit');
    await expectEventually(async () => (await page.textContent('#ack-result'))?.includes('actioned'), {
      timeoutMs: UI_TIMEOUT_MS,
      description: 'ack confirmed',
    });
    expect(await page.evaluate(`window.notReloaded`)).toBe(true);

    const ackRow = sender.page.locator(
      `#recipients-body tr[data-agency-id="${recipient.agency.id}"][data-ack-status="actioned"]`,
    );
    await ackRow.waitFor();
    expect(await ackRow.textContent()).toContain('Stopped at Osh');
    // The README's picture of the console (docs/console.png is taken from this).
    fs.mkdirSync(TEST_ARTIFACTS, { recursive: true });
    await sender.page.screenshot({ path: path.join(TEST_ARTIFACTS, 'console-sent.png') });
  });

  it('says why an alert may not be forwarded', async () => {
    const red = await submitAccepted(
      sender.agency.key,
      alertBody([recipient.agency.id], { tlp: 'RED', headline: `RED for the console ${container}` }),
    );
    const page = recipient.page;
    await inboxItem(page, red.alertId, 'alert').click();
    await page.locator('#forward-refused').waitFor();
    expect(await page.textContent('#forward-refused')).toContain('TLP:RED');
    expect(await page.isVisible('#forward-form')).toBe(false);
  });

  it('shows the owner a match notice with both headlines and a link to its own alert', async () => {
    const kgHeadline = `KG: same container ${container}`;
    const fromKg = await submitAccepted(
      recipient.agency.key,
      alertBody([sender.agency.id], { headline: kgHeadline, subjects: [{ type: 'container', number: container }] }),
    );
    const page = sender.page;
    await page.click('#tab-inbox');
    // The sender holds KG's alert (it is addressed to it), so the notice names it by its headline.
    await inboxItem(page, fromKg.alertId, 'alert').waitFor();
    const notice = inboxItem(page, alertId, 'match');
    await notice.waitFor();
    expect(await notice.locator('.headline').textContent()).toBe(
      `Match: \u201c${headline}\u201d and \u201c${kgHeadline}\u201d of ${recipient.agency.id}`,
    );
    await notice.click();
    await page.locator('#detail-notice .match-text').waitFor();
    expect(await page.textContent('#detail-notice .match-text')).toBe(
      `Your alert \u201c${headline}\u201d matches \u201c${kgHeadline}\u201d of ${recipient.agency.id} on container ${container}.`,
    );
    expect(await page.textContent('#detail-notice')).not.toContain(alertId);

    // Readable on a 1366x768 laptop: nothing wider than the window, no panel cut off sideways.
    expect(await overflowingElements(page, '.panel')).toEqual([]);
    // WCAG 2.2 AA as axe-core checks it: nothing serious or critical on the signed-in console.
    expect(await seriousAxeViolations(page)).toEqual([]);
    fs.mkdirSync(TEST_ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(TEST_ARTIFACTS, 'console-match.png') });

    // The link opens the officer's own alert, from the keyboard too.
    await page.focus('#detail-notice a.match-own');
    await page.keyboard.press('Enter');
    await expectEventually(async () => (await page.textContent('#detail-title')) === headline, {
      timeoutMs: UI_TIMEOUT_MS,
      description: 'the own alert opened from the notice',
    });
    expect(await page.getAttribute('#tab-sent', 'aria-selected')).toBe('true');
    await page.click('#tab-inbox');
  });

  it('never shows the headline of an alert the match notice does not share: it says whom to contact', async () => {
    const other = uniqueContainerNumber();
    const kgHeadline = `KG alert on ${other}`;
    const kgAlert = await submitAccepted(
      recipient.agency.key,
      alertBody([sender.agency.id], { headline: kgHeadline, subjects: [{ type: 'container', number: other }] }),
    );
    // RED: a match involving it is restricted, although KG holds this very alert in its inbox.
    const redHeadline = `RED courier with ${other}`;
    const red = await submitAccepted(
      sender.agency.key,
      alertBody([recipient.agency.id], {
        tlp: 'RED',
        headline: redHeadline,
        subjects: [{ type: 'container', number: other }],
      }),
    );
    const page = recipient.page;
    await inboxItem(page, red.alertId, 'alert').waitFor();
    const notice = inboxItem(page, kgAlert.alertId, 'match');
    await notice.waitFor();
    // KG posted its alert through the API, not this page: the page loads its Sent list again for the headline.
    const expected = `Match: \u201c${kgHeadline}\u201d and an alert of ${sender.agency.id} not shared with you`;
    await expectEventually(async () => (await notice.locator('.headline').textContent()) === expected, {
      timeoutMs: UI_TIMEOUT_MS,
      description: 'the notice named by the own headline',
    });
    await notice.click();
    await page.locator('#detail-notice .match-text').waitFor();
    expect(await page.textContent('#detail-notice .match-text')).toBe(
      `Your alert \u201c${kgHeadline}\u201d matches an alert of ${sender.agency.id} that is not shared with you. ` +
        `Contact ${sender.agency.id} (Test agency ${sender.agency.id}).`,
    );
    expect(await page.textContent('#detail-notice')).not.toContain(redHeadline);
    expect(await page.locator('#detail-notice a.match-other').count()).toBe(0);
    expect(await page.locator('#inbox-list button[data-kind="match"]').allTextContents()).not.toContainEqual(
      expect.stringContaining(redHeadline),
    );
  });

  it('posts, reads and acknowledges with the keyboard alone', async () => {
    /** Presses Tab until the focused element matches `selector` (as a keyboard user would), at most 250 times. */
    const tabTo = async (page: Page, selector: string) => {
      for (let i = 0; i < 250; i++) {
        if (
          await page.evaluate(`document.activeElement && document.activeElement.matches(${JSON.stringify(selector)})`)
        )
          return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`Tab never reached ${selector}`);
    };
    const keyboardHeadline = `Keyboard only ${uniqueContainerNumber()}`;
    const page = sender.page;
    await page.goto(`${env.gateway}/`);
    await page.locator('#status.live').waitFor();
    await tabTo(page, '#new-alert');
    await page.keyboard.press('Enter');
    await page.locator('#alert-form').waitFor();
    await tabTo(page, '#f-status');
    await page.keyboard.type('e'); // exercise
    await tabTo(page, '#f-headline');
    await page.keyboard.type(keyboardHeadline);
    await tabTo(page, `#f-recipients input[value="${recipient.agency.id}"]`);
    await page.keyboard.press('Space');
    await tabTo(page, '#form-submit');
    await page.keyboard.press('Enter');
    const sentItem = page.locator('#sent-list button', { hasText: keyboardHeadline });
    await sentItem.waitFor();
    const posted = (await sentItem.getAttribute('data-alert-id'))!;

    const reader = recipient.page;
    await reader.goto(`${env.gateway}/`);
    await reader.locator('#status.live').waitFor();
    await inboxItem(reader, posted, 'alert').waitFor();
    await tabTo(reader, `#inbox-list button[data-alert-id="${posted}"][data-kind="alert"]`);
    await reader.keyboard.press('Enter');
    await expectEventually(async () => (await reader.textContent('#detail-title')) === keyboardHeadline, {
      timeoutMs: UI_TIMEOUT_MS,
      description: 'the alert opened with Enter',
    });
    // Focus moved to the alert's title: the reader continues from there.
    expect(await reader.evaluate(`document.activeElement.id`)).toBe('detail-title');
    await tabTo(reader, 'input[name="ack-status"]');
    await reader.keyboard.press('ArrowDown'); // received → actioned
    await tabTo(reader, '#ack-note');
    await reader.keyboard.type('Read and acted on with the keyboard');
    await tabTo(reader, '#ack-submit');
    await reader.keyboard.press('Enter');
    await expectEventually(async () => (await reader.textContent('#ack-result'))?.includes('actioned'), {
      timeoutMs: UI_TIMEOUT_MS,
      description: 'the keyboard acknowledgement confirmed',
    });
  });

  it('checks pasted identifiers and shows whom to contact; the owner sees who asked, live', async () => {
    const page = recipient.page;
    const unknown = uniqueContainerNumber();
    await page.click('#check-identifiers');
    await page.fill('#hits-input', `${container.toLowerCase()}\n${unknown}\n`);
    await page.click('#hits-submit');
    const rows = page.locator('#hits-results tbody tr');
    await rows.nth(1).waitFor();
    expect(await rows.nth(0).locator('td').allTextContents()).toEqual([
      container.toLowerCase(),
      'hit',
      sender.agency.id,
    ]);
    expect(await rows.nth(1).locator('td').allTextContents()).toEqual([unknown, 'no hit', '\u2014']);
    expect(await page.textContent('#hits-summary')).toBe('2 checked, 1 with a hit');

    // The sender's page may still show another tab (the keyboard test left it on Sent): the notice is in the inbox.
    await sender.page.click('#tab-inbox');
    const notice = inboxItem(sender.page, alertId, 'hit');
    await notice.waitFor();
    await notice.click();
    await sender.page.locator('#detail-notice .match-text').waitFor();
    expect(await sender.page.textContent('#detail-notice .match-text')).toContain(recipient.agency.id);
    expect(await overflowingElements(page, '.panel')).toEqual([]);
    fs.mkdirSync(TEST_ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(TEST_ARTIFACTS, 'console-hits.png') });
  });

  it('updates and cancels from the sent list; the recipient sees both live', async () => {
    const page = sender.page;
    await page.click('#tab-sent');
    await page.locator(`#sent-list button[data-alert-id="${alertId}"]`).click();
    await page.locator('#edit-alert').click();
    await page.locator('#alert-form').waitFor();
    // The form comes back filled with the current version, identifiers as written.
    expect(await page.inputValue('#f-subjects input[data-path="subjects[0].number"]')).toContain(
      container.slice(4, 10),
    );
    await page.fill('#f-headline', `${headline} (updated)`);
    await page.click('#form-submit');
    await expectEventually(async () => (await page.textContent('#detail-title')) === `${headline} (updated)`, {
      timeoutMs: UI_TIMEOUT_MS,
      description: 'the new version shown',
    });
    await inboxItem(recipient.page, alertId, 'update').waitFor();

    await page.fill('#cancel-reason', 'Cleared after inspection');
    await page.click('#cancel-submit');
    await page.locator('#detail-notice', { hasText: 'Cleared after inspection' }).waitFor();
    await inboxItem(recipient.page, alertId, 'cancel').waitFor();

    for (const who of [sender, recipient]) {
      expect(who.pageErrors).toEqual([]);
      expect(who.consoleErrors).toEqual([]);
    }
  });

  it('shows a ru-RU browser the console in Russian, field errors included; the switch changes it and is remembered', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'ru-RU' });
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        errors.push(message.text());
    });
    await page.goto(`${env.gateway}/`);
    expect(await page.getAttribute('html', 'lang')).toBe('ru');
    expect(await page.title()).toBe('Консоль ведомства \u2014 Alert Exchange Hub');
    expect(await page.textContent('#signin-submit')).toBe('Войти');
    await page.fill('#signin-key', sender.agency.key);
    await page.click('#signin-submit');
    await page.locator('#status.live').waitFor();
    expect(await page.textContent('#status')).toBe('на связи');
    expect(await page.textContent('#tab-inbox')).toContain('Входящие');
    expect(await page.textContent('#tab-sent')).toBe('Отправленные');

    // The form: Russian labels and enum names, the wire values unchanged.
    await page.click('#new-alert');
    await page.locator('#alert-form').waitFor();
    expect(await page.textContent('#form-title')).toBe('Новое оповещение');
    expect(await page.textContent('#f-category option[value="seizure"]')).toBe('изъятие');
    expect(await page.textContent('#f-urgency option[value="immediate"]')).toBe('немедленно');
    await page.selectOption('#f-status', 'exercise');
    await page.fill('#f-headline', `Проверка языка ${container}`);
    await page.check(`#f-recipients input[value="${recipient.agency.id}"]`);
    await page.selectOption('#subject-type', 'container');
    await page.click('#add-subject');
    expect(await page.textContent('#f-subjects .subject-row .type')).toBe('контейнер');
    const wrongDigit = (Number(container[10]) + 1) % 10;
    await page.fill('#f-subjects input[data-path="subjects[0].number"]', container.slice(0, 10) + wrongDigit);
    await page.click('#form-submit');
    // The API answers in English; the page shows the field error in Russian.
    const numberError = page.locator('[data-error-for="subjects[0].number"]');
    await expectEventually(
      async () => ((await numberError.textContent()) ?? '').startsWith('неверная контрольная цифра номера контейнера'),
      { timeoutMs: UI_TIMEOUT_MS, description: 'the field error in Russian' },
    );
    expect(await page.textContent('#form-errors')).toBe('Исправьте отмеченные поля.');
    expect(await seriousAxeViolations(page)).toEqual([]);
    fs.mkdirSync(TEST_ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(TEST_ARTIFACTS, 'console-ru.png') });

    // The switch: English now, still signed in, and still English after a reload.
    await Promise.all([page.waitForEvent('load'), page.selectOption('#language', 'en')]);
    await page.locator('#status.live').waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('#tab-sent')).toBe('Sent');
    await page.reload();
    await page.locator('#status.live').waitFor();
    expect(await page.textContent('#tab-sent')).toBe('Sent');
    expect(await page.evaluate('localStorage.getItem("hub.language")')).toBe('en');
    expect(errors).toEqual([]);
    await context.close();
  });
});
