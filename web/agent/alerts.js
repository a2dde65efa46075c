/*
 * Telling the agent of a citizen who joined the queue, when she opted in: a short beep made with
 * WebAudio (no sound file) and a desktop notification (the browser asks for permission only when
 * she ticks the box). The tab's title counts the waiting citizens as well (queue.js).
 */
import { fill } from '../shared/texts.js';

const KEY = 'mitid-hjaelperen:agent-alerts';
const BEEP = { hz: 880, seconds: 0.18, volume: 0.15 };

function saved() {
  try {
    return JSON.parse(localStorage.getItem(KEY) || '{}') || {};
  } catch {
    return {};
  }
}

export class Alerts {
  constructor(desk) {
    this.desk = desk;
    this.audio = null;
    this.known = null;
    const { el } = desk;
    const choice = saved();
    el.alertSound.checked = Boolean(choice.sound);
    el.alertDesktop.checked = Boolean(choice.desktop) && this.permitted();
    el.alertSound.addEventListener('change', () => this.soundChanged());
    el.alertDesktop.addEventListener('change', () => this.desktopChanged());
  }

  permitted() {
    return 'Notification' in window && window.Notification.permission === 'granted';
  }

  keep() {
    const { el } = this.desk;
    try {
      localStorage.setItem(KEY, JSON.stringify({ sound: el.alertSound.checked, desktop: el.alertDesktop.checked }));
    } catch {
      // Not kept; the choice holds until the page is closed.
    }
  }

  soundChanged() {
    // Browsers let a page make sound only after a click; the tick is one, so the beep is ready later.
    if (this.desk.el.alertSound.checked) this.beep();
    this.keep();
  }

  async desktopChanged() {
    const { el, t, notices } = this.desk;
    if (!el.alertDesktop.checked) return this.keep();
    if (!('Notification' in window)) {
      el.alertDesktop.checked = false;
      notices.announce(t.alerts.unsupported);
      return this.keep();
    }
    const answer = window.Notification.permission === 'granted' ? 'granted' : await window.Notification.requestPermission();
    if (answer !== 'granted') {
      el.alertDesktop.checked = false;
      notices.announce(t.alerts.denied);
    }
    this.keep();
  }

  /** The queue as fetched; `available` is the agent's presence. The first look only learns who waits. */
  seen(cases, available) {
    const queued = cases.filter((c) => c.status === 'queued');
    const fresh = this.known ? queued.filter((c) => !this.known.has(c.id)) : [];
    this.known = new Set(queued.map((c) => c.id));
    if (fresh.length && available) this.tell(fresh);
  }

  tell(fresh) {
    const { el, t } = this.desk;
    if (el.alertSound.checked) this.beep();
    if (!el.alertDesktop.checked || !this.permitted()) return;
    for (const c of fresh) {
      const note = new window.Notification(t.alerts.title, { body: fill(t.alerts.body, { caseId: c.id, reason: c.reason }), tag: 'case-' + c.id });
      note.onclick = () => window.focus();
    }
  }

  beep() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      this.audio = this.audio || new Context();
      const now = this.audio.currentTime;
      const tone = this.audio.createOscillator();
      const gain = this.audio.createGain();
      tone.frequency.value = BEEP.hz;
      gain.gain.setValueAtTime(BEEP.volume, now);
      gain.gain.exponentialRampToValueAtTime(0.001, now + BEEP.seconds);
      tone.connect(gain).connect(this.audio.destination);
      tone.start(now);
      tone.stop(now + BEEP.seconds);
    } catch {
      // No sound device: the title and the notification still tell.
    }
  }

  /** At sign-out: the next desk learns the queue afresh, without telling of everyone in it. */
  reset() {
    this.known = null;
  }
}
