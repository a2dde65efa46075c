/*
 * The mark the server puts on an agent's words and typing in this widget
 * (channelData.mitidAgent = { name }), and what the widget makes of it for Web Chat.
 */
import { fill } from '../shared/texts.js';

/** The agent's name on an activity she sent, else undefined (the bot's own lines carry no mark). */
export function agentOf(activity) {
  const mark = activity && activity.channelData && activity.channelData.mitidAgent;
  const name = mark && typeof mark.name === 'string' ? mark.name.trim() : '';
  return name || undefined;
}

// The server escapes the agent's < > & and \ for Markdown; a screen reader should not read the backslashes.
const unescapeMarkdown = (text) => text.replace(/\\([\\<>&])/g, '$1');

/**
 * An incoming activity as Web Chat should see it: an agent's carries her name as `from.name`
 * (Web Chat's live region says "<name> skriver." from it) and, for a message, a text for
 * screen readers that says who wrote it, since Web Chat would announce the bot.
 */
export function withAgentName(activity, texts) {
  const name = agentOf(activity);
  if (!name) return activity;
  const named = { ...activity, from: { ...activity.from, name } };
  if (activity.type !== 'message' || typeof activity.text !== 'string') return named;
  const said = fill(texts.agentSaid, { agent: name, text: unescapeMarkdown(activity.text) });
  return { ...named, channelData: { ...activity.channelData, 'webchat:fallback-text': said } };
}

/** Rewrites incoming activities as {@link withAgentName} does and keeps the agents' names it saw in `seen`. */
export function agentNamer(texts) {
  const seen = new Set();
  const rewrite = (activity) => {
    const name = agentOf(activity);
    if (name) seen.add(name);
    return withAgentName(activity, texts);
  };
  return { seen, rewrite };
}
