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
function commandMatcher(content: Content): PhraseMatcher<CommandId> {
  const { commands, fillers, commandsAnywhere } = content.phrases;
  return new PhraseMatcher(commands, { shortPhraseWords: 2, fillers, anywhere: commandsAnywhere, stemmed: true });
}

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
function buttonTitles(content: Content): Problem[] {
  const commands = commandMatcher(content);
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

export function phraseRules(content: Content): Problem[] {
  return [...clashes(content), ...buttonTitles(content)];
}
