/*
 * The history panel: ended cases searched by case id, days and words (GET /history), each as a
 * card. What the citizen wrote is put in as text, like everywhere on the desk.
 */
import { quiet } from './api.js';
import { fact, make, setText } from './dom.js';
import { pathText } from './format.js';
import { fill } from '../shared/texts.js';

function day(iso) {
  const date = new Date(iso);
  if (isNaN(date.getTime())) return '';
  return date.toLocaleString('da-DK', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Copenhagen' });
}

/** The query string for the form's fields; empty fields are left out. */
export function historyQuery(fields) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) if (value.trim()) query.set(name, value.trim());
  const text = query.toString();
  return '/history' + (text ? '?' + text : '');
}

function resultCard(t, c) {
  const item = make('li', 'case-card case-ended');
  const head = make('div', 'case-card-head');
  head.appendChild(make('h3', '', fill(t.queue.case, { caseId: c.id })));
  head.appendChild(make('span', 'badge badge-ended', t.ended[c.status] || c.status));
  item.appendChild(head);
  const facts = make('dl', 'facts compact');
  fact(facts, t.facts.created, day(c.createdAt));
  if (c.endedAt) fact(facts, t.facts.status, fill(t.history.ended, { date: day(c.endedAt) }));
  if (c.agent) fact(facts, t.facts.taken, fill(t.history.by, { agent: c.agent.name }));
  fact(facts, t.facts.reason, c.reason);
  fact(facts, t.facts.path, pathText(t, c.guidePath));
  if (c.lastCitizenLine) fact(facts, t.facts.lastLine, fill(t.queue.lastLine, { text: c.lastCitizenLine }));
  item.appendChild(facts);
  item.appendChild(make('p', 'score', c.satisfaction === undefined ? t.history.noScore : fill(t.history.score, { score: c.satisfaction })));
  if (c.earlierCaseIds && c.earlierCaseIds.length) item.appendChild(make('p', 'earlier', fill(t.history.earlier, { ids: c.earlierCaseIds.join(', ') })));
  return item;
}

export class History {
  constructor(desk) {
    this.desk = desk;
    desk.el.historyForm.addEventListener('submit', (event) => {
      event.preventDefault();
      this.search();
    });
  }

  async search() {
    const { el, t, api } = this.desk;
    const path = historyQuery({ caseId: el.historyCase.value, from: el.historyFrom.value, to: el.historyTo.value, q: el.historyWords.value });
    el.historySubmit.disabled = true;
    setText(el.historyError, '');
    try {
      const { cases } = await api.call('GET', path);
      this.draw(cases);
    } catch (err) {
      if (!quiet(err)) setText(el.historyError, err.status === 0 ? t.history.failed : err.message);
    }
    el.historySubmit.disabled = false;
  }

  draw(cases) {
    const { el, t } = this.desk;
    const count = cases.length;
    setText(el.historyCount, count === 0 ? t.history.none : count === 1 ? t.history.one : fill(t.history.count, { count }));
    el.historyList.replaceChildren(...cases.map((c) => resultCard(t, c)));
  }

  clear() {
    const { el } = this.desk;
    el.historyForm.reset();
    el.historyList.replaceChildren();
    setText(el.historyCount, '');
    setText(el.historyError, '');
  }
}
