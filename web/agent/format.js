/*
 * How the agent page words a case's details, in the texts from dialogs/pages.yaml (`t` is
 * the page's `agent` part).
 */
import { fill } from '../shared/texts.js';

export function clock(iso) {
  const date = new Date(iso);
  if (isNaN(date.getTime())) return '';
  return date.toLocaleTimeString('da-DK', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Copenhagen' });
}

export function duration(t, seconds) {
  const minutes = Math.floor(Math.max(0, seconds) / 60);
  if (minutes < 1) return t.duration.underMinute;
  if (minutes < 60) return fill(t.duration.minutes, { minutes });
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? fill(t.duration.hoursMinutes, { hours, minutes: rest }) : fill(t.duration.hours, { hours });
}

export function channelName(t, id) {
  return t.channels[id] || id || '–';
}

// The bot's own texts use Markdown bold; in the panel plain text reads better.
export function plain(text) {
  return String(text || '').replace(/\*\*(.+?)\*\*/g, '$1');
}

export function pathText(t, path) {
  return path && path.length ? path.join(' → ') : t.case.noPath;
}

// The server gives the topics in words, as in the queue.
export function topicsText(t, topics) {
  return topics && topics.length ? topics.join(', ') : t.case.noTopics;
}

/** Who has the case, as the agent `username` sees it. */
export function whoHas(t, c, username) {
  if (c.status === 'queued') return t.status.queued;
  if (c.status === 'external') return t.status.external;
  if (c.agent && c.agent.id === username) return t.status.mine;
  return c.agent ? fill(t.status.agent, { agent: c.agent.name }) : t.status.someone;
}

export function speaker(t, line) {
  if (line.from === 'agent') return line.name || t.speakers.agent;
  return t.speakers[line.from] || line.from;
}

export function waitingCount(queue) {
  return queue.cases.filter((c) => c.status === 'queued').length;
}

export function countText(t, queue) {
  const waiting = waitingCount(queue);
  const online = queue.agentsOnline;
  const citizens = waiting === 0 ? t.queue.noCitizens : waiting === 1 ? t.queue.oneCitizen : fill(t.queue.citizens, { count: waiting });
  const agents = online === 1 ? t.queue.oneAgent : fill(t.queue.agents, { count: online });
  return fill(t.queue.count, { citizens, agents });
}
