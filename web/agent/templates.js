/*
 * Canned replies (dialogs/handoff.yaml `templates`, from GET /templates): a click puts the text
 * in the send box of the case shown, where the agent reads it, may change it, and sends it.
 */
import { quiet } from './api.js';
import { make, setText } from './dom.js';

/** `insert(text)` puts the text in the shown case's send box and says whether it could. */
export class Templates {
  constructor(desk, insert) {
    this.desk = desk;
    this.insert = insert;
    this.texts = new Map();
    desk.el.templates.addEventListener('click', (event) => {
      const button = event.target.closest ? event.target.closest('button[data-template]') : null;
      if (button) this.use(button.getAttribute('data-template'));
    });
  }

  async load() {
    const { el, t, api } = this.desk;
    try {
      const { templates } = await api.call('GET', '/templates');
      this.texts = new Map(templates.map((x) => [x.name, x.text]));
      el.templates.replaceChildren(...templates.map((x) => this.item(x)));
      el.templatesNone.hidden = templates.length > 0;
      setText(el.templatesNone, t.templates.none);
    } catch (err) {
      if (quiet(err)) return;
      el.templatesNone.hidden = false;
      setText(el.templatesNone, t.templates.failed);
    }
  }

  item(template) {
    const { t } = this.desk;
    const item = make('li');
    const button = make('button', 'button button-secondary template', template.title);
    button.type = 'button';
    button.setAttribute('data-template', template.name);
    button.title = template.text;
    button.appendChild(make('span', 'visually-hidden', ' – ' + t.templates.insertWhich));
    item.appendChild(button);
    return item;
  }

  use(name) {
    const text = this.texts.get(name);
    if (text && this.insert(text)) this.desk.notices.announce(this.desk.t.templates.inserted);
  }

  clear() {
    this.texts = new Map();
    this.desk.el.templates.replaceChildren();
  }
}
