/*
 * One case's own chat on the desk: a Direct Line conversation of its own (POST /cases/:id/chat),
 * where the agent's lines go to that citizen and the citizen's lines and typing come back.
 * Rendered with a store of its own so a canned reply can be put in the send box.
 */
import { casePath, quiet } from './api.js';
import { make, setText } from './dom.js';
import { BASE_STYLE, connect, LINE } from '../shared/webchat.js';
import { fill } from '../shared/texts.js';

// The citizen's widget sends typing every few seconds while she writes; a pause longer than this means she stopped.
const TYPING_SHOWN_MS = 6000;

// As the desk chat looks, without its suggested-action styling: no buttons come here.
const STYLE = { ...BASE_STYLE, userAvatarBackgroundColor: '#003a82', bubbleMaxWidth: 640, sendBoxHeight: 52 };

/** The number after the "|" of a Direct Line activity id: later activities have larger ones. */
export function sequenceOf(activity) {
  const match = /\|(\d+)$/.exec((activity && activity.id) || '');
  return match ? Number(match[1]) : 0;
}

/**
 * `on.line(id, activity)` hears each message or typing from the other side (the citizen, or the
 * desk about this case); `on.expired()` that the token is no longer taken.
 */
export class CaseChat {
  constructor(desk, id, panel, on) {
    this.desk = desk;
    this.id = id;
    this.on = on;
    this.line = null;
    this.store = null;
    this.typingTimer = null;
    const { t } = desk;
    this.target = make('p', 'chat-target', fill(t.chat.toCase, { caseId: id }));
    this.error = make('p', 'message message-error');
    this.error.setAttribute('role', 'alert');
    this.typing = make('p', 'typing');
    this.typing.setAttribute('aria-live', 'polite');
    this.host = make('div', 'webchat');
    this.host.setAttribute('data-case-chat', id);
    this.host.tabIndex = -1;
    panel.append(this.target, this.error, this.host, this.typing);
  }

  async open(initials) {
    const { t, api } = this.desk;
    let access;
    try {
      access = await api.call('POST', casePath(this.id, 'chat'));
    } catch (err) {
      if (!quiet(err)) setText(this.error, fill(t.tabs.failed, { caseId: this.id }));
      return false;
    }
    if (this.ended) return false;
    // Without a conversation id Direct Line starts it (the desk then sends the case's summary) or, when it exists, goes on with it.
    this.line = connect(location.origin, access.token);
    this.watch(this.line);
    this.render(initials);
    return true;
  }

  render(initials) {
    const { t } = this.desk;
    this.store = window.WebChat.createStore({}, () => (next) => (action) => {
      if (action.type === 'DIRECT_LINE/POST_ACTIVITY_REJECTED') setText(this.error, t.chat.rejected);
      else if (action.type === 'DIRECT_LINE/POST_ACTIVITY_FULFILLED') setText(this.error, '');
      else if (action.type === 'DIRECT_LINE/INCOMING_ACTIVITY') this.incoming(action.payload && action.payload.activity);
      return next(action);
    });
    const inner = make('div', 'webchat-host');
    this.host.replaceChildren(inner);
    window.WebChat.renderWebChat(
      {
        directLine: this.line,
        store: this.store,
        locale: 'da-DK',
        // The citizen sees "Anna skriver …" while the agent writes here.
        sendTypingIndicator: true,
        styleOptions: { ...STYLE, botAvatarInitials: t.chat.botInitials, userAvatarInitials: initials }
      },
      inner
    );
  }

  incoming(activity) {
    if (!activity || !activity.from || activity.from.role === 'user') return;
    if (activity.type === 'typing') this.showTyping();
    else if (activity.type === 'message') this.hideTyping();
    else return;
    this.on.line(this.id, activity);
  }

  showTyping() {
    setText(this.typing, this.desk.t.chat.citizenTyping);
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.hideTyping(), TYPING_SHOWN_MS);
  }

  hideTyping() {
    clearTimeout(this.typingTimer);
    setText(this.typing, '');
  }

  watch(line) {
    const { t } = this.desk;
    line.connectionStatus$.subscribe((status) => {
      if (this.line !== line) return;
      if (status === LINE.expiredToken) this.on.expired();
      else if (status === LINE.failedToConnect) setText(this.error, t.chat.failed);
      else if (status === LINE.online) setText(this.error, '');
    });
  }

  /** Puts `text` in the send box for the agent to read, change and send herself. */
  insert(text) {
    if (!this.store) return false;
    this.store.dispatch({ type: 'WEB_CHAT/SET_SEND_BOX', payload: { text } });
    this.focusSendBox();
    return true;
  }

  /** Web Chat draws its send box a moment after it is rendered; the focus waits for it, for a while. */
  focusSendBox(tries = 30) {
    const box = this.host.querySelector('input[type="text"], textarea');
    if (box) box.focus();
    else if (tries > 0 && !this.ended) setTimeout(() => this.focusSendBox(tries - 1), 100);
    else this.host.focus();
  }

  end() {
    this.ended = true;
    this.hideTyping();
    const ending = this.line;
    this.line = null;
    try {
      if (ending) ending.end();
    } catch {
      // Already closed.
    }
  }
}
