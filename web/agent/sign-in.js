/*
 * Signing in and out, with a password or the municipality's identity provider. The session (the
 * agent's token and their conversation with the desk) is kept for the tab, so a reload keeps the
 * agent signed in.
 */
import { setText } from './dom.js';
import { providerReturn, providerError } from './provider-return.js';
import { fill } from '../shared/texts.js';
import { expiryIn, forgetSession, loadSession, saveSession } from '../shared/session.js';

const STORAGE_KEY = 'mitid-hjaelperen:agent';
// A token with less than this left would expire before the desk has started.
const RESUME_MARGIN_MS = 30000;
// A new token is asked for this long before the old one ends, and not more often than every few seconds.
const REFRESH_BEFORE_MS = 120000;
const REFRESH_MIN_MS = 5000;

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

  /**
   * Finishes a sign-in the provider handed back (a one-time code in the URL's fragment, see
   * src/desk/oidc-routes.ts), else picks up the tab's session after a reload, else shows the sign-in.
   */
  async begin() {
    const { state } = this.desk;
    const handed = providerReturn(location);
    // The code is worth nothing once used, but it leaves the address bar and the history at once.
    if (handed) history.replaceState(null, '', location.pathname + location.search);
    if (handed && handed.code) return this.finishProvider(handed.code);
    state.session = loadSession(STORAGE_KEY, RESUME_MARGIN_MS, (saved) => Boolean(saved.agent));
    if (state.session) {
      this.keepFresh();
      return this.on.started(true);
    }
    forgetSession(STORAGE_KEY);
    this.showLogin();
    const options = await this.offer();
    if (handed && handed.error) setText(this.desk.el.loginError, providerError(this.desk.t, handed.error, options));
  }

  /** Shows the provider's button when the server has one, and the password form when there are local accounts. */
  async offer() {
    const { el, t, api } = this.desk;
    let options = { password: true, oidc: null };
    this.offered = true;
    try {
      options = await api.signInOptions();
    } catch {
      // The password form is there all the same; a sign-in with it says what is wrong.
    }
    el.oidc.hidden = !options.oidc;
    if (options.oidc) {
      setText(el.oidcStart, fill(t.signIn.oidc, { provider: options.oidc.name }));
      el.oidcStart.setAttribute('href', options.oidc.start);
    }
    setText(el.oidcOr, options.password ? t.signIn.or : '');
    el.loginForm.hidden = !options.password;
    return options;
  }

  async finishProvider(code) {
    const { el, t, api } = this.desk;
    this.showLogin();
    setText(el.loginInfo, t.signIn.finishing);
    el.loginSubmit.disabled = true;
    try {
      this.started(await api.exchange(code));
    } catch (err) {
      setText(el.loginInfo, '');
      setText(el.loginError, err.message || t.requests.failed);
      await this.offer();
    }
    el.loginSubmit.disabled = false;
  }

  /** A signed-in body (password or provider): the session is kept for the tab and the desk opens. */
  started(data) {
    const { state } = this.desk;
    state.session = { token: data.token, conversationId: data.conversationId, expiresAt: expiryIn(data.expires_in), agent: data.agent };
    saveSession(STORAGE_KEY, state.session);
    this.keepFresh();
    this.on.started(false);
  }

  async signIn(username, password) {
    const { el, t, api } = this.desk;
    el.loginSubmit.disabled = true;
    try {
      const data = await api.login(username, password);
      el.password.value = '';
      setText(el.loginError, '');
      this.started(data);
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
  /**
   * The agent's token lasts minutes, her session hours: a new token is fetched well before the
   * old one runs out, for as long as the server keeps the session (then the refresh is refused,
   * and the agent is back at the sign-in with the reason).
   */
  keepFresh() {
    const { state, api } = this.desk;
    clearTimeout(this.refreshTimer);
    if (!state.session) return;
    const left = state.session.expiresAt - Date.now();
    const wait = Math.max(REFRESH_MIN_MS, Math.min(left - REFRESH_BEFORE_MS, left * 0.75));
    this.refreshTimer = setTimeout(async () => {
      try {
        const fresh = await api.call('POST', '/tokens/refresh');
        state.session = { ...state.session, token: fresh.token, expiresAt: expiryIn(fresh.expires_in) };
        saveSession(STORAGE_KEY, state.session);
      } catch {
        // A refusal has signed the agent out already; a network error is tried again soon.
      }
      this.keepFresh();
    }, wait);
  }

  end(message, isError) {
    const { el, state } = this.desk;
    clearTimeout(this.refreshTimer);
    // Answers to requests made before this are ignored from now on.
    state.generation++;
    this.on.stopped();
    state.session = null;
    forgetSession(STORAGE_KEY);
    setText(isError ? el.loginError : el.loginInfo, message);
    setText(isError ? el.loginInfo : el.loginError, '');
    this.showLogin();
    if (!this.offered) this.offer();
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
