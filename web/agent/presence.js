/*
 * The agent's presence (available or away): a toggle in the header, kept on the server
 * (POST /presence), which tells only available agents of new cases; away, the page is quiet too.
 */
import { quiet } from './api.js';
import { setText } from './dom.js';
import { fill } from '../shared/texts.js';

export class Presence {
  constructor(desk) {
    this.desk = desk;
    this.status = 'available';
    this.sending = false;
    desk.el.presence.addEventListener('click', () => this.toggle());
  }

  get available() {
    return this.status === 'available';
  }

  /** The server's word (GET /desk), unless the agent is changing it right now. */
  show(status) {
    if (this.sending || !status) return;
    this.status = status;
    this.draw();
  }

  draw() {
    const { el, t } = this.desk;
    setText(el.presence, fill(t.presence.toggle, { status: t.presence[this.status] || this.status }));
    el.presence.classList.toggle('is-away', !this.available);
    setText(el.presenceHint, this.available ? '' : t.presence.awayHint);
  }

  async toggle() {
    const { el, t, api, notices } = this.desk;
    const wanted = this.available ? 'away' : 'available';
    this.sending = true;
    el.presence.disabled = true;
    try {
      const answer = await api.call('POST', '/presence', { status: wanted });
      this.status = answer.presence;
      this.draw();
      notices.announce(fill(t.presence.changed, { status: t.presence[this.status] }));
    } catch (err) {
      if (!quiet(err)) notices.announce(err.message);
    }
    this.sending = false;
    el.presence.disabled = false;
  }

  reset() {
    this.status = 'available';
    this.sending = false;
  }
}
