/*
 * The tabs above the chat: the desk chat, and one tab with its own Web Chat for each case the
 * agent has (as many as the server's maxChats allows). A tab not shown counts the lines that
 * arrive in it. The server's list of the agent's cases decides which tabs there are.
 */
import { CaseChat, sequenceOf } from './case-chat.js';
import { make, setText } from './dom.js';
import { TabMemory } from './tab-memory.js';
import { Tabs } from './tabs.js';
import { fill, initialsOf } from '../shared/texts.js';

const tabId = (id) => 'tab-case-' + id;
const panelId = (id) => 'chat-case-' + id;

/** `on.selected(caseId or null)` hears which case is shown; `on.spoke()` that a case's chat said something; `on.expired()` a dead token. */
export class ChatTabs {
  constructor(desk, on) {
    this.desk = desk;
    this.on = on;
    this.cases = new Map();
    this.memory = new TabMemory();
    this.tabs = new Tabs(desk.el.chatTabs, (tab) => this.shown(tab));
  }

  /** The desk tab first; the tab shown before a reload, if its case is still the agent's, comes with {@link sync}. */
  start() {
    this.resume = this.memory.selected;
    this.tabs.select(this.desk.el.deskTab, false);
  }

  selectedCaseId() {
    const tab = this.tabs.selected();
    return tab && tab.hasAttribute('data-case') ? tab.getAttribute('data-case') : null;
  }

  get count() {
    return this.cases.size;
  }

  /** Follows the server's list of the agent's open cases: new ones get a tab, ended ones lose theirs. */
  sync(activeIds) {
    for (const id of activeIds) if (!this.cases.has(id)) this.add(id, id === this.resume);
    for (const id of [...this.cases.keys()]) if (!activeIds.includes(id)) this.remove(id);
  }

  /** A case the agent has just taken: its tab opens and is shown; resolves when its chat is there. */
  opened(id) {
    if (this.cases.has(id)) this.select(id);
    else this.add(id, true);
    return this.cases.get(id).ready;
  }

  select(id) {
    const entry = this.cases.get(id);
    if (entry) this.tabs.select(entry.tab, false);
  }

  add(id, show) {
    const { el, t, state } = this.desk;
    const tab = make('button', 'tab');
    tab.type = 'button';
    tab.id = tabId(id);
    tab.setAttribute('role', 'tab');
    tab.setAttribute('aria-controls', panelId(id));
    tab.setAttribute('aria-selected', 'false');
    tab.setAttribute('data-case', id);
    tab.tabIndex = -1;
    const badge = make('span', 'unread');
    badge.setAttribute('aria-hidden', 'true');
    const spoken = make('span', 'visually-hidden');
    tab.append(make('span', 'tab-name', fill(t.tabs.case, { caseId: id })), badge, spoken);
    const panel = make('div', 'tab-panel chat-panel');
    panel.id = panelId(id);
    panel.setAttribute('role', 'tabpanel');
    panel.setAttribute('aria-labelledby', tab.id);
    panel.hidden = true;
    el.chatTabs.appendChild(tab);
    el.caseChats.appendChild(panel);
    const chat = new CaseChat(this.desk, id, panel, { line: (caseId, activity) => this.line(caseId, activity), expired: () => this.on.expired() });
    const entry = { tab, panel, badge, spoken, chat, ...this.memory.of(id) };
    this.cases.set(id, entry);
    this.drawUnread(entry);
    if (show) this.tabs.select(tab, false);
    entry.ready = chat.open(initialsOf(state.session && state.session.agent.displayName));
  }

  remove(id) {
    const entry = this.cases.get(id);
    if (!entry) return;
    const wasShown = entry.tab.getAttribute('aria-selected') === 'true';
    const keyboardInside = entry.panel.contains(document.activeElement) || entry.tab === document.activeElement;
    entry.chat.end();
    this.cases.delete(id);
    this.memory.forget(id);
    entry.tab.remove();
    entry.panel.remove();
    if (wasShown) this.tabs.select(this.desk.el.deskTab, keyboardInside);
  }

  /** A line or typing in a case's chat; a message in a tab not shown counts as unread. */
  line(id, activity) {
    const entry = this.cases.get(id);
    if (!entry) return;
    const seq = sequenceOf(activity);
    if (activity.type === 'message' && seq > entry.seq) {
      entry.seq = seq;
      if (entry.tab.getAttribute('aria-selected') !== 'true') entry.unread++;
      this.remember(id, entry);
      this.drawUnread(entry);
    }
    if (activity.type === 'message') this.on.spoke();
  }

  shown(tab) {
    const id = tab.hasAttribute('data-case') ? tab.getAttribute('data-case') : null;
    const entry = id && this.cases.get(id);
    if (entry) {
      entry.unread = 0;
      this.remember(id, entry);
      this.drawUnread(entry);
    }
    this.memory.selected = id;
    this.on.selected(id);
  }

  remember(id, entry) {
    this.memory.set(id, { seq: entry.seq, unread: entry.unread });
  }

  drawUnread(entry) {
    const { t } = this.desk;
    const count = entry.unread;
    const short = count === 1 ? t.tabs.unreadOne : fill(t.tabs.unread, { count });
    const long = count === 1 ? t.tabs.unreadOneLong : fill(t.tabs.unreadLong, { count });
    setText(entry.badge, count ? short : '');
    setText(entry.spoken, count ? ' ' + long : '');
    entry.tab.classList.toggle('has-unread', count > 0);
  }

  insert(id, text) {
    const entry = this.cases.get(id);
    return Boolean(entry && entry.chat.insert(text));
  }

  focusCase(id) {
    const entry = this.cases.get(id);
    if (entry) entry.chat.focusSendBox();
  }

  /** At sign-out: every case chat ends, and nothing of them is kept for the tab. */
  stop() {
    for (const entry of this.cases.values()) {
      entry.chat.end();
      entry.tab.remove();
      entry.panel.remove();
    }
    this.cases.clear();
    this.memory.clear();
  }
}
