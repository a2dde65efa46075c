/*
 * The case panel: which case is the agent's, the note form, and handing the case back to the
 * bot or closing it. `refreshQueue()` is called when the agent's case ended here.
 */
import { casePath, quiet } from './api.js';
import { drawCase } from './case-view.js';
import { setText } from './dom.js';
import { fill } from '../shared/texts.js';

// As src/handoff/agent-routes.ts takes (and web/agent.html's maxlength says).
const NOTE_MAX = 2000;

export class CasePanel {
  constructor(desk, refreshQueue) {
    this.desk = desk;
    this.refreshQueue = refreshQueue;
    this.activeId = null;
    this.drawn = '';
    this.draftFor = null;
    const { el, t } = desk;
    el.noteForm.addEventListener('submit', (event) => {
      event.preventDefault();
      this.saveNote();
    });
    el.release.addEventListener('click', () => this.end('release', t.case.released));
    el.close.addEventListener('click', () => this.end('close', t.case.closed));
  }

  /** Follows the server's word on the agent's case (`id`, or none). */
  async follow(id) {
    const { el, t, api } = this.desk;
    if (!id) {
      if (this.activeId) this.showNone();
      this.activeId = null;
      setText(el.chatTarget, t.chat.noCase);
      return;
    }
    if (id !== this.activeId) this.drawn = '';
    this.activeId = id;
    setText(el.chatTarget, fill(t.chat.toCase, { caseId: id }));
    try {
      const record = await api.call('GET', casePath(id));
      if (this.activeId === record.id) this.show(record);
    } catch (err) {
      if (quiet(err)) return;
      if (err.status === 404) this.showNone();
      else setText(el.caseError, err.message);
    }
  }

  /** The case the agent has just taken. */
  open(record) {
    this.activeId = record.id;
    this.drawn = '';
    this.show(record);
  }

  reset() {
    this.activeId = null;
    this.showNone();
  }

  show(c) {
    const { el, t, state } = this.desk;
    const signature = JSON.stringify(c);
    if (signature === this.drawn) return;
    this.drawn = signature;
    // A draft note belongs to the case it was written for, never to the next one.
    if (this.draftFor !== c.id) {
      el.noteText.value = '';
      setText(el.noteError, '');
    }
    this.draftFor = c.id;
    drawCase(el, t, c, state.session && state.session.agent.username);
  }

  showNone() {
    const { el, t } = this.desk;
    this.drawn = '';
    setText(el.caseHeading, t.case.heading);
    el.caseNone.hidden = false;
    el.caseBody.hidden = true;
    setText(el.caseError, '');
    setText(el.noteError, '');
    setText(el.chatTarget, t.chat.noCase);
  }

  async saveNote() {
    const { el, t, api, notices } = this.desk;
    const id = this.activeId;
    const text = el.noteText.value.trim();
    if (!id) return;
    if (!text || text.length > NOTE_MAX) {
      setText(el.noteError, text ? fill(t.case.longNote, { max: NOTE_MAX }) : t.case.emptyNote);
      el.noteText.focus();
      return;
    }
    el.noteSubmit.disabled = true;
    try {
      const record = await api.call('POST', casePath(id, 'note'), { text });
      el.noteText.value = '';
      setText(el.noteError, '');
      if (this.activeId === record.id) this.show(record);
      notices.announce(t.case.noteSaved);
    } catch (err) {
      if (!quiet(err)) setText(el.noteError, err.message);
    }
    el.noteSubmit.disabled = false;
  }

  /** Hands the case back to the bot (`release`) or closes it (`close`); `done` is the text that confirms it. */
  async end(action, done) {
    const { el, api, notices } = this.desk;
    const id = this.activeId;
    if (!id) return;
    el.release.disabled = true;
    el.close.disabled = true;
    setText(el.caseError, '');
    try {
      await api.call('POST', casePath(id, action));
      notices.announce(fill(done, { caseId: id }));
      this.activeId = null;
      this.showNone();
      el.queueHeading.focus();
      await this.refreshQueue();
    } catch (err) {
      if (!quiet(err)) setText(el.caseError, err.message);
    }
    el.release.disabled = false;
    el.close.disabled = false;
  }
}
