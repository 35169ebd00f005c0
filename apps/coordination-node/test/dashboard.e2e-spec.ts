import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Browser, Page } from 'playwright-core';
import {
  api,
  expectEventually,
  launchChromium,
  overflowingElements,
  restartService,
  seriousAxeViolations,
  TEST_ARTIFACTS as ARTIFACTS,
} from '@hub/testing';
import { alertBody, analystKey, createAgency, env, submit, TestAgency, uniqueContainer } from './monitoring-fixtures';
const UI_TIMEOUT_MS = 60000;

/** A room `owner` opened with `member`, and one message in it (at the gateway). */
async function createRoomWithMessage(owner: TestAgency, member: TestAgency) {
  const room = {
    name: `Operation ${randomUUID().slice(0, 8)}`,
    purpose: `Controlled delivery ${randomUUID()}`,
    text: `Courier seen ${randomUUID()}`,
  };
  const closesAt = new Date(Date.now() + 24 * 3600 * 1000).toISOString();
  const created = await api(env.gateway, 'POST', '/v1/rooms', {
    key: owner.key,
    body: { name: room.name, purpose: room.purpose, members: [member.id], closesAt },
  });
  if (created.status !== 201) throw new Error(`room: ${created.status} ${JSON.stringify(created.body)}`);
  const roomId: string = created.body.roomId;
  const posted = await api(env.gateway, 'POST', `/v1/rooms/${roomId}/messages`, {
    key: member.key,
    body: { text: room.text },
  });
  if (posted.status !== 201) throw new Error(`room message: ${posted.status} ${JSON.stringify(posted.body)}`);
  return { roomId, ...room };
}

// A browser, a service restart and several live round trips: more than the default per-test budget on a busy machine.
jest.setTimeout(240000);

