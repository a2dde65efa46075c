import { z } from 'zod';
import { placeholdersIn, strayBraces } from './placeholders';

/**
 * The texts of the web pages' scripts (dialogs/pages.yaml), by group, each with the placeholders
 * the page fills in for it. The server hands each page its part (src/http/widget-routes.ts); the
 * scripts hold no Danish of their own.
 */
const AGENT = {
  requests: { network: [], failed: [] },
  signIn: { missing: [], expired: [], loggedOut: [], oidc: ['provider'], or: [], oidcNotAllowed: [], oidcExpired: [], oidcFailed: ['provider'], finishing: [] },
  queue: {
    failed: [],
    pageTitle: ['count', 'title'],
    count: ['citizens', 'agents'],
    noCitizens: [],
    oneCitizen: [],
    citizens: ['count'],
    oneAgent: [],
    agents: ['count'],
    case: ['caseId'],
    waiting: ['time'],
    lastLine: ['text'],
    take: [],
    takeWhich: ['caseId'],
    taken: ['caseId'],
  },
  chat: { failed: [], rejected: [], noCase: [], toCase: ['caseId'], desk: [], citizenTyping: [], botInitials: [] },
  case: {
    heading: [],
    headingWith: ['caseId'],
    at: ['time'],
    noteBy: ['agent', 'time'],
    emptyNote: [],
    longNote: ['max'],
    noteSaved: [],
    released: ['caseId'],
    closed: ['caseId'],
    noPath: [],
    noTopics: [],
    none: [],
    pick: [],
    transferred: ['caseId', 'to'],
    transferredToQueue: ['caseId'],
  },
  facts: { status: [], reason: [], path: [], topics: [], lastLine: [], channel: [], created: [], waited: [], taken: [] },
  status: { queued: [], external: [], mine: [], agent: ['agent'], someone: [] },
  duration: { underMinute: [], minutes: ['minutes'], hours: ['hours'], hoursMinutes: ['hours', 'minutes'] },
  tabs: { desk: [], case: ['caseId'], unreadOne: [], unread: ['count'], unreadOneLong: [], unreadLong: ['count'], opened: ['caseId'], failed: ['caseId'] },
  transfer: { heading: ['caseId'], colleague: ['name', 'presence', 'chats'], colleagueChats: ['name', 'presence', 'chats'], queue: [], noColleagues: [] },
  templates: { none: [], failed: [], inserted: [], insertWhich: [] },
  presence: { available: [], away: [], toggle: ['status'], changed: ['status'], awayHint: [] },
  alerts: { title: [], body: ['caseId', 'reason'], denied: [], unsupported: [] },
  history: { none: [], one: [], count: ['count'], failed: [], ended: ['date'], by: ['agent'], score: ['score'], noScore: [], earlier: ['ids'] },
  scores: { none: [], failed: [], rated: ['rated'], closed: ['closed'], total: [] },
  ended: { closed: [], returned: [], cancelled: [], failed: [] },
} as const;

const WIDGET = { busy: [], failed: [], botInitials: [], userInitials: [], agentName: ['agent'], agentSaid: ['agent', 'text'], agentTyping: ['agent'] } as const;

const EMBED = { open: [], close: [], panel: [], frame: [] } as const;

type Table = Readonly<Record<string, readonly string[]>>;
type TextsOf<T extends Table> = { readonly [K in keyof T]: string };

export interface PageTexts {
  agent: { readonly [G in keyof typeof AGENT]: TextsOf<(typeof AGENT)[G]> } & {
    readonly channels: Readonly<Record<string, string>>;
    readonly speakers: { readonly citizen: string; readonly bot: string; readonly agent: string };
  };
  widget: TextsOf<typeof WIDGET>;
  embed: TextsOf<typeof EMBED>;
}

const text = z.string().trim().min(1);

/** A text that may use the placeholders `names` and no others; a stray brace is a mistyped one. */
function textWith(names: readonly string[]) {
  return text.superRefine((value, ctx) => {
    const unknown = placeholdersIn(value).filter((name) => !names.includes(name));
    const allowed = names.length > 0 ? names.map((n) => `{${n}}`).join(', ') : 'ingen / none';
    if (unknown.length > 0) ctx.addIssue({ code: 'custom', message: `ukendt pladsholder / unknown placeholder {${unknown.join('}, {')}} (tilladt / allowed: ${allowed})` });
    if (strayBraces(value)) ctx.addIssue({ code: 'custom', message: 'en { eller } uden for en pladsholder / a brace outside a placeholder' });
  });
}

function group(table: Table) {
  return z.object(Object.fromEntries(Object.entries(table).map(([id, names]) => [id, textWith(names)]))).strict();
}

// The groups are built from the tables above, which zod cannot follow; PageTexts says what they make.
export const pageTextsSchema = z
  .object({
    agent: z
      .object({
        ...Object.fromEntries(Object.entries(AGENT).map(([name, table]) => [name, group(table)])),
        channels: z.record(z.string(), textWith([])),
        speakers: group({ citizen: [], bot: [], agent: [] }),
      })
      .strict(),
    widget: group(WIDGET),
    embed: group(EMBED),
  })
  .strict() as unknown as z.ZodType<PageTexts>;
