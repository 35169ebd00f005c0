import { Browser, BrowserContext, Page } from 'playwright-core';
import {
  alertBody,
  api,
  awaitDeliveries,
  createAgency,
  launchChromium,
  seriousAxeViolations,
  submitAccepted,
  TestAgency,
  testEnvironment,
} from '@hub/testing';

const env = testEnvironment();
const UI_TIMEOUT_MS = 60000;

// A browser, two officers and a live round trip through the inbox stream.
jest.setTimeout(240000);

interface Officer {
  agency: TestAgency;
  context: BrowserContext;
  page: Page;
  pageErrors: string[];
}

describe('agency console: operation rooms in a real browser', () => {
  let browser: Browser;
  let owner: Officer;
  let member: Officer;
  let roomId: string;

  async function officer(agency: TestAgency): Promise<Officer> {
    // One context each: separate session storage, like two officers on two machines.
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'en-US' });
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    const result: Officer = { agency, context, page, pageErrors: [] };
    page.on('pageerror', (error) => result.pageErrors.push(error.message));
    return result;
  }

  async function openRoom(who: Officer): Promise<void> {
    await who.page.goto(`${env.gateway}/`);
    await who.page.fill('#signin-key', who.agency.key);
    await who.page.click('#signin-submit');
    await showRoom(who);
  }

  /** Signed in already: the Rooms tab, then the room. */
  async function showRoom(who: Officer): Promise<void> {
    await who.page.locator('#status.live').waitFor();
    await who.page.click('#tab-rooms');
    await who.page.click(`#rooms-list button[data-room-id="${roomId}"]`);
    await who.page.locator('#room-title').getByText('Operation Osh crossing').waitFor();
  }

  beforeAll(async () => {
    browser = await launchChromium();
    const [a, b] = await Promise.all([createAgency('TJ'), createAgency('AF', 'partner-agency')]);
    [owner, member] = await Promise.all([officer(a), officer(b)]);
    const created = await api(env.gateway, 'POST', '/v1/rooms', {
      key: a.key,
      body: {
        name: 'Operation Osh crossing',
        purpose: 'Controlled delivery through the Osh post',
        members: [b.id],
        closesAt: new Date(Date.now() + 24 * 3600 * 1000).toISOString(),
      },
    });
    expect(created.status).toBe(201);
    roomId = created.body.roomId;
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('a message posted in one browser context arrives live in the other', async () => {
    await Promise.all([openRoom(owner), openRoom(member)]);
    const text = `Truck crossed at ${new Date().toISOString().slice(11, 16)}`;
    await owner.page.fill('#room-text', text);
    await owner.page.click('#room-post');
    await owner.page.locator('#room-result').getByText('Posted.').waitFor();

    // Live, without reloading: the message comes on the member's inbox stream into the open room.
    const arrived = member.page.locator('#room-messages li').filter({ hasText: text });
    await arrived.waitFor();
    await expect(arrived.locator('.author').textContent()).resolves.toBe(owner.agency.id);
    expect(await member.page.locator('#room-messages li').filter({ hasText: text }).count()).toBe(1);
    // ...and in the inbox, as a room message.
    await member.page.click('#tab-inbox');
    await member.page.locator('#inbox-list button[data-kind="room-message"]').first().waitFor();

    for (const who of [owner, member]) expect(who.pageErrors).toEqual([]);
  });

  it('lists the alerts addressed to the room under its messages, and opens one', async () => {
    const headline = `Consignment at the Osh post ${Date.now()}`;
    const { alertId } = await submitAccepted(
      owner.agency.key,
      alertBody([], {
        headline,
        distribution: { scope: 'restricted', recipients: [], sharingGroups: [], rooms: [roomId] },
      }),
    );
    await awaitDeliveries(member.agency.key, alertId, (entries) => entries.length === 1);
    for (const who of [member, owner]) {
      await who.page.reload();
      await showRoom(who);
      const listed = who.page.locator(`#room-alerts button[data-alert-id="${alertId}"]`);
      await listed.getByText(headline).waitFor();
      expect(await who.page.locator('#room-alerts-empty').isHidden()).toBe(true);
    }
    await expect(
      owner.page.locator(`#room-alerts button[data-alert-id="${alertId}"] .line2`).textContent(),
    ).resolves.toContain('your alert');
    await expect(
      member.page.locator(`#room-alerts button[data-alert-id="${alertId}"] .line2`).textContent(),
    ).resolves.toContain(`from ${owner.agency.id}`);
    // WCAG 2.2 AA as axe-core checks it, with the room and its alerts shown.
    expect(await seriousAxeViolations(member.page)).toEqual([]);
    await member.page.click(`#room-alerts button[data-alert-id="${alertId}"]`);
    await member.page.locator('#detail-title').getByText(headline).waitFor();
    for (const who of [owner, member]) expect(who.pageErrors).toEqual([]);
  });

  it('shows a closed room read-only', async () => {
    expect((await api(env.gateway, 'POST', `/v1/rooms/${roomId}/close`, { key: owner.agency.key })).status).toBe(200);
    await owner.page.reload();
    await owner.page.locator('#status.live').waitFor();
    await owner.page.click('#tab-rooms');
    await owner.page.click(`#rooms-list button[data-room-id="${roomId}"]`);
    await owner.page.locator('#room-closed').getByText('This room is closed: it is read-only.').waitFor();
    expect(await owner.page.locator('#room-form').isHidden()).toBe(true);
  });
});
