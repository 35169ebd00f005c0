import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import fs from 'node:fs';
import {
  api,
  expectEventually,
  launchChromium,
  senderView,
  seriousAxeViolations,
  TEST_ARTIFACTS,
  testEnvironment,
} from '@hub/testing';
import { KeyFile, seedDemoAgencies } from '../tools/lib/seed';

/**
 * `npm run demo`, as the README has newcomers run it, against the test hub: it exits 0 and what it posted arrived.
 * It runs twice: the second run finds KZ-CND's inbox holding a match notice about its own alert (the demo's two
 * container alerts match), which is not a delivery to acknowledge.
 */
const env = testEnvironment();
const run = promisify(execFile);
const ROOT = path.join(__dirname, '..');

interface Posted {
  from: string;
  alertId: string;
}

let roomAlertId: string | undefined;

async function runDemo(keyFile: string): Promise<Posted[]> {
  // Rejects, with the output, unless the command exits 0.
  const { stdout } = await run('npm', ['run', '-s', 'demo'], {
    cwd: ROOT,
    env: { ...process.env, GATEWAY_URL: env.gateway, HUB_DEMO_KEYS: keyFile },
  });
  roomAlertId = /\[demo\] KZ-CND addressed alert (\S+) to the room/.exec(stdout)?.[1];
  return [...stdout.matchAll(/\[demo\] (\S+) posted .* → (\S+)$/gm)].map(([, from, alertId]) => ({ from, alertId }));
}

