/*
 * The case panel: the case of the chat tab shown, the note form, and passing the case on,
 * handing it back to the bot or closing it. `on.ended(id)` is told when a case ended here,
 * `on.transfer(id)` when the agent wants to pass it to someone else.
 */
import { casePath, quiet } from './api.js';
import { drawCase } from './case-view.js';
import { setText } from './dom.js';
import { fill } from '../shared/texts.js';

// As src/handoff/case-routes.ts takes (and web/agent.html's maxlength says).
const NOTE_MAX = 2000;

export class CasePanel {
  constructor(desk, on) {
    this.desk = desk;
    this.on = on;
    this.activeId = null;
    this.drawn = '';
    this.draftFor = null;
    this.hasCases = false;
    const { el, t } = desk;
    el.noteForm.addEventListener('submit', (event) => {
      event.preventDefault();
      this.saveNote();
    });
    el.release.addEventListener('click', () => this.end('release', t.case.released));
    el.close.addEventListener('click', () => this.end('close', t.case.closed));
    el.transfer.addEventListener('click', () => {
      if (this.activeId) this.on.transfer(this.activeId);
    });
  }

  /** Shows case `id` (the chat tab shown), or none; `hasCases` says whether the agent has any. */
  async follow(id, hasCases) {
    const { el, api } = this.desk;
    this.hasCases = hasCases;
    if (!id) {
      this.activeId = null;
      this.showNone();
      return;
    }
    if (id !== this.activeId) this.drawn = '';
    this.activeId = id;
    try {
      const record = await api.call('GET', casePath(id));
      if (this.activeId === record.id) this.show(record);
    } catch (err) {
      if (quiet(err)) return;
      if (err.status === 404 && this.activeId === id) this.showNone();
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
    this.hasCases = false;
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
    setText(el.caseNone, this.hasCases ? t.case.pick : t.case.none);
    el.caseNone.hidden = false;
    el.caseBody.hidden = true;
    setText(el.caseError, '');
    setText(el.noteError, '');
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
      await this.on.ended(id);
    } catch (err) {
      if (!quiet(err)) setText(el.caseError, err.message);
    }
    el.release.disabled = false;
    el.close.disabled = false;
  }
}
