/*
 * Short confirmations ("Noten er gemt") in the desk's status line, a polite live region:
 * read aloud, and shown for a while.
 */
import { setText } from './dom.js';

const SHOWN_MS = 10000;

export class Notices {
  constructor(node) {
    this.node = node;
    this.timer = null;
  }

  announce(text) {
    clearTimeout(this.timer);
    setText(this.node, text);
    this.timer = setTimeout(() => setText(this.node, ''), SHOWN_MS);
  }

  clear() {
    clearTimeout(this.timer);
    setText(this.node, '');
  }
}
