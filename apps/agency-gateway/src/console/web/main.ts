/**
 * The agency console: an officer posts alerts, reads the inbox live, acknowledges, forwards, follows its own alerts
 * and sees match notices. Everything goes through the agency API with the key the officer signs in with; every value
 * is written with textContent, never as HTML. Bundled by esbuild into console.js (tools/lib/web-pages.ts), which the
 * gateway serves inline under a hashed Content-Security-Policy (libs/platform/src/web-page.ts).
 */
import { all, byId, setStatus, SignedOut, translateStatic, wireLanguageSwitch, wireSignIn } from '@hub/web';
import { wireAlertForm } from './alert-form';
import { wireHits } from './hits';
import { fillChoices } from './choices';
import { showPane } from './detail';
import { inboxStream, wireInbox } from './inbox';
import { wireRecipientActions } from './received';
import { clearRooms, refreshRooms, wireRooms } from './rooms';
import { wireSenderActions } from './sender-view';
import { refreshSent, wireTabs } from './sent';
import { api, session, state } from './state';
import { TEXT, VOCAB } from './text';
import type { Directory } from './types';

const KEY_STORAGE = 'hub.agencyKey';

function showSignIn(message: string): void {
  byId('signin').hidden = false;
  byId('console').hidden = true;
  byId('signout').hidden = true;
  byId('agency-name').textContent = '';
  byId('signin-error').textContent = message;
  setStatus('', TEXT.status.signedOut);
  byId('signin-key').focus();
}

async function signIn(key: string): Promise<void> {
  state.key = key;
  byId('signin-error').textContent = '';
  try {
    const answer = await api.request<Directory>('GET', '/v1/agencies');
    if (answer.status === 403) throw new Error(TEXT.signIn.notAgencyKey);
    if (answer.status !== 200) throw new Error(TEXT.signIn.gatewayAnswered(answer.status));
    sessionStorage.setItem(KEY_STORAGE, key);
    state.directory = answer.body;
    const self = answer.body.self;
    byId('agency-name').textContent = TEXT.signIn.agencyName(self.id, self.name);
    byId('signin').hidden = true;
    byId('console').hidden = false;
    byId('signout').hidden = false;
    fillChoices();
    inboxStream.start();
    void refreshSent();
    void refreshRooms();
  } catch (error) {
    if (error instanceof SignedOut) return;
    state.key = null;
    showSignIn(error instanceof Error ? error.message : String(error));
  }
}

function signOut(message: string): void {
  sessionStorage.removeItem(KEY_STORAGE);
  state.key = null;
  inboxStream.stop();
  clearInterval(state.senderTimer);
  state.inbox = [];
  state.seenDeliveries.clear();
  state.freshDeliveries.clear();
  state.sent = [];
  state.selected = null;
  byId('inbox-list').textContent = '';
  byId('sent-list').textContent = '';
  clearRooms();
  showPane('placeholder');
  showSignIn(message);
}

/** The page in the chosen language: static texts, enum names, TLP meanings as tooltips, and the switch. */
function localise(): void {
  translateStatic(TEXT.html, VOCAB);
  for (const box of all<HTMLInputElement>('input[name="tlp"]')) {
    const meaning = (VOCAB.tlp as Record<string, string>)[box.value];
    if (meaning && box.parentElement) box.parentElement.title = meaning;
  }
  wireLanguageSwitch(byId<HTMLSelectElement>('language'));
}

localise();
session.signOut = signOut;
wireSignIn(signIn, () => signOut(''), TEXT.signIn.enterKey);
wireTabs();
wireInbox();
wireRecipientActions();
wireSenderActions();
wireAlertForm();
wireHits();
wireRooms();

const saved = sessionStorage.getItem(KEY_STORAGE);
if (saved) void signIn(saved);
else showSignIn('');
