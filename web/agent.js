/*
 * The agent page (/agent): sign-in, the queue, the agent's own Web Chat with the bot's desk
 * (what the agent writes there goes to the citizen of their case) and the case panel. This
 * module puts the parts in web/agent/ together; each owns what it shows and keeps.
 */
import { createApi } from './agent/api.js';
import { CasePanel } from './agent/case-panel.js';
import { Chat } from './agent/chat.js';
import { findElements, setText } from './agent/dom.js';
import { Notices } from './agent/notices.js';
import { Queue } from './agent/queue.js';
import { SignIn } from './agent/sign-in.js';
import { pageTexts } from './shared/texts.js';

/** What the parts share: the signed-in agent's session, and a count bumped at every sign-out. */
const state = { session: null, generation: 0 };
const el = findElements();
const t = pageTexts();
// Parts that reach others do so through the arrow functions below, which run only after all exist.
const desk = {
  el,
  t,
  state,
  title: document.title,
  notices: new Notices(el.deskStatus),
  api: createApi(state, t, (message) => signIn.end(message, true))
};
const casePanel = new CasePanel(desk, () => queue.refresh());
const chat = new Chat(desk, { expired: () => signIn.end(t.signIn.expired, true), deskSpoke: () => queue.soon() });
const queue = new Queue(desk, casePanel, chat);
const signIn = new SignIn(desk, { started: openDesk, stopped: closeDesk });

function openDesk(resumed) {
  el.login.hidden = true;
  el.desk.hidden = false;
  el.signedIn.hidden = false;
  setText(el.agentName, state.session.agent.displayName);
  el.skipLink.setAttribute('href', '#webchat');
  casePanel.showNone();
  chat.start(resumed);
  queue.start();
  if (!resumed) el.queueHeading.focus();
}

function closeDesk() {
  queue.stop();
  chat.stop();
  desk.notices.clear();
  casePanel.reset();
}

signIn.begin();
