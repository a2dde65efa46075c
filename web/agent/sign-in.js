/*
 * Signing in and out. The session (the agent's token and their conversation with the desk) is
 * kept for the tab, so a reload keeps the agent signed in.
 */
import { setText } from './dom.js';
import { expiryIn, forgetSession, loadSession, saveSession } from '../shared/session.js';

const STORAGE_KEY = 'mitid-hjaelperen:agent';
// A token with less than this left would expire before the desk has started.
const RESUME_MARGIN_MS = 30000;

/** `on.started(resumed)` opens the desk; `on.stopped()` clears it at sign-out. */
export class SignIn {
  constructor(desk, on) {
    this.desk = desk;
    this.on = on;
    const { el, t } = desk;
    el.loginForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const username = el.username.value.trim();
      const password = el.password.value;
      setText(el.loginInfo, '');
      if (!username || !password) {
        setText(el.loginError, t.signIn.missing);
        (username ? el.password : el.username).focus();
        return;
      }
      this.signIn(username, password);
    });
    el.logout.addEventListener('click', () => this.signOut());
  }

  /** Picks up the tab's session after a reload, or shows the sign-in form. */
  begin() {
    const { state } = this.desk;
    state.session = loadSession(STORAGE_KEY, RESUME_MARGIN_MS, (saved) => Boolean(saved.agent));
    if (state.session) this.on.started(true);
    else {
      forgetSession(STORAGE_KEY);
      this.showLogin();
    }
  }

  async signIn(username, password) {
    const { el, t, state, api } = this.desk;
    el.loginSubmit.disabled = true;
    try {
      const data = await api.login(username, password);
      el.password.value = '';
      setText(el.loginError, '');
      state.session = { token: data.token, conversationId: data.conversationId, expiresAt: expiryIn(data.expires_in), agent: data.agent };
      saveSession(STORAGE_KEY, state.session);
      this.on.started(false);
    } catch (err) {
      setText(el.loginError, err.message || t.requests.failed);
      el.password.focus();
      el.password.select();
    }
    el.loginSubmit.disabled = false;
  }

  async signOut() {
    const { el, t, state, api } = this.desk;
    el.logout.disabled = true;
    try {
      await api.call('POST', '/logout');
    } catch {
      // Signed out here all the same; the server forgets the agent after a minute.
    }
    el.logout.disabled = false;
    if (state.session) this.end(t.signIn.loggedOut, false);
  }

  /** Back to the sign-in form; `message` says why (an error, or that the agent signed out). */
  end(message, isError) {
    const { el, state } = this.desk;
    // Answers to requests made before this are ignored from now on.
    state.generation++;
    this.on.stopped();
    state.session = null;
    forgetSession(STORAGE_KEY);
    setText(isError ? el.loginError : el.loginInfo, message);
    setText(isError ? el.loginInfo : el.loginError, '');
    this.showLogin();
    el.username.focus();
  }

  showLogin() {
    const { el, title } = this.desk;
    el.login.hidden = false;
    el.desk.hidden = true;
    el.signedIn.hidden = true;
    el.skipLink.setAttribute('href', '#login-username');
    document.title = title;
  }
}
