import type { AgentDeskId, CitizenHandoffId } from './handoff-texts';
import type { MessageId } from './messages';

/**
 * The placeholders the code fills in, by text: every `fill` call site (src/dialogs/replies.ts, through
 * `Replies.message`, `Replies.entry`, `retry`, and `HandoffService.citizenText`/`agentText`) passes
 * these names and no text may use others. A text not listed here is said as it stands, so it may
 * have none. Change this table together with the call site.
 */
export const filledPlaceholders: {
  messages: Partial<Record<MessageId, readonly string[]>>;
  citizen: Partial<Record<CitizenHandoffId, readonly string[]>>;
  agent: Partial<Record<AgentDeskId, readonly string[]>>;
} = {
  messages: { plan: ['steps'], retry: ['choices'], tooLong: ['max'], sourceLine: ['source'] },
  citizen: {
    queued: ['caseId', 'position'],
    noAgents: ['caseId', 'otherHelp'],
    timeout: ['minutes', 'otherHelp'],
    sentToHub: ['caseId'],
    waitingForHub: ['caseId'],
    stillQueued: ['caseId', 'position'],
    cancelled: ['caseId'],
    connected: ['agent'],
    fromAgent: ['text'],
    fromAgentNamed: ['agent', 'text'],
    transferred: ['agent'],
    transferredToQueue: ['agent', 'position'],
    handedBack: ['agent'],
    closed: ['agent'],
    failed: ['otherHelp'],
  },
  agent: {
    welcome: ['agent', 'count'],
    queue: ['text'],
    newCase: ['caseId', 'reason', 'count'],
    summary: ['caseId', 'channel', 'minutes', 'reason', 'path', 'intents', 'transcript'],
    taken: ['caseId'],
    alreadyTaken: ['caseId'],
    busy: ['count'],
    transferredToYou: ['from', 'caseId', 'note'],
    transferredAway: ['caseId', 'to'],
    transferredToQueue: ['caseId'],
    template: ['text'],
    notFound: ['caseId'],
    fromCitizen: ['caseId', 'text'],
    citizenLeft: ['caseId'],
    noteSaved: ['caseId'],
    handedBack: ['caseId'],
    closed: ['caseId'],
    notYours: ['caseId'],
    takenBy: ['agent', 'caseId'],
    queueItem: ['caseId', 'minutes', 'reason'],
    caseCard: ['caseId'],
    cardTaken: ['caseId', 'agent'],
    cardRequeued: ['caseId'],
    cardReturned: ['caseId', 'agent'],
    cardClosed: ['caseId', 'agent'],
    cardLeft: ['caseId'],
    escalation: ['caseId', 'reason', 'path'],
  },
};

const PLACEHOLDER = /\{(\w+)\}/g;

/** The names of the `{placeholder}`s in a text, in order of appearance. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** A brace that opens or closes no `{name}`: a placeholder mistyped ("{caseId", "{ agent }") would be said as it stands. */
export function strayBraces(text: string): boolean {
  return /[{}]/.test(text.replace(PLACEHOLDER, ''));
}

/**
 * Fills a text's placeholders. A placeholder without a value is a bug between the content and the
 * code (the content check compares the texts with `filledPlaceholders`), and a person must never
 * see "{caseId}": it throws, and the turn ends with the apology instead.
 */
export function fill(text: string, vars: Readonly<Record<string, string | number>>): string {
  if (!text.includes('{')) return text;
  return text.replace(PLACEHOLDER, (_whole, name: string) => {
    if (!Object.hasOwn(vars, name)) throw new Error(`pladsholderen {${name}} fik ingen værdi / placeholder {${name}} was given no value`);
    return String(vars[name]);
  });
}
