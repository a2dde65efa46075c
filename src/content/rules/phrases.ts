import { botCommands } from '../commands';
import type { IntentId } from '../intents-content';
import { normalizeText } from '../../text/normalize';
import { PhraseMatcher } from '../../text/phrase-matcher';
import type { Content } from '../load-content';
import type { CommandId } from '../phrases';
import { at, excerpt, FILES, type Problem } from './problem';

/**
 * A tapped intent title is read as a command first (the router's `command` row comes before
 * `tapped-title`); that is only right where the two mean the same. "Oprette MitID med NemID?"
 * holds "oprette mitid" and starts the guide, whose first box says what the answer says: NemID
 * closed on 30 June 2023 (before that day, Q1 leads to creating MitID with NemID on mitid.dk).
 */
const TITLE_MEANS_COMMAND: Partial<Record<IntentId, CommandId>> = {
  human_agent: 'human',
  restart: 'restart',
  mitid_optional: 'opt_out',
  create_with_nemid: 'start_guide',
};

/** Commands as the router reads them (src/bot/turn-actions.ts). */
type CommandMatcher = PhraseMatcher<CommandId>;

/** A phrase under two answers or two commands makes the message mean both; the matcher then picks neither or the wrong one. */
function clashes(content: Content): Problem[] {
  const owners = new Map<string, string>();
  const problems: Problem[] = [];
  const entries = [
    ...Object.entries(content.phrases.answers).flatMap(([id, a]) => [
      { owner: `answers.${id}`, path: ['answers', id, 'label'], phrase: a.label },
      ...a.phrases.map((phrase, i) => ({ owner: `answers.${id}`, path: ['answers', id, 'phrases', String(i)], phrase })),
    ]),
    ...Object.entries(content.phrases.commands).flatMap(([id, list]) => list.map((phrase, i) => ({ owner: `commands.${id}`, path: ['commands', id, String(i)], phrase }))),
  ];
  for (const { owner, path, phrase } of entries) {
    const key = normalizeText(phrase);
    const before = owners.get(key);
    if (before !== undefined && before !== owner) problems.push(at(FILES.phrases, path, `${excerpt(phrase)} står også under / is also under ${before}`));
    else owners.set(key, owner);
  }
  return problems;
}

/**
 * Buttons send their title as the person's message: each title must be understood when tapped, and
 * an intent's title (the "Mente du …?" and follow-up buttons) must not be taken for another command.
 */
function buttonTitles(content: Content, commands: CommandMatcher): Problem[] {
  const problems: Problem[] = [];
  for (const [id, message] of Object.entries(content.messages)) {
    (message.buttons ?? []).forEach((title, i) => {
      if (!commands.match(title)) problems.push(at(FILES.messages, [id, 'buttons', i], `knappen ${excerpt(title)} er ikke en kommando i ${FILES.phrases} / button is no command in ${FILES.phrases}`));
    });
  }
  content.followUps.notInSources.buttons.forEach((title, i) => {
    if (!commands.match(title)) problems.push(at(FILES.followUps, ['notInSources', 'buttons', i], `knappen ${excerpt(title)} er ikke en kommando i ${FILES.phrases} / button is no command in ${FILES.phrases}`));
  });
  [...content.intents.intents.values()].forEach((intent, i) => {
    const command = commands.match(intent.title)?.key;
    if (command !== undefined && TITLE_MEANS_COMMAND[intent.id] !== command) {
      problems.push(at(FILES.faq, ['intents', i, 'title'], `${intent.id}: titlen læses som kommandoen / the title is read as the command ${command}`));
    }
  });
  return problems;
}

/** The consent questions: their buttons are read as yes and no by the titles of `consent`'s (src/bot/turn-actions.ts). */
const CONSENT_TEXTS = ['consent', 'offerAfterFallbacks', 'consentNoCall'] as const;
/** Said while a case is open: the hand-over reads what is tapped as "stay" or "cancel" (src/handoff/citizen-handoff.ts). */
const QUEUE_TEXTS: ReadonlySet<string> = new Set(['queued', 'noAgents', 'timeout', 'sentToHub', 'waitingForHub', 'stillQueued', 'keepWaiting']);

/** The hand-over's buttons, each read by what reads the reply to that text: consent, the queue, the score, or the router's commands. */
function handoffButtons(content: Content, commands: CommandMatcher): Problem[] {
  const { handoff, phrases } = content;
  const queue = new PhraseMatcher({ stay: handoff.phrases.stay, cancel: handoff.phrases.cancel }, { shortPhraseWords: 2, fillers: phrases.fillers });
  const scores = new PhraseMatcher(handoff.phrases.scores, { shortPhraseWords: Number.MAX_SAFE_INTEGER, fillers: phrases.fillers });
  const problems: Problem[] = [];
  const consent = handoff.citizen.consent.buttons ?? [];
  for (const id of CONSENT_TEXTS.slice(1)) {
    const own = handoff.citizen[id].buttons ?? [];
    if (own.join('\n') !== consent.join('\n')) {
      problems.push(at(FILES.handoff, ['citizen', id, 'buttons'], `skal være de samme som citizen.consent's / must be those of citizen.consent: ${consent.map((b) => excerpt(b)).join(', ')}`));
    }
  }
  for (const [id, entry] of Object.entries(handoff.citizen)) {
    if ((CONSENT_TEXTS as readonly string[]).includes(id)) continue;
    const [reader, understood] = QUEUE_TEXTS.has(id)
      ? ['handoff.yaml phrases.stay/cancel', (t: string) => queue.match(t) !== undefined]
      : id === 'satisfaction'
        ? ['handoff.yaml phrases.scores', (t: string) => /^[1-5]$/.test(t) || scores.match(t) !== undefined]
        : [`kommandoerne i / the commands in ${FILES.phrases}`, (t: string) => commands.match(t) !== undefined];
    (entry.buttons ?? []).forEach((title, i) => {
      if (!understood(title)) problems.push(at(FILES.handoff, ['citizen', id, 'buttons', i], `knappen ${excerpt(title)} forstås ikke af / button is not understood by ${reader}`));
    });
  }
  return problems;
}

export function phraseRules(content: Content): Problem[] {
  // Built once for both rules: stemming every command phrase is most of what these rules cost at start-up.
  const commands = botCommands(content.phrases);
  return [...clashes(content), ...buttonTitles(content, commands), ...handoffButtons(content, commands)];
}
