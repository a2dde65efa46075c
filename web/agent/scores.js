/*
 * The scores panel: the citizens' 1–5 ratings per agent (her own line; a supervisor sees
 * everyone's) and for all cases, from GET /scores.
 */
import { quiet } from './api.js';
import { make, setText } from './dom.js';
import { fill } from '../shared/texts.js';

function number(value) {
  return value === null || value === undefined ? '–' : value.toLocaleString('da-DK', { maximumFractionDigits: 2 });
}

function row(cells, header) {
  const tr = make('tr');
  cells.forEach((text, i) => {
    const cell = make(i === 0 && header ? 'th' : 'td', '', text);
    if (i === 0 && header) cell.setAttribute('scope', 'row');
    tr.appendChild(cell);
  });
  return tr;
}

export class Scores {
  constructor(desk) {
    this.desk = desk;
    desk.el.scoresRefresh.addEventListener('click', () => this.load());
  }

  async load() {
    const { el, t, api } = this.desk;
    setText(el.scoresError, '');
    try {
      this.draw(await api.call('GET', '/scores'));
    } catch (err) {
      if (!quiet(err)) setText(el.scoresError, err.status === 0 ? t.scores.failed : err.message);
    }
  }

  draw(scores) {
    const { el, t } = this.desk;
    const rated = (count) => fill(t.scores.rated, { rated: count });
    const rows = scores.agents.map((a) => row([a.name, number(a.average), rated(a.rated) + ' · ' + fill(t.scores.closed, { closed: a.closed })], true));
    rows.push(row([t.scores.total, number(scores.overall.average), rated(scores.overall.rated)], true));
    if (!scores.overall.rated) rows.push(row([t.scores.none, '', ''], false));
    el.scoresBody.replaceChildren(...rows);
  }

  clear() {
    this.desk.el.scoresBody.replaceChildren();
  }
}
