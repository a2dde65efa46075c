/*
 * MitID-hjælperen in the browser: the page at / (and, in an iframe, the panel that /embed.js
 * opens on other sites). Gets a token from this server's Direct Line endpoint, keeps it for
 * the tab and renders the official Bot Framework Web Chat.
 */
import { pageTexts } from './shared/texts.js';
import { connect, LINE, renderChat } from './shared/webchat.js';
import { agentLineOptions } from './widget/agent-lines.js';
import { agentNamer } from './widget/agent-mark.js';
import { typingOptions } from './widget/agent-typing.js';
import { fitScreen } from './widget/compact.js';
import { keepFresh, startSession } from './widget/tokens.js';

const texts = pageTexts();
const origin = new URL(import.meta.url).origin;
const storageKey = 'mitid-hjaelperen:' + origin;
const statusBox = document.getElementById('chat-status');

function showStatus(text) {
  if (!statusBox) return;
  statusBox.textContent = text;
  statusBox.hidden = !text;
}

// Inside the embed panel, Esc closes the panel: the key press never reaches the host page.
function closeOnEscape() {
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') window.parent.postMessage({ type: 'mitid-hjaelperen:close' }, '*');
  });
}

async function start() {
  const { session, resumed } = await startSession(origin, storageKey, texts);
  keepFresh(origin, storageKey, session, texts);
  const line = connect(origin, session.token, resumed ? session.conversationId : undefined);
  line.connectionStatus$.subscribe((status) => {
    if (status === LINE.failedToConnect || status === LINE.ended) showStatus(texts.failed);
    else if (status === LINE.online) showStatus('');
  });
  const style = { botAvatarInitials: texts.botInitials, userAvatarInitials: texts.userInitials, suggestedActionHeight: 44, sendBoxHeight: 56 };
  const agents = agentNamer(texts);
  // Web Chat shows its own "could not send"; the status line says why when we know.
  const on = { posted: (ok) => showStatus(ok ? '' : texts.busy), rewrite: agents.rewrite };
  const options = { ...agentLineOptions(texts), ...typingOptions(texts, agents.seen) };
  fitScreen(style, (fitted) => renderChat(document.getElementById('webchat'), line, fitted, on, options));
}

if (window.parent !== window) closeOnEscape();
start().catch((err) => showStatus(err && err.message ? err.message : texts.failed));
