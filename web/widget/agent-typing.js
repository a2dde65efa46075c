/*
 * The agent's typing, shown to the citizen with her name. The server sends it as a Direct Line
 * `typing` from the bot, marked with her name (agent-mark.js puts the name in `from.name`).
 */
import { fill } from '../shared/texts.js';
import { h } from './elements.js';

/** The Web Chat options for typing both ways; `agents` holds the names agent-mark.js has seen. */
export function typingOptions(texts, agents) {
  const typingIndicatorMiddleware = () => (next) => (options) => {
    const dots = next(options);
    if (!options.visible) return dots;
    // The bot itself never types; anyone else typing with a known agent's name is her.
    const typist = Object.values(options.activeTyping).find((t) => t.role !== 'user' && agents.has(t.name));
    if (!typist) return dots;
    return h('div', { className: 'agent-typing' }, h('span', { key: 'who' }, fill(texts.agentTyping, { agent: typist.name })), h('div', { key: 'dots' }, dots));
  };
  // Web Chat sends the citizen's typing (the agent's desk shows it) while they write.
  return { sendTypingIndicator: true, typingIndicatorMiddleware };
}