describe('analyst dashboard (GET /) in a real browser', () => {
  let browser: Browser;
  let page: Page;
  let kz: TestAgency;
  let tj: TestAgency;
  let analyst: string;
  let room: { roomId: string; name: string; purpose: string; text: string };
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  const streamRequests: { lastEventId: string | undefined; query: string }[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    [kz, tj, analyst] = await Promise.all([createAgency('KZ'), createAgency('TJ'), analystKey()]);
    page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: 'en-US' });
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // A Content-Security-Policy violation (an inline script or style the policy does not cover) is reported here.
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('request', (request) => {
      if (!request.url().includes('/v1/feed/stream')) return;
      streamRequests.push({ lastEventId: request.headers()['last-event-id'], query: new URL(request.url()).search });
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** Event labels wider than their cell (printed over the next column), as "label: width > cell". */
  const overflowingEventLabels = (on: Page) =>
    on.evaluate(`[...document.querySelectorAll('#feed-body td .event')]
      .filter((label) => label.getBoundingClientRect().right > label.parentElement.getBoundingClientRect().right - 2)
      .map((label) => label.textContent + ': ' + label.getBoundingClientRect().width + ' > ' + label.parentElement.clientWidth)`) as Promise<
      string[]
    >;

  /** Pixels Chart.js drew on a chart's canvas (0 for a blank canvas). */
  const drawnPixels = (on: Page, name: string) =>
    on.evaluate(`(() => {
      const canvas = document.getElementById('chart-${name}-canvas');
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let drawn = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) drawn++;
      return drawn;
    })()`) as Promise<number>;

  const feedRow = (type: string, alertId: string) =>
    page.locator(`#feed-body tr[data-type="${type}"][data-alert-id="${alertId}"]`);

  it('serves a self-contained page without a key, under a strict content security policy', async () => {
    const response = await api(env.coordination, 'GET', '/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain(`default-src 'none'`);
    expect(policy).toContain(`connect-src 'self'`);
    expect(policy).not.toContain('unsafe-inline');
    // Nothing external: no http(s) URL to load, no CDN.
    expect(response.body).not.toMatch(/(src|href)=["']https?:/);
  });

  it("refuses a key that is not an analyst's, and signs in with an analyst key kept in session storage", async () => {
    await page.goto(`${env.coordination}/`);
    await page.fill('#signin-key', kz.key);
    await page.click('#signin-submit');
    await expectEventually(async () => (await page.textContent('#signin-error'))?.includes('not an analyst key'), {
      timeoutMs: UI_TIMEOUT_MS,
      description: 'refusal of an agency key',
    });
    expect(await page.isVisible('#dashboard')).toBe(false);

    await page.fill('#signin-key', analyst);
    await page.click('#signin-submit');
    await page.locator('#status.live').waitFor();
    // Page-side expressions are strings: this test compiles without the DOM type library.
    expect(await page.evaluate(`sessionStorage.getItem('hub.analystKey')`)).toBe(analyst);
    expect(await page.evaluate(`localStorage.length`)).toBe(0);
    // An en-US browser gets English.
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('#feed-title')).toContain('Live feed');
    expect(await page.inputValue('#language')).toBe('en');
  });

  it('shows exchanges live, a correlation when two agencies report the same container, a RED exchange without its content, and rooms as metadata', async () => {
    consoleErrors.length = 0; // the refused sign-in above logged its 403
    // A reload would drop this marker: everything below must arrive live.
    await page.evaluate(`window.notReloaded = true`);
    const container = uniqueContainer();
    // An operation room with one message: the Rooms panel shows it as metadata, never its purpose or text.
    room = await createRoomWithMessage(kz, tj);

    const amber = alertBody([tj.id], { subjects: [{ type: 'container', number: container }] });
    const first = await submit(kz.key, amber);
    await feedRow('alert.submitted', first.alertId).waitFor();
    expect(await feedRow('alert.submitted', first.alertId).textContent()).toContain(amber.headline);
    await feedRow('alert.delivered', first.alertId).waitFor();

    const second = await submit(tj.key, alertBody([kz.id], { subjects: [{ type: 'container', number: container }] }));
    const correlation = page.locator(
      `#correlations li[data-alert-ids~="${first.alertId}"][data-alert-ids~="${second.alertId}"]`,
    );
    await correlation.waitFor();
    const correlationText = (await correlation.textContent()) ?? '';
    expect(correlationText).toContain(container);
    expect(correlationText).toContain(kz.id);
    expect(correlationText).toContain(tj.id);

    const red = alertBody([tj.id], {
      tlp: 'RED',
      headline: `RED only for TJ ${randomUUID()}`,
      description: `RED description ${randomUUID()}`,
    });
    const redAlert = await submit(kz.key, red);
    const redRow = feedRow('alert.submitted', redAlert.alertId);
    await redRow.waitFor();
    expect(await redRow.getAttribute('data-redacted')).toBe('true');
    expect(await redRow.textContent()).toContain('RED \u2014 content withheld');
    await feedRow('alert.delivered', redAlert.alertId).waitFor();

    // Counters and the chase list follow the feed.
    await page.locator('#by-country-body tr[data-key="KZ"]').waitFor();
    await page.locator('#by-category-body tr[data-key="suspicious-shipment"]').waitFor();
    // The tile is formatted for the page's locale (1,234 in English, 1 234 in Russian): compare its digits.
    const tileCount = async (id: string) => Number(((await page.textContent(id)) ?? '').replace(/\D/g, ''));
    await expectEventually(async () => (await tileCount('#tile-unacked')) > 0, {
      timeoutMs: UI_TIMEOUT_MS,
      description: 'unacknowledged count',
    });
    expect(await page.locator('#chase-body tr').count()).toBeGreaterThan(0);

    // TJ acknowledges the first alert: the feed names it in the Event column.
    await expectEventually(
      async () =>
        (
          await api(env.gateway, 'POST', `/v1/alerts/${first.alertId}/ack`, {
            key: tj.key,
            body: { version: 1, status: 'received' },
          })
        ).status === 202,
      { timeoutMs: UI_TIMEOUT_MS, description: 'the acknowledgement accepted' },
    );
    await feedRow('alert.acked', first.alertId).waitFor();

    // The charts show the test's alerts: KZ sent, TJ received, TJ has not acknowledged; and a correlation.
    await expectEventually(
      async () =>
        (await page.locator('#chart-flows-table tr[data-key="KZ>TJ"]').count()) === 1 &&
        (await page.locator('#chart-alerts-table tr[data-key="KZ"]').count()) === 1 &&
        (await page.locator('#chart-unacked-table tr[data-key="TJ"]').count()) === 1 &&
        Number(await page.getAttribute('#chart-correlations', 'data-total')) > 0,
      { timeoutMs: UI_TIMEOUT_MS, description: "the test's alerts in the charts" },
    );
    for (const chart of ['alerts', 'flows', 'unacked', 'correlations']) {
      expect(Number(await page.getAttribute(`#chart-${chart}`, 'data-total'))).toBeGreaterThan(0);
      expect(await drawnPixels(page, chart)).toBeGreaterThan(500);
      // Each chart is an image named by its caption and a one-line summary of its numbers.
      expect(await page.getAttribute(`#chart-${chart}-canvas`, 'role')).toBe('img');
      expect(await page.textContent(`#chart-${chart}-summary`)).toMatch(/\d/);
    }
    expect(await page.textContent('#chart-alerts-summary')).toMatch(/alerts in the last 7 days/);
    // The table behind a chart opens with the keyboard, in place of the chart.
    await page.focus('#chart-flows summary');
    await page.keyboard.press('Enter');
    expect(await page.isVisible('#chart-flows-table tr[data-key="KZ>TJ"]')).toBe(true);
    expect(await page.textContent('#chart-flows-table tr[data-key="KZ>TJ"]')).toContain('Kazakhstan \u2192 Tajikistan');
    await page.keyboard.press('Enter');
    // By hour: the same alerts in the last 24 hours.
    await page.check('input[name="chart-period"][value="24h"]');
    await expectEventually(
      async () => /alerts in the last 24 hours/.test((await page.textContent('#chart-alerts-summary')) ?? ''),
      { timeoutMs: UI_TIMEOUT_MS, description: 'the charts by hour' },
    );
    await page.check('input[name="chart-period"][value="7d"]');

    // Acknowledgements fit the Event column instead of running over the alert id.
    await page.check('#filters input[value="withheld"]');
    expect(await overflowingEventLabels(page)).toEqual([]);
    await page.uncheck('#filters input[value="withheld"]');

    const roomItem = page.locator(`#rooms li[data-room-id="${room.roomId}"]`);
    await expectEventually(async () => ((await roomItem.textContent()) ?? '').includes('1 message'), {
      timeoutMs: UI_TIMEOUT_MS,
      description: 'the room and its message count in the Rooms panel',
    });
    expect(await roomItem.textContent()).toContain(room.name);
    expect(await roomItem.textContent()).toContain('metadata only');
    expect(await page.content()).not.toContain(room.purpose);
    expect(await page.content()).not.toContain(room.text);

    // WCAG 2.2 AA as axe-core checks it: nothing serious or critical, signed in, with data.
    expect(await seriousAxeViolations(page)).toEqual([]);

    expect(await page.content()).not.toContain(red.headline);
    expect(await page.content()).not.toContain(red.description);
    expect(await page.evaluate(`window.notReloaded`)).toBe(true);

    // Readable on a 1366x768 laptop: nothing wider than the window, no panel cut off sideways.
    expect(await overflowingElements(page, '.panel')).toEqual([]);

    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png') });
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('reconnects with Last-Event-ID when the node restarts, and misses nothing', async () => {
    const before = await page.locator('#feed-body tr').first().getAttribute('data-cursor');
    const requestsBefore = streamRequests.length;
    // A restart ends the stream (the node closes open streams on shutdown); an alert is accepted meanwhile.
    const restarted = restartService('coordination-node');
    await page.locator('#status.reconnecting').waitFor();
    const whileDown = await submit(kz.key, alertBody([tj.id]));
    await restarted;

    await feedRow('alert.submitted', whileDown.alertId).waitFor({ timeout: 120000 });
    await page.locator('#status.live').waitFor();
    const resumed = streamRequests.slice(requestsBefore).find((request) => request.lastEventId !== undefined);
    expect(resumed?.lastEventId).toBeDefined();
    expect(Number(resumed!.lastEventId)).toBeGreaterThanOrEqual(Number(before));
    expect(resumed!.query).toBe('');

    // With every event type shown, the table's cursors are consecutive across the drop: nothing lost or repeated.
    await page.check('#filters input[value="withheld"]');
    await feedRow('alert.delivered', whileDown.alertId).waitFor();
    const cursors = await page
      .locator('#feed-body tr')
      .evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-cursor'))));
    const newestFirst = [...cursors].sort((a, b) => b - a);
    expect(cursors).toEqual(newestFirst);
    expect(cursors).toEqual(cursors.map((_, i) => cursors[0] - i));
    expect(cursors[cursors.length - 1]).toBeLessThanOrEqual(Number(before));
    expect(pageErrors).toEqual([]);
  });

  it('shows a ru-RU browser the dashboard in Russian; the switch changes it and is remembered', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'ru-RU' });
    const ru = await context.newPage();
    ru.setDefaultTimeout(UI_TIMEOUT_MS);
    const errors: string[] = [];
    ru.on('pageerror', (error) => errors.push(error.message));
    ru.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await ru.goto(`${env.coordination}/`);
    expect(await ru.getAttribute('html', 'lang')).toBe('ru');
    expect(await ru.textContent('#signin-submit')).toBe('Войти');
    await ru.fill('#signin-key', analyst);
    await ru.click('#signin-submit');
    await ru.locator('#status.live').waitFor();
    expect(await ru.textContent('#status')).toBe('на связи');
    expect(await ru.textContent('h1')).toBe('Региональный координационный центр \u2014 мониторинг обмена');
    expect(await ru.textContent('#feed-title')).toContain('Лента событий');

    const red = await submit(kz.key, alertBody([tj.id], { tlp: 'RED', headline: `RED ${randomUUID()}` }));
    const row = ru.locator(`#feed-body tr[data-type="alert.submitted"][data-alert-id="${red.alertId}"]`);
    await row.waitFor();
    expect(await row.locator('.event').textContent()).toBe('Отправлено');
    expect(await row.textContent()).toContain('RED \u2014 содержание скрыто');
    // The routing decision's reasons by their Russian names.
    const routed = ru.locator(`#feed-body tr[data-type="routing.decided"][data-alert-id="${red.alertId}"]`);
    await routed.waitFor();
    expect(await routed.textContent()).toContain('доставлено \u00b7 указан получателем \u00d71');
    // Enum values get Russian names; the wire value stays in data-key.
    await expectEventually(
      async () =>
        ((await ru.locator('#by-category-body tr[data-key="suspicious-shipment"]').textContent()) ?? '').includes(
          'подозрительный груз',
        ),
      { timeoutMs: UI_TIMEOUT_MS, description: 'a category by its Russian name' },
    );
    // The charts in Russian, with an accessible summary in Russian; nothing serious for axe-core either.
    expect(await ru.textContent('#chart-alerts-title')).toBe('Оповещения по государствам-отправителям');
    await expectEventually(
      async () => /^Оповещений за последние 7 дней/.test((await ru.textContent('#chart-alerts-summary')) ?? ''),
      { timeoutMs: UI_TIMEOUT_MS, description: 'the chart summary in Russian' },
    );
    expect(await ru.textContent('#rooms-title')).toContain('Оперативные комнаты');
    expect(await ru.textContent(`#rooms li[data-room-id="${room.roomId}"]`)).toContain('1 сообщение');
    expect(await overflowingEventLabels(ru)).toEqual([]);
    expect(await seriousAxeViolations(ru)).toEqual([]);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await ru.screenshot({ path: path.join(ARTIFACTS, 'dashboard-ru.png') });

    await Promise.all([ru.waitForEvent('load'), ru.selectOption('#language', 'en')]);
    await ru.locator('#status.live').waitFor();
    expect(await ru.getAttribute('html', 'lang')).toBe('en');
    expect(await ru.textContent('#feed-title')).toContain('Live feed');
    await ru.reload();
    await ru.locator('#status.live').waitFor();
    expect(await ru.textContent('#feed-title')).toContain('Live feed');
    expect(await ru.evaluate(`localStorage.getItem('hub.language')`)).toBe('en');
    expect(errors).toEqual([]);
    await context.close();
  });
});
