/*
 * A tab list as WAI-ARIA describes it: one tab in the Tab order, the arrow keys, Home and End
 * move between tabs, and each tab shows its own panel (named by aria-controls).
 */

const KEYS = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

export class Tabs {
  /** `list` is the role="tablist" element; `onSelect(tab)` hears which tab is now shown. */
  constructor(list, onSelect) {
    this.list = list;
    this.onSelect = onSelect;
    list.addEventListener('click', (event) => {
      const tab = event.target.closest ? event.target.closest('[role="tab"]') : null;
      if (tab && list.contains(tab)) this.select(tab, false);
    });
    list.addEventListener('keydown', (event) => this.key(event));
  }

  all() {
    return [...this.list.querySelectorAll('[role="tab"]')];
  }

  selected() {
    return this.all().find((tab) => tab.getAttribute('aria-selected') === 'true') || null;
  }

  select(tab, focus) {
    for (const each of this.all()) {
      const shown = each === tab;
      each.setAttribute('aria-selected', String(shown));
      each.tabIndex = shown ? 0 : -1;
      const panel = document.getElementById(each.getAttribute('aria-controls'));
      if (panel) panel.hidden = !shown;
    }
    if (focus) tab.focus();
    this.onSelect(tab);
  }

  key(event) {
    const tabs = this.all();
    const at = tabs.indexOf(event.target);
    if (at < 0) return;
    let next = null;
    if (event.key in KEYS) next = tabs[(at + KEYS[event.key] + tabs.length) % tabs.length];
    else if (event.key === 'Home') next = tabs[0];
    else if (event.key === 'End') next = tabs[tabs.length - 1];
    if (!next) return;
    event.preventDefault();
    this.select(next, true);
  }
}
