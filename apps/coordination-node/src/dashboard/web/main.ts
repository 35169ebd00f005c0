/**
 * The analysts' dashboard: charts, the live exchange feed, counters, the chase list, cross-agency correlations and
 * operation rooms (metadata only). Data comes
 * from the analyst API with the key the analyst signs in with; every value is written with textContent, never as
 * HTML. Bundled by esbuild into dashboard.js (tools/lib/web-pages.ts), which the node serves inline under a hashed
 * Content-Security-Policy (libs/platform/src/web-page.ts).
 */
import { all, byId, setStatus, translateStatic, wireLanguageSwitch, wireSignIn } from '@hub/web';
import { refreshCharts, stopCharts, wireCharts } from './charts';
import { refreshCorrelations } from './correlations';
import { refreshRooms } from './rooms';
import { scheduleRender, startFeed, stopFeed } from './feed';
import { api, session } from './session';
import { refreshStats, renderStats } from './stats';
import { TEXT, VOCAB } from './text';
import type { Stats } from './types';

const KEY_STORAGE = 'hub.analystKey';
const STATS_REFRESH_MS = 15000;
let statsInterval: ReturnType<typeof setInterval> | undefined;

function showSignIn(message: string): void {
  byId('signin').hidden = false;
  byId('dashboard').hidden = true;
  byId('signout').hidden = true;
  byId('signin-error').textContent = message;
  setStatus('', TEXT.status.signedOut);
  byId('signin-key').focus();
}

async function signIn(key: string): Promise<void> {
  session.key = key;
  byId('signin-error').textContent = '';
  try {
    const response = await api.fetch('/v1/stats');
    if (response.status === 401) throw new Error(TEXT.signIn.keyNotAccepted);
    if (response.status === 403) throw new Error(TEXT.signIn.notAnalystKey);
    if (!response.ok) throw new Error(TEXT.signIn.nodeAnswered(response.status));
    const stats = (await response.json()) as Stats;
    sessionStorage.setItem(KEY_STORAGE, key);
    byId('signin').hidden = true;
    byId('dashboard').hidden = false;
    byId('signout').hidden = false;
    renderStats(stats);
    refreshCorrelations();
    refreshCharts();
    refreshRooms();
    // Room activity is not a feed event: the rooms follow the counters' tick.
    statsInterval = setInterval(() => {
      refreshStats();
      refreshRooms();
    }, STATS_REFRESH_MS);
    startFeed();
  } catch (error) {
    session.key = null;
    showSignIn(error instanceof Error ? error.message : String(error));
  }
}

function signOut(message: string): void {
  sessionStorage.removeItem(KEY_STORAGE);
  session.key = null;
  stopFeed();
  stopCharts();
  clearInterval(statsInterval);
  showSignIn(message);
}

translateStatic(TEXT.html, VOCAB);
wireLanguageSwitch(byId<HTMLSelectElement>('language'));
session.signOut = signOut;
wireSignIn(signIn, () => signOut(''), TEXT.signIn.enterKey);
for (const box of all('#filters input')) box.addEventListener('change', scheduleRender);
wireCharts();

const saved = sessionStorage.getItem(KEY_STORAGE);
if (saved) void signIn(saved);
else showSignIn('');
