/*
 * A case in the queue, as a card: who has it, how long the citizen has waited, what the bot
 * knows, and for a waiting case the button that takes it.
 */
import { fact, make } from './dom.js';
import { channelName, duration, pathText, topicsText, whoHas } from './format.js';
import { fill } from '../shared/texts.js';

function takeButton(t, c) {
  const take = make('button', 'button', t.queue.take);
  take.type = 'button';
  take.setAttribute('data-take', c.id);
  // Keeps the keyboard on this case's button when the list is drawn again.
  take.setAttribute('data-focus', 'take-' + c.id);
  take.appendChild(make('span', 'visually-hidden', ' ' + fill(t.queue.takeWhich, { caseId: c.id })));
  return take;
}

export function caseCard(t, c, username) {
  const item = make('li', 'case-card case-' + c.status);
  const head = make('div', 'case-card-head');
  head.appendChild(make('h3', '', fill(t.queue.case, { caseId: c.id })));
  head.appendChild(make('span', 'badge badge-' + c.status, whoHas(t, c, username)));
  item.appendChild(head);
  if (c.status !== 'assigned') item.appendChild(make('p', 'waiting', fill(t.queue.waiting, { time: duration(t, c.waitingSeconds) })));

  const facts = make('dl', 'facts compact');
  fact(facts, t.facts.reason, c.reason);
  fact(facts, t.facts.path, pathText(t, c.guidePath));
  fact(facts, t.facts.topics, topicsText(t, c.recentIntents));
  if (c.lastCitizenLine) fact(facts, t.facts.lastLine, fill(t.queue.lastLine, { text: c.lastCitizenLine }));
  fact(facts, t.facts.channel, channelName(t, c.channelId));
  item.appendChild(facts);

  if (c.status === 'queued') item.appendChild(takeButton(t, c));
  return item;
}

/** What the cards show, to draw the list again only when it changed. */
export function queueSignature(queue) {
  return JSON.stringify(
    queue.cases.map((c) => [c.id, c.status, c.reason, c.channelId, Math.floor(c.waitingSeconds / 60), c.guidePath, c.recentIntents, c.agent && c.agent.id, c.lastCitizenLine])
  );
}
