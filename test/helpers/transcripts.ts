import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { pickDated } from '../../src/content/dated';
import type { FollowUpKind } from '../../src/content/follow-ups';
import type { Content } from '../../src/content/load-content';
import type { MessageId } from '../../src/content/messages';
import type { CitizenHandoffId } from '../../src/content/handoff-texts';
import type { IntentId } from '../../src/content/intents-content';
import { Conversation, PINNED_DAYS, content as shippedContent, type Reply } from './bot-harness';

/**
 * Conversations as a content editor reads them (test/transcripts/*.yaml): what the person
 * writes, and what the bot answers, one line per message, named by the content it comes from:
 *
 *   guide Q2                       the question Q2 with its buttons
 *   box O3                         the text of box O3 on the conversation's day
 *   skipped Q1                     the sentence said instead of asking Q1 that day
 *   plan                           the personal plan at the end of the guide
 *   message whatHelp               a text of dialogs/messages.yaml (with its buttons, if it has any)
 *   answer code_display            an FAQ answer of intents/faq.yaml on that day
 *   handoff consent                a text of dialogs/handoff.yaml said to the citizen
 *   followUp code_display duration what the sources say in intents/follow-ups.yaml
 *   unknown price                  the honest "står ikke i mine oplysninger" with where to ask
 *   ~ 7-15 hverdage                any message containing this text
 *   box T1 + skipped Q1            one message made of both texts (a heading and what follows it)
 *
 * `buttons: [...]` on a turn checks the buttons of its last message.
 */
const turnSchema = z
  .object({
    user: z.string(),
    bot: z.array(z.string().min(1)).min(1),
    buttons: z.array(z.string()).optional(),
  })
  .strict();

const conversationSchema = z
  .object({
    name: z.string().min(1),
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
    turns: z.array(turnSchema).min(1),
  })
  .strict();

export const transcriptFileSchema = z.object({ conversations: z.array(conversationSchema).min(1) }).strict();
export type TranscriptConversation = z.output<typeof conversationSchema>;

/** What one expected line says a bot message must be. */
interface Expectation {
  line: string;
  text?: string;
  contains?: string;
  startsWith?: string;
  buttons?: readonly string[];
}

/** Reads every conversation under `dir`, by file. */
export function loadTranscripts(dir: string): Array<{ file: string; conversation: TranscriptConversation }> {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((file) => transcriptFileSchema.parse(parse(readFileSync(path.join(dir, file), 'utf8'))).conversations.map((conversation) => ({ file, conversation })));
}

/** The text a handoff entry starts with, up to its first placeholder (case ids and names vary). */
function fixedStart(text: string): string {
  const at = text.indexOf('{');
  return at < 0 ? text : text.slice(0, at);
}

