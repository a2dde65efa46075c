/*
 * A session (token, conversation, expiry) kept for the tab in sessionStorage, so a reload goes
 * on with the same conversation. The widget and the agent page each keep theirs under a key.
 */

/** The session under `key` if it is complete and has more than `marginMs` left, else null. */
export function loadSession(key, marginMs, isComplete) {
  try {
    const saved = JSON.parse(sessionStorage.getItem(key) || 'null');
    if (saved && saved.token && saved.expiresAt > Date.now() + marginMs && isComplete(saved)) return saved;
  } catch {
    // A broken entry is the same as none.
  }
  return null;
}

export function saveSession(key, session) {
  try {
    sessionStorage.setItem(key, JSON.stringify(session));
  } catch {
    // Private browsing may refuse storage; the page still works, only a reload starts afresh.
  }
}

export function forgetSession(key) {
  try {
    sessionStorage.removeItem(key);
  } catch {
    // Nothing was stored.
  }
}

/** When a token that lasts `seconds` (the server's `expires_in`) runs out, on this machine's clock. */
export function expiryIn(seconds) {
  return Date.now() + seconds * 1000;
}
