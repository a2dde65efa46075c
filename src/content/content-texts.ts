import { pickDated, type Dated } from './dated';
import type { Content } from './load-content';

/**
 * Every fixed text of the content under a short name ("g:Q2", "m:whatHelp", "a:code_display"),
 * both ways. What the bot said last is kept in conversation state for "kan du gentage det?";
 * kept as names, a turn's messages cost a few bytes instead of their full text in every stored
 * conversation. Texts with placeholders filled in, or joined from two boxes, have no name.
 */
// How the guide joins a heading and the text after it into one message.
const JOINED = '\n\n';

export class ContentTexts {
  private readonly byText = new Map<string, string>();
  private readonly byName = new Map<string, Dated<string>>();

  constructor(content: Content) {
    for (const [id, node] of Object.entries(content.guide.nodes)) {
      this.add(`g:${id}`, node.text);
      if (node.kind === 'question' && node.skipped) this.add(`s:${id}`, { variants: [{ value: node.skipped.text }] });
    }
    for (const [id, message] of Object.entries(content.messages)) this.add(`m:${id}`, message.text);
    for (const [id, intent] of content.intents.intents) this.add(`a:${id}`, intent.answer);
    for (const [id, entry] of Object.entries(content.handoff.citizen)) this.add(`h:${id}`, { variants: [{ value: entry.text }] });
    for (const [topic, { answers }] of Object.entries(content.followUps.topics)) {
      for (const [kind, answer] of Object.entries(answers)) if (answer) this.add(`f:${topic}.${kind}`, answer.text);
    }
  }

  /** The name of a text the content holds as it stands, or of texts joined by a blank line ("g:T1+s:Q1"), if any. */
  nameOf(text: string): string | undefined {
    const whole = this.byText.get(text);
    if (whole || !text.includes(JOINED)) return whole;
    const names = text.split(JOINED).map((part) => this.byText.get(part));
    return names.every((n) => n !== undefined) ? names.join('+') : undefined;
  }

  /** The text a name stands for, in the variant in force on `today`. */
  textOf(name: string, today: string): string | undefined {
    const parts = name.split('+').map((part) => this.byName.get(part));
    return parts.every((dated) => dated !== undefined) ? parts.map((dated) => pickDated(dated!, today)).join(JOINED) : undefined;
  }

  private add(name: string, dated: Dated<string>): void {
    // Placeholders are filled in when said, so such texts never come back as they stand.
    if (dated.variants.some((v) => v.value.includes('{'))) return;
    this.byName.set(name, dated);
    for (const { value } of dated.variants) if (!this.byText.has(value)) this.byText.set(value, name);
  }
}
