/*
 * The queue: fetched every few seconds and when the desk says something changed, drawn as
 * cards, and the button that takes a case. It also tells the case panel which case is the
 * agent's, as the server sees it.
 */
import { casePath, quiet } from './api.js';
import { caseCard, queueSignature } from './case-card.js';
import { setText } from './dom.js';
import { countText, waitingCount } from './format.js';
import { fill } from '../shared/texts.js';

const EVERY_MS = 4000;
// The desk's message and the queue change together; a moment's wait sees both.
const SOON_MS = 300;

export class Queue {
  constructor(desk, casePanel, chat) {
    this.desk = desk;
    this.casePanel = casePanel;
    this.chat = chat;
    this.poll = null;
    this.soonTimer = null;
    this.running = false;
    this.again = false;
    // A failed refresh's message goes when a refresh works again; a refused take's stays until the next try.
    this.failed = false;
    this.drawn = '';
    desk.el.queueList.addEventListener('click', (event) => {
      const button = event.target.closest ? event.target.closest('button[data-take]') : null;
      if (button) this.take(button.getAttribute('data-take'), button);
    });
  }

  start() {
    this.refresh();
    this.poll = setInterval(() => this.refresh(), EVERY_MS);
  }

  /** Looks at the queue now rather than at the next tick. */
  soon() {
    clearTimeout(this.soonTimer);
    this.soonTimer = setTimeout(() => this.refresh(), SOON_MS);
  }

  stop() {
    const { el } = this.desk;
    clearInterval(this.poll);
    clearTimeout(this.soonTimer);
    this.poll = null;
    this.failed = false;
    this.drawn = '';
    el.queueList.replaceChildren();
    setText(el.queueCount, '');
    setText(el.queueError, '');
  }

  async refresh() {
    const { el, t, state, api } = this.desk;
    if (!state.session) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      const queue = await api.call('GET', '/queue');
      if (this.failed) setText(el.queueError, '');
      this.failed = false;
      this.render(queue);
      await this.casePanel.follow(queue.activeCaseId);
    } catch (err) {
      if (!quiet(err)) {
        this.failed = true;
        setText(el.queueError, err.status === 0 ? t.queue.failed : err.message);
      }
    }
    this.running = false;
    if (this.again) {
      this.again = false;
      this.refresh();
    }
  }

  render(queue) {
    const { el, t, state, title } = this.desk;
    setText(el.queueCount, countText(t, queue));
    const waiting = waitingCount(queue);
    document.title = waiting ? fill(t.queue.pageTitle, { count: waiting, title }) : title;
    el.queueEmpty.hidden = queue.cases.length > 0;
    const signature = queueSignature(queue);
    if (signature === this.drawn) return;
    this.drawn = signature;
    // Drawing the list again must not throw a keyboard user's focus to the top of the page.
    const active = document.activeElement;
    const focused = active && el.queueList.contains(active) ? active.getAttribute('data-focus') : null;
    const username = state.session && state.session.agent.username;
    el.queueList.replaceChildren(...queue.cases.map((c) => caseCard(t, c, username)));
    if (focused) (el.queueList.querySelector('[data-focus="' + CSS.escape(focused) + '"]') || el.queueHeading).focus();
  }

  async take(id, button) {
    const { el, t, api, notices } = this.desk;
    button.disabled = true;
    setText(el.queueError, '');
    try {
      const taken = await api.call('POST', casePath(id, 'take'));
      notices.announce(fill(t.queue.taken, { caseId: taken.id }));
      this.casePanel.open(taken);
      await this.refresh();
      this.chat.focusSendBox();
    } catch (err) {
      if (quiet(err)) return;
      this.failed = false;
      setText(el.queueError, err.message);
      button.disabled = false;
      await this.refresh();
      // The button is gone when someone else took the case; the message is next to the queue.
      if (!document.activeElement || document.activeElement === document.body) el.queueHeading.focus();
    }
  }
}