/** Turns one expected line into what the message must be, rendered from the content. */
export function expectation(line: string, day: string, content: Content = shippedContent): Expectation {
  if (line.includes(' + ')) {
    const parts = line.split(' + ').map((part) => expectation(part, day, content));
    if (parts.some((p) => p.text === undefined)) throw new Error(`transcript line "${line}": only whole texts can be joined`);
    return { line, text: parts.map((p) => p.text).join('\n\n'), ...(parts.at(-1)!.buttons ? { buttons: parts.at(-1)!.buttons } : {}) };
  }
  const today = <T>(dated: { variants: ReadonlyArray<{ before?: string; value: T }> }) => pickDated(dated, day);
  if (line.startsWith('~')) return { line, contains: line.slice(1).trim() };
  const [kind, id, extra] = line.split(/\s+/);
  const fail = (why: string): never => {
    throw new Error(`transcript line "${line}": ${why}`);
  };
  switch (kind) {
    case 'guide': {
      const node = content.guide.nodes[id ?? ''];
      if (node?.kind !== 'question') return fail('not a question of the guide');
      return { line, text: today(node.text), buttons: Object.keys(node.answers).map((a) => content.phrases.answers[a]!.label) };
    }
    case 'box': {
      const node = content.guide.nodes[id ?? ''];
      if (!node || node.kind === 'question') return fail('not a box of the guide');
      return { line, text: today(node.text) };
    }
    case 'skipped': {
      const node = content.guide.nodes[id ?? ''];
      if (node?.kind !== 'question' || !node.skipped) return fail('not a question that can be skipped');
      return { line, text: node.skipped.text };
    }
    case 'plan':
      return { line, startsWith: fixedStart(today(content.messages.plan.text)).trim(), buttons: content.messages.plan.buttons ?? [] };
    case 'message': {
      const message = content.messages[id as MessageId];
      if (!message) return fail('no such message');
      const text = today(message.text);
      return text.includes('{') ? { line, startsWith: fixedStart(text) } : { line, text, ...(message.buttons ? { buttons: message.buttons } : {}) };
    }
    case 'answer': {
      const intent = content.intents.intents.get(id as IntentId);
      if (!intent) return fail('no such intent');
      return { line, text: today(intent.answer) };
    }
    case 'handoff': {
      const entry = content.handoff.citizen[id as CitizenHandoffId];
      if (!entry) return fail('no such hand-over text');
      return entry.text.includes('{') ? { line, startsWith: fixedStart(entry.text) } : { line, text: entry.text, ...(entry.buttons ? { buttons: entry.buttons } : {}) };
    }
    case 'followUp': {
      const answer = content.followUps.topics[id ?? '']?.answers[extra as FollowUpKind];
      if (!answer) return fail('the sources say nothing of that here');
      return { line, text: today(answer.text) };
    }
    case 'unknown': {
      const known = content.followUps.kinds[id as FollowUpKind];
      if (!known) return fail('no such kind of follow-up');
      return { line, text: `${known.unknown} ${content.followUps.notInSources.text}` };
    }
    default:
      return fail('unknown kind of line');
  }
}

/** Why a message does not fit its expectation, or undefined when it does. */
export function mismatch(reply: Reply | undefined, expected: Expectation): string | undefined {
  if (!reply) return `expected ${expected.line}, got nothing`;
  const ok =
    (expected.text === undefined || reply.text === expected.text) &&
    (expected.contains === undefined || reply.text.includes(expected.contains)) &&
    (expected.startsWith === undefined || reply.text.startsWith(expected.startsWith)) &&
    (expected.buttons === undefined || JSON.stringify(reply.buttons) === JSON.stringify(expected.buttons));
  return ok ? undefined : `expected ${expected.line}, got "${reply.text.slice(0, 160)}" [${reply.buttons.join(' | ')}]`;
}

export interface TurnOutcome {
  user: string;
  problems: string[];
  said: Reply[];
}

/** Runs one conversation against the real bot and says, turn by turn, what did not fit. */
export async function runTranscript(conversation: TranscriptConversation): Promise<TurnOutcome[]> {
  const day = conversation.day ?? PINNED_DAYS.after;
  const talk = new Conversation({ day });
  const outcomes: TurnOutcome[] = [];
  for (const turn of conversation.turns) {
    const said = turn.user === '<join>' ? await talk.join() : await talk.say(turn.user);
    const expected = turn.bot.map((line) => expectation(line, day));
    const problems: string[] = [];
    if (said.length !== expected.length) problems.push(`expected ${expected.length} messages (${turn.bot.join('; ')}), got ${said.length}: ${said.map((r) => `"${r.text.slice(0, 80)}"`).join('; ')}`);
    else expected.forEach((e, i) => {
      const wrong = mismatch(said[i], e);
      if (wrong) problems.push(wrong);
    });
    if (turn.buttons && JSON.stringify(said.at(-1)?.buttons ?? []) !== JSON.stringify(turn.buttons)) {
      problems.push(`expected buttons [${turn.buttons.join(' | ')}], got [${(said.at(-1)?.buttons ?? []).join(' | ')}]`);
    }
    outcomes.push({ user: turn.user, problems, said });
  }
  return outcomes;
}
