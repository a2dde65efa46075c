/*
 * The agent's case in the case panel: its facts, where the citizen went in the guide, the
 * topics, the citizen's earlier cases, the internal notes and the conversation so far.
 */
import { fact, make, setText } from './dom.js';
import { channelName, clock, duration, pathText, plain, speaker, topicsText, whoHas } from './format.js';
import { fill } from '../shared/texts.js';

function facts(t, c, username) {
  const at = (iso) => fill(t.case.at, { time: clock(iso) });
  const list = document.createDocumentFragment();
  fact(list, t.facts.status, whoHas(t, c, username));
  fact(list, t.facts.reason, c.reason);
  fact(list, t.facts.channel, channelName(t, c.channelId));
  fact(list, t.facts.created, at(c.createdAt));
  if (c.takenAt) {
    fact(list, t.facts.waited, duration(t, (Date.parse(c.takenAt) - Date.parse(c.waitingSince)) / 1000));
    fact(list, t.facts.taken, at(c.takenAt));
  }
  return list;
}

function noteItem(t, note) {
  const item = make('li', 'note');
  item.appendChild(make('p', 'note-meta', fill(t.case.noteBy, { agent: note.agent, time: clock(note.at) })));
  item.appendChild(make('p', 'note-text', note.text));
  return item;
}

function lineItem(t, line) {
  const item = make('li', 'line line-' + line.from);
  const meta = make('p', 'line-meta');
  meta.appendChild(make('span', 'line-who', speaker(t, line)));
  meta.appendChild(make('span', 'line-when', ' ' + fill(t.case.at, { time: clock(line.at) })));
  item.appendChild(meta);
  item.appendChild(make('p', 'line-text', plain(line.text)));
  return item;
}

// A returning citizen's earlier cases (those the agent may read), oldest first, with how each ended.
function earlierText(t, earlier) {
  if (!earlier || !earlier.length) return t.case.noTopics;
  return earlier.map((e) => e.id + ' (' + (t.ended[e.status] || t.status[e.status] || e.status) + ')').join(', ');
}

/** Writes case `c` into the panel's elements `el`, for the agent `username`. */
export function drawCase(el, t, c, username) {
  setText(el.caseHeading, fill(t.case.headingWith, { caseId: c.id }));
  el.caseNone.hidden = true;
  el.caseBody.hidden = false;
  el.caseFacts.replaceChildren(facts(t, c, username));
  setText(el.casePath, pathText(t, c.guidePath));
  setText(el.caseIntents, topicsText(t, c.recentIntents));
  setText(el.caseEarlier, earlierText(t, c.earlier));
  const notes = c.notes || [];
  el.notesNone.hidden = notes.length > 0;
  el.notes.replaceChildren(...notes.map((note) => noteItem(t, note)));
  el.transcript.replaceChildren(...(c.transcript || []).map((line) => lineItem(t, line)));
}