describe('npm run demo', () => {
  const keyFile = path.join(fs.mkdtempSync(path.join(tmpdir(), 'hub-demo-')), 'demo-keys.json');
  let keys: KeyFile['keys'];

  beforeAll(async () => {
    ({ keys } = await seedDemoAgencies(env.gateway, env.adminKey, keyFile));
  });

  const recipientsOf = async (posted: Posted) => {
    const view = await senderView(keys[posted.from].key, posted.alertId);
    if (view.status !== 200) throw new Error(`GET /v1/alerts/${posted.alertId}: ${view.status}`);
    return new Map<string, any>(view.body.recipients.map((r: any) => [r.agencyId, r]));
  };

  it('posts, updates, cancels and acknowledges, and its alerts reach their recipients, also with match notices in an inbox', async () => {
    const first = await runDemo(keyFile);
    expect(first.map((p) => p.from)).toEqual(['TJ-BF', 'KZ-CND', 'UZ-NIC', 'KG-DCS', 'AZ-SCC', 'RU-BS']);
    const [truck, khorgos, courier, osh, ferry] = first;

    // Each reached whom it names: the RED courier alert TJ-DCA alone, the Osh alert KZ-CND and CARICC, ...
    await expectEventually(async () => (await recipientsOf(courier)).get('TJ-DCA')?.deliveredVersion === 1, {
      description: 'courier alert at TJ-DCA',
    });
    await expectEventually(
      async () => {
        const recipients = await recipientsOf(osh);
        return recipients.get('KZ-CND')?.deliveredVersion === 1 && recipients.get('CARICC')?.deliveredVersion === 1;
      },
      { description: 'Osh alert at KZ-CND and CARICC' },
    );
    await expectEventually(async () => (await recipientsOf(khorgos)).get('CARICC')?.deliveredVersion === 1, {
      description: 'Khorgos alert at CARICC',
    });
    // ... the corrected truck as version 2 to every agency of the region, the ferry's cancel to the Caspian group.
    await expectEventually(async () => (await recipientsOf(truck)).get('KG-BS')?.deliveredVersion === 2, {
      description: 'truck version 2 at KG-BS',
    });
    await expectEventually(async () => (await recipientsOf(ferry)).get('KZ-BS')?.deliveredKind === 'cancel', {
      description: 'ferry cancel at KZ-BS',
    });

    // KZ-CND's container alert matches KG-DCS's: KZ-CND is told, in its inbox.
    await expectEventually(
      async () => {
        const inbox = await api(env.gateway, 'GET', '/v1/inbox?limit=500', { key: keys['KZ-CND'].key });
        return inbox.body.items.some((item: { kind: string }) => item.kind === 'match');
      },
      { description: 'a match notice in KZ-CND inbox' },
    );

    // The operation room with the partner agency: its alert reaches the room's members (AF-CND included), no one else.
    const roomAlert = { from: 'KZ-CND', alertId: roomAlertId! };
    expect(roomAlert.alertId).toBeDefined();
    await expectEventually(async () => (await recipientsOf(roomAlert)).get('AF-CND')?.deliveredVersion === 1, {
      description: 'the room alert at the partner agency AF-CND',
    });
    expect((await recipientsOf(roomAlert)).has('KZ-BS')).toBe(false);
    // ... while the region-wide truck alert never reached the partner agency.
    expect((await recipientsOf(truck)).has('AF-CND')).toBe(false);

    const second = await runDemo(keyFile);
    expect(second).toHaveLength(6);
    // The second run read every reader's inbox to the end: the first run's deliveries are acknowledged now.
    expect((await recipientsOf(osh)).get('KZ-CND')?.ack).toMatchObject({ version: 1 });
    expect((await recipientsOf(courier)).get('TJ-DCA')?.ack).toMatchObject({ version: 1, status: 'received' });
    expect((await recipientsOf(truck)).get('UZ-BT')?.ack).toMatchObject({ version: 2 });
  });

  // The pages as a newcomer sees them after the demo, on a 1366x850 laptop: the README's pictures come from here
  // (test-artifacts/dashboard-demo.png → docs/dashboard.png, console-ru-demo.png → docs/console-ru.png).
  it('shows the demo on the dashboard with its charts, and a match notice by its headlines in the Russian console', async () => {
    const browser = await launchChromium();
    try {
      const viewport = { width: 1366, height: 850 };
      const dashboard = await (await browser.newContext({ viewport, locale: 'en-US' })).newPage();
      await dashboard.goto(`${env.coordination}/`);
      await dashboard.fill('#signin-key', keys['CARICC-analyst'].key);
      await dashboard.click('#signin-submit');
      await dashboard.locator('#status.live').waitFor({ timeout: 60000 });
      await dashboard.locator('#feed-body tr[data-type="alert.acked"]').first().waitFor({ timeout: 60000 });
      await expectEventually(
        async () =>
          Number(await dashboard.getAttribute('#chart-flows', 'data-total')) > 0 &&
          Number(await dashboard.getAttribute('#chart-alerts', 'data-total')) >= 12,
        { description: "the demo's alerts in the charts" },
      );
      // "Acknowledged" stays inside the Event column instead of running over the alert id.
      const overEventColumn = await dashboard.evaluate(`[...document.querySelectorAll('#feed-body td .event')]
        .filter((label) => label.getBoundingClientRect().right > label.parentElement.getBoundingClientRect().right - 2)
        .map((label) => label.textContent)`);
      expect(overEventColumn).toEqual([]);
      expect(await seriousAxeViolations(dashboard)).toEqual([]);
      fs.mkdirSync(TEST_ARTIFACTS, { recursive: true });
      await dashboard.screenshot({ path: path.join(TEST_ARTIFACTS, 'dashboard-demo.png') });

      const officer = await (await browser.newContext({ viewport, locale: 'ru-RU' })).newPage();
      await officer.goto(`${env.gateway}/`);
      await officer.fill('#signin-key', keys['KZ-CND'].key);
      await officer.click('#signin-submit');
      await officer.locator('#status.live').waitFor({ timeout: 60000 });
      const notice = officer.locator('#inbox-list button[data-kind="match"]').first();
      await notice.waitFor({ timeout: 60000 });
      // KZ-CND holds KG-DCS's Osh alert: the notice names both alerts by their headlines, not by UUIDs.
      await expectEventually(
        async () => ((await notice.locator('.headline').textContent()) ?? '').includes('\u00abContainer with declared'),
        { description: 'the own headline in the notice title' },
      );
      const title = (await notice.locator('.headline').textContent()) ?? '';
      expect(title).toMatch(/^Совпадение: «.+» и «.+» \(KG-DCS\)$/);
      expect(title).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}/);
      await notice.click();
      await officer.locator('#detail-notice .match-text').waitFor();
      expect(await officer.textContent('#detail-notice .match-text')).toMatch(
        /^Ваше оповещение «.+» совпадает с оповещением «.+» ведомства KG-DCS \(контейнер: CSQU3054383\)\.$/,
      );
      expect(await seriousAxeViolations(officer)).toEqual([]);
      await officer.screenshot({ path: path.join(TEST_ARTIFACTS, 'console-ru-demo.png') });
    } finally {
      await browser.close();
    }
  });
});
