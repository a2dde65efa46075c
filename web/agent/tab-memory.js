/*
 * What the chat tabs remember for the browser tab, so a reload neither loses an unread count nor
 * counts the lines Web Chat fetches again as new: per case the last line seen and the unread
 * count, and which tab was shown.
 */

const KEY = 'mitid-hjaelperen:agent-tabs';

function read() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY) || 'null');
    if (saved && typeof saved === 'object' && saved.cases && typeof saved.cases === 'object') return saved;
  } catch {
    // A broken entry is the same as none.
  }
  return { selected: null, cases: {} };
}

export class TabMemory {
  constructor() {
    this.saved = read();
  }

  write() {
    try {
      sessionStorage.setItem(KEY, JSON.stringify(this.saved));
    } catch {
      // Private browsing may refuse storage; the counts then start afresh after a reload.
    }
  }

  of(id) {
    return this.saved.cases[id] || { seq: 0, unread: 0 };
  }

  set(id, entry) {
    this.saved.cases[id] = entry;
    this.write();
  }

  forget(id) {
    delete this.saved.cases[id];
    if (this.saved.selected === id) this.saved.selected = null;
    this.write();
  }

  get selected() {
    return this.saved.selected;
  }

  set selected(id) {
    this.saved.selected = id;
    this.write();
  }

  clear() {
    this.saved = { selected: null, cases: {} };
    try {
      sessionStorage.removeItem(KEY);
    } catch {
      // Nothing was stored.
    }
  }
}
