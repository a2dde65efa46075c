/*
 * The agent page (/agent): sign-in, the queue with history and scores beside it, the chat tabs
 * (the desk chat with the bot, and one Web Chat per case the agent has) and the case panel of
 * the tab shown. This module puts the parts in web/agent/ together; each owns what it shows.
 */
import { Alerts } from './agent/alerts.js';
import { createApi } from './agent/api.js';
import { CasePanel } from './agent/case-panel.js';
import { Chat } from './agent/chat.js';
import { ChatTabs } from './agent/chats.js';
import { findElements, setText } from './agent/dom.js';
import { History } from './agent/history.js';
import { Notices } from './agent/notices.js';
import { Presence } from './agent/presence.js';
import { Queue } from './agent/queue.js';
import { Scores } from './agent/scores.js';
import { SignIn } from './agent/sign-in.js';
import { Tabs } from './agent/tabs.js';
import { Templates } from './agent/templates.js';
import { TransferDialog } from './agent/transfer.js';
import { pageTexts } from './shared/texts.js';

/** What the parts share: the signed-in agent's session, and a count bumped at every sign-out. */
const state = { session: null, generation: 0 };
const el = findElements();
const t = pageTexts();
const expired = () => signIn.end(t.signIn.expired, true);
// Parts that reach others do so through the arrow functions below, which run only after all exist.
const desk = {
  el,
  t,
  state,
  title: document.title,
  notices: new Notices(el.deskStatus),
  api: createApi(state, t, (message) => signIn.end(message, true))
};
const presence = new Presence(desk);
const alerts = new Alerts(desk);
const casePanel = new CasePanel(desk, { ended: (id) => caseGone(id), transfer: (id) => transfer.open(id) });
const transfer = new TransferDialog(desk, { done: (id) => caseGone(id) });
const chat = new Chat(desk, { expired, deskSpoke: () => queue.soon() });
const chats = new ChatTabs(desk, { selected: (id) => casePanel.follow(id, chats.count > 0), spoke: () => queue.soon(), expired });
const templates = new Templates(desk, (text) => Boolean(casePanel.activeId) && chats.insert(casePanel.activeId, text));
const history = new History(desk);
const scores = new Scores(desk);
const side = new Tabs(el.sideTabs, (tab) => {
  if (tab === el.scoresTab) scores.load();
});
const queue = new Queue(desk, { desk: followDesk, taken });
const signIn = new SignIn(desk, { started: openDesk, stopped: closeDesk });

/** The server's state of the desk: which cases have tabs, the agent's presence, who she can pass a case to. */
async function followDesk(now) {
  presence.show(now.presence);
  transfer.know(now.colleagues);
  alerts.seen(now.cases, presence.available);
  chats.sync(now.activeCaseIds);
  await casePanel.follow(chats.selectedCaseId(), now.activeCaseIds.length > 0);
}

async function taken(record) {
  await chats.opened(record.id);
  chats.focusCase(record.id);
}

/** A case passed on, handed back or closed here: its tab goes at once, not at the next look at the desk. */
async function caseGone(id) {
  queue.changed();
  chats.remove(id);
  await queue.refresh();
}

function openDesk(resumed) {
  el.login.hidden = true;
  el.desk.hidden = false;
  el.signedIn.hidden = false;
  setText(el.agentName, state.session.agent.displayName);
  setText(el.chatTarget, t.chat.desk);
  el.skipLink.setAttribute('href', '#webchat');
  presence.draw();
  side.select(el.queueTab, false);
  chats.start();
  casePanel.showNone();
  chat.start(resumed);
  templates.load();
  queue.start();
  if (!resumed) el.queueHeading.focus();
}

function closeDesk() {
  queue.stop();
  chat.stop();
  chats.stop();
  transfer.close();
  templates.clear();
  history.clear();
  scores.clear();
  presence.reset();
  alerts.reset();
  desk.notices.clear();
  casePanel.reset();
}

signIn.begin();
