/*
 * The queue: the desk's state (GET /desk) fetched every few seconds and when a chat says
 * something changed, the waiting cases drawn as cards, and the button that takes a case. The
 * rest of the desk's state (the agent's cases, presence, colleagues) goes to `on.desk(state)`.
 */
import { casePath, quiet } from './api.js';
import { caseCard, queueSignature } from './case-card.js';
import { setText } from './dom.js';
import { countText, waitingCount } from './format.js';
import { fill } from '../shared/texts.js';

const EVERY_MS = 4000;
// The desk's message and the queue change together; a moment's wait sees both.
const SOON_MS = 300;

/** `on.desk(state)` gets each fetched desk state; `on.taken(record)` a case the agent has just taken here. */
export class Queue {
  constructor(desk, on) {
    this.desk = desk;
    this.on = on;
    this.poll = null;
    this.soonTimer = null;
    this.running = false;
    this.again = false;
    // A failed refresh's message goes when a refresh works again; a refused take's stays until the next try.
    this.failed = false;
    this.drawn = '';
    // Bumped when the agent's cases change here; a desk state asked for before that is out of date.
    this.changes = 0;
    desk.el.queueList.addEventListener('click', (event) => {
      const button = event.target.closest ? event.target.closest('button[data-take]') : null;
      if (button) this.take(button.getAttribute('data-take'), button);
    });
  }

  start() {
    this.refresh();
    this.poll = setInterval(() => this.refresh(), EVERY_MS);
  }

  /** The agent's cases changed here (taken, passed on, ended): answers already under way are out of date. */
  changed() {
    this.changes++;
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
    const asked = this.changes;
    try {
      const now = await api.call('GET', '/desk');
      if (this.failed) setText(el.queueError, '');
      this.failed = false;
      if (asked !== this.changes) this.again = true;
      else {
        this.render(now);
        await this.on.desk(now);
      }
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
      this.changed();
      notices.announce(fill(t.queue.taken, { caseId: taken.id }));
      this.on.taken(taken);
      await this.refresh();
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
