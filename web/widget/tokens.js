/*
 * The citizen's Direct Line token: a new one from this server, or the one kept for the tab,
 * refreshed well before it expires so a long conversation is not cut off.
 */
import { expiryIn, loadSession, saveSession } from '../shared/session.js';

// A token with less than this left is not worth resuming with.
const RESUME_MARGIN_MS = 60000;
const REFRESH_BEFORE_MS = 5 * 60000;

/** Thrown with the text to show the citizen. */
async function post(url, token, texts) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = 'Bearer ' + token;
  const res = await fetch(url, { method: 'POST', headers });
  if (res.status === 429) throw new Error(texts.busy);
  if (!res.ok) throw new Error(texts.failed);
  return res.json();
}

/** The tab's session, or a new conversation's; `resumed` says which. */
export async function startSession(origin, storageKey, texts) {
  const saved = loadSession(storageKey, RESUME_MARGIN_MS, () => true);
  if (saved) return { session: saved, resumed: true };
  const t = await post(origin + '/v3/directline/tokens/generate', null, texts);
  const fresh = { token: t.token, conversationId: t.conversationId, expiresAt: expiryIn(t.expires_in) };
  saveSession(storageKey, fresh);
  return { session: fresh, resumed: false };
}

/** Refreshes `current` shortly before it expires, and the refreshed one after it, for as long as the page is open. */
export function keepFresh(origin, storageKey, current, texts) {
  setTimeout(async () => {
    try {
      const t = await post(origin + '/v3/directline/tokens/refresh', current.token, texts);
      const next = { token: t.token, conversationId: current.conversationId, expiresAt: expiryIn(t.expires_in) };
      saveSession(storageKey, next);
      keepFresh(origin, storageKey, next, texts);
    } catch {
      keepFresh(origin, storageKey, current, texts);
    }
  }, Math.max(30000, current.expiresAt - Date.now() - REFRESH_BEFORE_MS));
}
