import { Channels, type TurnContext } from 'botbuilder';
import type { HandoffService } from '../handoff/handoff-service';
import type { CitizenHandoff } from '../handoff/citizen-handoff';
import type { MessageReader } from '../nlu/message-reader';
import { hasCprNumber } from '../text/mask';
import { cardData } from '../teams/cards';
import type { TeamsDesk } from '../teams/teams-desk';
import { acceptTeamsActivity } from '../teams/teams-presenter';
import type { TurnActions } from './turn-actions';
import { Turn } from './turn';

/**
 * One row of the router: `when` decides whether the row takes the message (it may stash what
 * it worked out on the turn), `run` answers it. A row whose `run` returns 'next' lets the rows
 * below decide as well. Rows marked `conversational: false` run before the conversation's
 * state is read: Teams messages the bot stays out of, and an agent at work.
 */
export interface Row {
  name: string;
  conversational?: false;
  when(turn: Turn): boolean | Promise<boolean>;
  run(turn: Turn): Promise<void | 'next'>;
}

export interface TurnRouterDeps {
  actions: TurnActions;
  handoff: CitizenHandoff;
  service: HandoffService;
  reader: MessageReader;
  maxMessageChars: number;
  teams?: TeamsDesk;
}

/**
 * The whole order in which a message is decided, first row first. The bot's last offer
 * ("pending-reply") is read before anything else that could take a short reply, and commands
 * before the guide reads its answers, so that "stop" or "tilbage" never count as answers.
 */
export function turnRows({ actions: a, handoff, service, reader, maxMessageChars, teams }: TurnRouterDeps): Row[] {
  const inGuide = (t: Turn) => a.guideActive(t);
  return [
    // acceptTeamsActivity also strips the @mention and reads a card's choice into the text.
    { name: 'teams-not-addressed', conversational: false, when: (t) => !acceptTeamsActivity(t.activity), run: async () => {} },
    { name: 'case-card', conversational: false, when: (t) => cardData(t.activity.value)?.action === 'takeCase', run: (t) => takeCase(t, service, teams) },
    { name: 'agent-desk', conversational: false, when: async (t) => (teams ? teams.handles(t.context) : false), run: (t) => teams!.run(t.context) },
    { name: 'guide-outdated', when: (t) => a.guideOutdated(t), run: (t) => a.restartOutdatedGuide(t) },
    { name: 'empty', when: (t) => t.text === '', run: (t) => a.empty(t) },
    { name: 'too-long', when: (t) => t.text.length > maxMessageChars, run: (t) => a.tooLong(t, maxMessageChars) },
    { name: 'hand-over', when: async (t) => (t.claim = await handoff.claim(t.context, t.text)) !== undefined, run: (t) => t.claim!() },
    { name: 'cpr-warning', when: (t) => hasCprNumber(t.text), run: (t) => a.warnCpr(t) },
    { name: 'pending-reply', when: (t) => (t.binding = a.bindReply(t)) !== undefined, run: (t) => a.bound(t, t.binding!) },
    { name: 'command', when: (t) => (t.command = a.commandIn(t)) !== undefined, run: (t) => a.command(t, t.command!) },
    // A person asked for in any words ("stil mig om til support") before a follow-up or the guide
    // reads the words; a bare "hvad er telefonnummeret?" after a topic is about the topic's number.
    { name: 'asks-for-person', when: (t) => asksForPerson(a, reader, t), run: (t) => a.answerReading(t) },
    { name: 'repair', when: (t) => (t.plan = a.repairPlan(t)) !== undefined, run: (t) => a.repair(t, t.plan!) },
    { name: 'tapped-title', when: (t) => a.titled(t) !== undefined, run: (t) => a.answer(t, a.titled(t)!) },
    { name: 'guide-answer', when: (t) => inGuide(t) && a.looksLikeAnswer(t.text), run: (t) => a.continueGuide(t) },
    { name: 'follow-up', when: (t) => (t.followUp = a.followUpIn(t)) !== undefined, run: (t) => a.followUp(t, t.followUp!) },
    { name: 'yes-or-no-alone', when: (t) => !inGuide(t) && a.yesOrNoAlone(t), run: (t) => a.whatHelp(t) },
    { name: 'english', when: (t) => reader.isEnglish(t.text), run: (t) => a.english(t) },
    // A guess must not throw the guide away: only the explicit command restarts it.
    { name: 'question-in-guide', when: (t) => inGuide(t) && isQuestion(a, t) && !asksRestart(a, t), run: (t) => a.answerReading(t) },
    { name: 'faq', when: (t) => !inGuide(t) && a.read(t).decisions[0]?.kind !== 'none', run: (t) => a.answerReading(t) },
    { name: 'fallback', when: () => true, run: (t) => a.fallback(t) },
  ];
}

function asksForPerson(a: TurnActions, reader: MessageReader, turn: Turn): boolean {
  const asked = reader.asksForPerson(turn.text);
  return asked !== undefined && !(asked === 'number' && (turn.followUp = a.followUpIn(turn)) !== undefined);
}

function isQuestion(a: TurnActions, turn: Turn): boolean {
  return a.read(turn).decisions[0]?.kind === 'intent';
}

function asksRestart(a: TurnActions, turn: Turn): boolean {
  const first = a.read(turn).decisions[0];
  return first?.kind === 'intent' && first.intent === 'restart';
}

async function takeCase(turn: Turn, service: HandoffService, teams: TeamsDesk | undefined): Promise<void> {
  const caseId = cardData(turn.activity.value)?.caseId;
  if (teams && caseId) return teams.take(turn.context, caseId);
  await turn.context.sendActivity(service.agentText('notOnList'));
}

/** Where a turn's decision (the `IntentRecognizer` trace's value) is left for the turn log. */
export const TURN_DECISION_KEY = Symbol('mitid.turnDecision');

/**
 * Decides each message turn by the first row that takes it, then keeps what the turn asked as
 * the pending offer. The decision (the route, the classifier's scores, the person's text masked)
 * is left in turn state for the turn log, and sent as one `IntentRecognizer` trace to the Bot
 * Framework Emulator; other channels drop traces anyway, and building one costs a send.
 */
export class TurnRouter {
  constructor(
    private readonly rows: readonly Row[],
    private readonly actions: TurnActions,
  ) {}

  async route(context: TurnContext): Promise<Turn> {
    const turn = new Turn(context);
    for (const row of this.rows) {
      if (row.conversational !== false && !turn.isOpen) await this.actions.open(turn);
      // Most rows decide synchronously; awaiting a plain boolean would still cost a microtask per row.
      const taken = row.when(turn);
      if (!(typeof taken === 'boolean' ? taken : await taken)) continue;
      turn.route = turn.route ? `${turn.route} > ${row.name}` : row.name;
      if ((await row.run(turn)) !== 'next') break;
    }
    if (turn.isOpen) this.actions.finish(turn);
    const decision = {
      text: turn.masked,
      intents: turn.result?.intents ?? {},
      entities: {},
      route: turn.route,
      ...(turn.bound ? { bound: turn.bound } : {}),
      ...(turn.isOpen && turn.memory.pending ? { waitingFor: turn.memory.pending.kind } : {}),
    };
    context.turnState.set(TURN_DECISION_KEY, decision);
    if (context.activity.channelId === Channels.Emulator) {
      await context.sendTraceActivity('IntentRecognizer', decision, 'https://www.botframework.com/schemas/recognizerResult', 'Intent');
    }
    return turn;
  }
}
