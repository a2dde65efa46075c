import type { Content } from '../content/load-content';
import type { CommandId } from '../content/phrases';
import type { IntentId } from '../content/intents-content';
import type { EscalationReason } from '../handoff/case';
import { normalizeText } from '../text/normalize';
import type { PhraseMatcher } from '../text/phrase-matcher';
import type { Action, Option, Pending, StoredPending } from './memory';

/** "Må jeg sende samtalen videre?": yes hands the conversation over, no declines. */
export type ConsentOffer = { kind: 'consent'; options: Option[]; yes: number; no: Action };

/**
 * The bot's offers as every turn stores them (button titles, small) and reads them back (the
 * action behind each title): an intent's title answers it, a command's phrase runs it.
 */
export class PendingOffers {
  private readonly intentByTitle: ReadonlyMap<string, IntentId>;
  private readonly optionsByTitles = new Map<string, Option[]>();

  constructor(
    private readonly content: Content,
    private readonly commands: PhraseMatcher<CommandId>,
  ) {
    this.intentByTitle = new Map([...content.intents.intents.values()].map((i) => [normalizeText(i.title), i.id]));
  }

  /** The intent whose button title `text` is. */
  intentTitled(text: string): IntentId | undefined {
    return this.intentByTitle.get(normalizeText(text));
  }

  /** A pending offer as stored: the titles, and what cannot be read from them again. */
  store(pending: Pending): StoredPending {
    if (pending.kind === 'question') return pending;
    const reason = pending.options.find((o) => o.action.do === 'escalate')?.action;
    return {
      kind: pending.kind,
      titles: pending.options.map((o) => o.title),
      ...(pending.yes !== undefined ? { yes: pending.yes } : {}),
      ...(reason?.do === 'escalate' ? { reason: reason.reason } : {}),
      ...(pending.question !== undefined ? { question: pending.question } : {}),
    };
  }

  /** A stored pending offer with its options read from the titles again. */
  expand(stored: StoredPending): Pending {
    switch (stored.kind) {
      case 'question':
        return stored;
      case 'consent':
        return this.consent(stored.reason ?? 'asked');
      case 'didYouMean': {
        // The intents' titles, then "Ingen af dem".
        const options = stored.titles.map((title, i): Option => {
          const intent = i < stored.titles.length - 1 ? this.intentTitled(title) : undefined;
          return { title, action: intent ? { do: 'answer', intent } : { do: 'noneOfThese' } };
        });
        return { kind: 'didYouMean', options, no: { do: 'noneOfThese' }, ...(stored.question !== undefined ? { question: stored.question } : {}) };
      }
      default:
        return { kind: stored.kind, options: this.optionsFor(stored.titles), ...(stored.yes !== undefined ? { yes: stored.yes } : {}) };
    }
  }

  /** The option each button title stands for: an intent's title, or a command (the bot's buttons are a few sets, so kept). */
  optionsFor(titles: readonly string[]): Option[] {
    const key = titles.join('\n');
    let options = this.optionsByTitles.get(key);
    if (!options) {
      options = titles.flatMap((title): Option[] => {
        const intent = this.intentTitled(title);
        if (intent) return [{ title, action: { do: 'answer', intent } }];
        const command = this.commands.match(title)?.key;
        return command ? [{ title, action: { do: 'command', command } }] : [];
      });
      // Bounded: titles are the bot's own, but a repeated message ("gentag") carries them back from state.
      if (this.optionsByTitles.size < 500) this.optionsByTitles.set(key, options);
    }
    return options;
  }

  /** The consent offer, with the content's two buttons; `reason` goes with the case if the answer is yes. */
  consent(reason: EscalationReason): ConsentOffer {
    const [yes, no] = this.content.handoff.citizen.consent.buttons ?? [];
    return {
      kind: 'consent',
      options: [
        { title: yes ?? '', action: { do: 'escalate', reason } },
        { title: no ?? '', action: { do: 'decline' } },
      ],
      yes: 0,
      no: { do: 'decline' },
    };
  }
}
