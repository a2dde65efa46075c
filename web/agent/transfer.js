/*
 * Passing a case on: a dialog to pick a signed-in colleague (from the desk's list) or the queue,
 * with a note for whoever gets it. `on.done(id)` is told when the case is no longer the agent's.
 */
import { casePath, quiet } from './api.js';
import { make, setText } from './dom.js';
import { fill } from '../shared/texts.js';

const QUEUE = '';

function option(value, text, checked) {
  const label = make('label', 'check');
  const input = document.createElement('input');
  input.type = 'radio';
  input.name = 'to';
  input.value = value;
  input.checked = checked;
  label.append(input, document.createTextNode(' '), make('span', '', text));
  return label;
}

export class TransferDialog {
  constructor(desk, on) {
    this.desk = desk;
    this.on = on;
    this.caseId = null;
    this.colleagues = [];
    this.returnFocus = null;
    const { el } = desk;
    el.transferForm.addEventListener('submit', (event) => {
      event.preventDefault();
      this.send();
    });
    el.transferCancel.addEventListener('click', () => this.close());
    el.transferDialog.addEventListener('close', () => {
      this.caseId = null;
      if (this.returnFocus && this.returnFocus.isConnected) this.returnFocus.focus();
    });
  }

  /** The colleagues signed in now, as the desk reports them (without the agent herself). */
  know(colleagues) {
    this.colleagues = colleagues || [];
  }

  colleagueText(c) {
    const { t } = this.desk;
    const presence = t.presence[c.presence] || c.presence;
    return fill(c.chats === 1 ? t.transfer.colleague : t.transfer.colleagueChats, { name: c.displayName, presence, chats: c.chats });
  }

  open(caseId) {
    const { el, t } = this.desk;
    this.caseId = caseId;
    this.returnFocus = document.activeElement;
    setText(el.transferHeading, fill(t.transfer.heading, { caseId }));
    // Available colleagues first; the first of them is the likely choice.
    const sorted = [...this.colleagues].sort((a, b) => Number(a.presence !== 'available') - Number(b.presence !== 'available'));
    const first = sorted.length ? sorted[0].username : QUEUE;
    el.transferOptions.replaceChildren(...sorted.map((c) => option(c.username, this.colleagueText(c), c.username === first)), option(QUEUE, t.transfer.queue, first === QUEUE));
    el.transferNone.hidden = sorted.length > 0;
    setText(el.transferNone, t.transfer.noColleagues);
    el.transferNote.value = '';
    setText(el.transferError, '');
    el.transferSubmit.disabled = false;
    el.transferDialog.showModal();
    el.transferOptions.querySelector('input:checked').focus();
  }

  close() {
    const { el } = this.desk;
    if (el.transferDialog.open) el.transferDialog.close();
  }

  async send() {
    const { el, t, api, notices } = this.desk;
    const id = this.caseId;
    if (!id) return;
    const chosen = el.transferOptions.querySelector('input:checked');
    const to = chosen ? chosen.value : QUEUE;
    const note = el.transferNote.value.trim();
    const body = { ...(to ? { to } : {}), ...(note ? { note } : {}) };
    el.transferSubmit.disabled = true;
    try {
      await api.call('POST', casePath(id, 'transfer'), body);
      const colleague = this.colleagues.find((c) => c.username === to);
      notices.announce(colleague ? fill(t.case.transferred, { caseId: id, to: colleague.displayName }) : fill(t.case.transferredToQueue, { caseId: id }));
      this.returnFocus = el.queueHeading;
      this.close();
      await this.on.done(id);
    } catch (err) {
      if (!quiet(err)) setText(el.transferError, err.message);
      el.transferSubmit.disabled = false;
    }
  }
}
