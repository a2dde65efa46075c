import { normalizeText } from '../text/normalize';
import { PhraseMatcher } from '../text/phrase-matcher';
import type { DeskCommandId, HandoffTexts } from './handoff-texts';
import type { CommandId, PhrasesContent } from './phrases';

/**
 * How typed text becomes a command id, in one place for the code and the tests: the bot's
 * commands (dialogs/phrases.yaml, for citizens and Teams users alike, whose command list Teams
 * sends as text) and the agents' slash commands (dialogs/handoff.yaml).
 */

/** Command phrases of at most this many words count only as the whole message: "stop", not "stop med at spørge om pas". */
export const SHORT_COMMAND_WORDS = 2;

/** The bot's commands as the router reads them: by Danish stems, fillers aside, some anywhere in a message. */
export function botCommands(phrases: PhrasesContent): PhraseMatcher<CommandId> {
  return new PhraseMatcher(phrases.commands, {
    shortPhraseWords: SHORT_COMMAND_WORDS,
    fillers: phrases.fillers,
    anywhere: phrases.commandsAnywhere,
    stemmed: true,
  });
}

/** An agent's command: which one (undefined for a word that names none) and the rest of the line. */
export interface DeskCommand {
  id: DeskCommandId | undefined;
  argument: string;
}

const deskWords = new WeakMap<HandoffTexts['commands'], ReadonlyMap<string, DeskCommandId>>();

function wordsOf(commands: HandoffTexts['commands']): ReadonlyMap<string, DeskCommandId> {
  let words = deskWords.get(commands);
  if (!words) {
    words = new Map(Object.entries(commands).flatMap(([id, list]) => list.map((word) => [normalizeText(word), id as DeskCommandId] as const)));
    deskWords.set(commands, words);
  }
  return words;
}

/**
 * Reads what an agent typed: a slash and a command word ("/kø", "/overtag M-1234", "/Koe")
 * is a command; anything else (undefined) is a message for the citizen. Agents type the slash
 * so that nothing they mean for the citizen is taken as a command.
 */
export function deskCommand(text: string, commands: HandoffTexts['commands']): DeskCommand | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('/')) return undefined;
  const [word = '', ...rest] = trimmed.slice(1).trim().split(/\s+/);
  return { id: wordsOf(commands).get(normalizeText(word)), argument: rest.join(' ') };
}
