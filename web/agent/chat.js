/*
 * The agent's own Web Chat, on the bot's desk: what the agent writes there goes to the citizen
 * of their case, and what the citizen writes comes back in it.
 */
import { setText } from './dom.js';
import { connect, LINE, renderChat } from '../shared/webchat.js';
import { initialsOf } from '../shared/texts.js';

/**
 * `on.expired()` is told when Direct Line no longer takes the token; `on.deskSpoke()` when the
 * desk says something (a case taken in the chat, a citizen who left, a new case).
 */
export class Chat {
  constructor(desk, on) {
    this.desk = desk;
    this.on = on;
    this.line = null;
  }

  start(resumed) {
    const { el, t, state } = this.desk;
    const { session } = state;
    const line = connect(location.origin, session.token, resumed ? session.conversationId : undefined);
    this.line = line;
    this.watch(line);
    const host = document.createElement('div');
    host.className = 'webchat-host';
    el.webchat.replaceChildren(host);
    const style = {
      bubbleMaxWidth: 640,
      botAvatarInitials: t.chat.botInitials,
      userAvatarInitials: initialsOf(session.agent.displayName),
      userAvatarBackgroundColor: '#003a82',
      sendBoxHeight: 52
    };
    renderChat(host, line, style, {
      posted: (ok) => setText(el.chatError, ok ? '' : t.chat.rejected),
      incoming: (activity) => {
        if (activity && activity.from && activity.from.role !== 'user') this.on.deskSpoke();
      }
    });
  }

  watch(line) {
    const { el, t } = this.desk;
    line.connectionStatus$.subscribe((status) => {
      // A line ended at sign-out still reports; only the page's current one counts.
      if (this.line !== line) return;
      if (status === LINE.expiredToken) this.on.expired();
      else if (status === LINE.failedToConnect || status === LINE.ended) setText(el.chatError, t.chat.failed);
      else if (status === LINE.online) setText(el.chatError, '');
    });
  }

  stop() {
    const { el } = this.desk;
    const ending = this.line;
    this.line = null;
    try {
      if (ending) ending.end();
    } catch {
      // Already closed.
    }
    // A fresh container: the next sign-in renders a new Web Chat, never the old one's messages.
    el.webchat.replaceChildren();
    setText(el.chatError, '');
  }

  focusSendBox() {
    const { el } = this.desk;
    const box = el.webchat.querySelector('input[type="text"], textarea');
    if (box) box.focus();
    else el.webchat.focus();
  }
}
