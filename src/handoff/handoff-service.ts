import type { Activity, ConversationReference } from 'botbuilder';
import type { Replies } from '../dialogs/replies';
import { danishToday, fixedClock, type Clock } from '../clock';
import type { Content } from '../content/load-content';
import type { AgentDeskId, CitizenHandoffId } from '../content/handoff-texts';
import type { Logger } from '../logger';
import { maskPersonalData } from '../text/mask';
import type { AgentPresence } from './agent-presence';
import { appendLine, CASE_TRANSCRIPT_LINES, newCaseRecord, OPEN_STATUSES, type EscalationReason, type HandoffCase, type NewCase, type StaffRole } from './case';
import { activeCasesOf, addClosed, citizenKeys, HandoffRefusal, type CaseStore } from './case-store';
import { applyHubStatus, rateCase } from './case-outcomes';
import { CaseViews, type AgentCaseView, type QueueEntry } from './case-views';
import { AgentRoster } from './agent-roster';
import { CaseHistory } from './case-history';
import { AgentSlots } from './agent-slots';
import { sweepQueue } from './queue-sweep';
import { transferCase } from './case-transfer';
import { HandoffMessages } from './handoff-messages';
import type { Messenger } from './messenger';

export type { StaffRole } from './case';
export type { QueueEntry } from './case-views';


export interface HandoffServiceDeps {
  store: CaseStore;
  messenger: Messenger;
  clock: Clock;
  content: Content;
  replies: Replies;
  presence: AgentPresence;
  logger: Logger;
  /** builtin: our queue and agent page; external: a hub on the channel, which answers with handoff.status. */
  hub: 'builtin' | 'external';
  /** After this long in the queue the person is told and offered other ways to get help. */
  waitSeconds: number;
  /** How many cases one agent may chat in at once (AGENT_MAX_CHATS). */
  maxChats?: number;
  /** How long ended cases stay in the history (HANDOFF_HISTORY_DAYS). */
  historyDays?: number;
  /** Tells agents elsewhere about a new case (the support desk's Teams channel); such a desk counts as staffed. */
  announce?: (record: HandoffCase) => Promise<void>;
  /** Told after a case was taken, transferred, handed back, closed or left, so other views of it (the Teams card) follow. */
  changed?: (record: HandoffCase) => Promise<void>;
}

/** An agent as the desk knows them (an AGENT_ACCOUNTS entry, or a person signed in with the identity provider). */
export interface DeskAgent {
  /** The agent's id: safe in Direct Line ids and storage keys ([a-z0-9._-]). */
  username: string;
  displayName: string;
  /** Least privilege when not given: an agent. */
  role?: StaffRole;
}

export type { NewCase } from './case';

export type { HubState } from './case-outcomes';
import type { HubState } from './case-outcomes';

/**
 * Everything that happens to a case after the person agreed to the hand-over: the queue,
 * agents taking (several chats each), chatting, noting, transferring, handing back and
 * closing, and the messages that tell both sides. Each change is stored before anyone is told.
 */
export class HandoffService {
  readonly views: CaseViews;
  readonly messages: HandoffMessages;
  readonly slots: AgentSlots;
  /** Who is signed in, available or away, and how busy: for notices and transfers. */
  readonly roster: AgentRoster;
  readonly history: CaseHistory;

  constructor(private readonly deps: HandoffServiceDeps) {
    this.views = new CaseViews(deps.content, deps.clock);
    this.messages = new HandoffMessages({ ...deps, views: this.views });
    this.slots = new AgentSlots(deps.store, deps.maxChats ?? 3);
    this.roster = new AgentRoster(deps.store, deps.presence);
    this.history = new CaseHistory(deps.store, this.views, deps.clock, deps.historyDays ?? 90);
  }

  get hub(): 'builtin' | 'external' {
    return this.deps.hub;
  }

  /** The content the desk speaks from: its texts, labels and command words. */
  get content(): Content {
    return this.deps.content;
  }

  get store(): CaseStore {
    return this.deps.store;
  }

  /** Stores a new case (queued for our agents, or waiting for the external hub), linked to the person's earlier ones. */
  async open(input: NewCase): Promise<{ record: HandoffCase; position: number; agentsOnline: number }> {
    const now = this.now();
    let record = await this.deps.store.create((id) => newCaseRecord(id, input, this.deps.hub === 'builtin' ? 'queued' : 'external', now));
    const earlier = await this.deps.store.linkCitizen(citizenKeys(input.channelId, input.conversation), record.id);
    if (earlier.length > 0) record = await this.deps.store.update(record.id, (c) => ({ ...c, earlierCaseIds: earlier }));
    this.deps.logger.info({ case: record.id, reason: record.reason, channel: record.channelId, status: record.status, earlier: earlier.length }, 'handoff case opened');
    const queued = (await this.deps.store.openCases()).filter((c) => c.status === 'queued');
    const online = await this.deps.presence.online();
    if (record.status === 'queued') {
      if (this.deps.announce) await this.deps.announce(record).catch((err: unknown) => this.deps.logger.warn({ err, case: record.id }, 'could not announce the case'));
      await this.noticeToAvailable(this.agentText('newCase', { caseId: record.id, reason: this.reasonText(record.reason), count: queued.length }));
    }
    const agentsOnline = online.length + (this.deps.announce ? 1 : 0);
    return { record, position: Math.max(1, queued.findIndex((c) => c.id === record.id) + 1), agentsOnline };
  }

  get(id: string): Promise<HandoffCase | undefined> {
    return this.deps.store.get(id);
  }

  /** Place in the queue, 1 for the next one to be taken. */
  async position(id: string): Promise<number> {
    const queued = (await this.deps.store.openCases()).filter((c) => c.status === 'queued');
    return Math.max(1, queued.findIndex((c) => c.id === id) + 1);
  }

  /** Adds the person's (already masked) message to the case and passes it, as plain text, to the agent chatting with them. */
  async citizenSaid(id: string, maskedText: string): Promise<HandoffCase> {
    const record = await this.deps.store.update(id, (c) => ({ ...c, transcript: appendLine(c.transcript, { at: this.now(), from: 'citizen', text: maskedText }, CASE_TRANSCRIPT_LINES) }));
    if (record.status === 'assigned') await this.messages.toCaseAgent(record, this.messages.citizenWords(this.agentText('fromCitizen', { caseId: id, text: maskedText })));
    return record;
  }

  /** The person is typing: shown in the agent's chat for the case (nothing is stored). */
  async citizenTyping(id: string): Promise<void> {
    const record = await this.deps.store.get(id);
    if (record?.status === 'assigned' && record.agentChat) await this.messages.toCaseAgent(record, { type: 'typing' });
  }

  /** The person left ("annuller"); an agent chatting with them is told. */
  async leave(id: string): Promise<HandoffCase> {
    const record = await this.deps.store.update(id, (c) => (OPEN_STATUSES.has(c.status) ? { ...c, status: 'cancelled', endedAt: this.now() } : undefined));
    if (record.agent && record.agent.id !== 'external') {
      await this.slots.release(record.agent.id, id);
      await this.messages.toCaseAgent(record, this.agentText('citizenLeft', { caseId: id }));
    }
    await this.ended(record);
    this.deps.logger.info({ case: id }, 'handoff case left by citizen');
    return record;
  }

  /** The person chose to keep waiting after a timeout: the wait starts again. */
  async keepWaiting(id: string): Promise<HandoffCase> {
    return this.deps.store.update(id, (c) => (OPEN_STATUSES.has(c.status) ? { ...c, waitingSince: this.now(), waitNotified: false } : undefined));
  }

  /**
   * An agent takes a queued case. Atomic per case (of two agents one wins) and per agent: her
   * chat slot is reserved on her own record first, so two takes at once cannot pass `maxChats`.
   */
  async take(caseId: string, agent: DeskAgent): Promise<HandoffCase> {
    const record = await this.deps.store.get(caseId);
    if (!record || !OPEN_STATUSES.has(record.status)) throw new HandoffRefusal('not_found', caseId);
    await this.slots.reserve(agent, caseId);
    let taken: HandoffCase;
    try {
      taken = await this.deps.store.update(caseId, (c) => {
        if (c.status === 'assigned' && c.agent?.id === agent.username) return undefined;
        if (c.status !== 'queued') throw new HandoffRefusal(c.status === 'assigned' ? 'already_taken' : 'not_open', caseId);
        return { ...c, status: 'assigned', agent: { id: agent.username, name: agent.displayName }, takenAt: this.now(), handledBy: addOnce(c.handledBy, agent.username) };
      });
    } catch (err) {
      await this.slots.release(agent.username, caseId);
      throw err;
    }
    this.deps.logger.info({ case: caseId, agent: agent.username }, 'handoff case taken');
    await this.tellChanged(taken);
    await this.messages.toCitizen(taken, [this.citizenText('connected', { agent: agent.displayName })]);
    await this.messages.toAgent(agent.username, this.messages.summary(taken), this.agentText('taken', { caseId }));
    return taken;
  }

  /** The agent opened her own chat for the case (a tab on the agent page): her lines there go to the person, the person's come back there. */
  async openCaseChat(agent: DeskAgent, caseId: string, chat: Partial<ConversationReference>): Promise<HandoffCase> {
    const record = await this.ownCase(agent, caseId);
    const updated = await this.deps.store.update(record.id, (c) => (c.agent?.id === agent.username ? { ...c, agentChat: chat } : undefined));
    await this.messages.toCaseAgent(updated, this.messages.summary(updated));
    return updated;
  }

  /** The agent's chat message to the person of a case (the given one, else her only one); undefined when there is none to send it to. */
  async agentSaid(agent: DeskAgent, text: string, caseId?: string): Promise<HandoffCase | undefined> {
    const record = caseId ? await this.ownCase(agent, caseId) : await this.onlyActiveCase(agent);
    if (!record) return undefined;
    const updated = await this.deps.store.update(record.id, (c) => ({
      ...c,
      transcript: appendLine(c.transcript, { at: this.now(), from: 'agent', name: agent.displayName, text: maskPersonalData(text) }, CASE_TRANSCRIPT_LINES),
    }));
    await this.messages.toCitizen(updated, [this.messages.fromAgent(updated, agent.displayName, text)]);
    return updated;
  }

  /** The agent is typing in a case's chat: shown to the person with her name. */
  async agentTyping(agent: DeskAgent, caseId: string): Promise<void> {
    const record = await this.deps.store.get(caseId);
    if (record?.status === 'assigned' && record.agent?.id === agent.username) await this.messages.toCitizen(record, [this.messages.fromAgent(record, agent.displayName)]);
  }

  /** A canned reply (dialogs/handoff.yaml `templates`) sent as the agent's own words; undefined for an unknown name. */
  async sendTemplate(agent: DeskAgent, name: string, caseId?: string): Promise<HandoffCase | undefined> {
    const template = this.deps.content.handoff.templates[name.trim().toLowerCase()];
    if (!template) return undefined;
    const sent = await this.agentSaid(agent, template.text, caseId);
    if (!sent) throw new HandoffRefusal('not_found', caseId ?? '');
    return sent;
  }

  /** An internal note on the case; the person never sees it. */
  async note(agent: DeskAgent, caseId: string | undefined, text: string): Promise<HandoffCase> {
    const record = caseId ? await this.ownCase(agent, caseId) : await this.onlyActiveCase(agent);
    if (!record) throw new HandoffRefusal('not_found', caseId ?? '');
    const updated = await this.deps.store.update(record.id, (c) => ({ ...c, notes: [...c.notes, { at: this.now(), agent: agent.displayName, text: maskPersonalData(text) }] }));
    await this.messages.toCaseAgent(updated, this.agentText('noteSaved', { caseId: record.id }));
    return updated;
  }

  /**
   * Passes the agent's case to a colleague (who must be signed in; her slot is reserved as when
   * taking) or, without one, back to the queue. The note goes on the case; the person is told.
   */
  async transfer(agent: DeskAgent, caseId: string, to: DeskAgent | undefined, note?: string): Promise<HandoffCase> {
    const record = await this.ownCase(agent, caseId);
    if (to && to.username === agent.username) return record;
    const moved = await transferCase(this.deps.store, this.slots, { agent, record, to, note: note ? maskPersonalData(note) : undefined, at: this.now() });
    this.deps.logger.info({ case: record.id, from: agent.username, to: to?.username ?? 'queue' }, 'handoff case transferred');
    await this.tellChanged(moved);
    const messages = this.messages;
    if (to) {
      await messages.toCitizen(moved, [this.citizenText('transferred', { agent: to.displayName })]);
      await messages.toAgent(to.username, this.agentText('transferredToYou', { from: agent.displayName, caseId: record.id, note: note ? maskPersonalData(note) : '–' }), messages.summary(moved));
      await messages.toAgent(agent.username, this.agentText('transferredAway', { caseId: record.id, to: to.displayName }));
      return moved;
    }
    await messages.toCitizen(moved, [this.citizenText('transferredToQueue', { agent: agent.displayName, position: await this.position(record.id) })]);
    await messages.toAgent(agent.username, this.agentText('transferredToQueue', { caseId: record.id }));
    const queued = (await this.deps.store.openCases()).filter((c) => c.status === 'queued').length;
    await this.noticeToAvailable(this.agentText('newCase', { caseId: record.id, reason: this.reasonText(record.reason), count: queued }), agent.username);
    return moved;
  }

  /** The agent gives the conversation back to the bot. */
  async handBack(agent: DeskAgent, caseId?: string): Promise<HandoffCase> {
    return this.end(agent, caseId, 'returned');
  }

  /** The agent ends the case; the person is asked how satisfied they were. */
  async close(agent: DeskAgent, caseId?: string): Promise<HandoffCase> {
    return this.end(agent, caseId, 'closed');
  }

  /** What an external hub reported with `handoff.status`. */
  async hubStatus(caseId: string, state: HubState): Promise<HandoffCase> {
    const record = await applyHubStatus(this.deps.store, caseId, state, { name: this.deps.content.handoff.labels.hub, at: this.now() });
    if (!OPEN_STATUSES.has(record.status)) await this.ended(record);
    this.deps.logger.info({ case: caseId, state }, 'handoff.status from the channel');
    return record;
  }

  /** Stores the person's 1–5 answer on a closed case (only the first answer counts) and adds it to the score totals. */
  rate(caseId: string, score: number): Promise<HandoffCase> {
    return rateCase(this.deps.store, caseId, score);
  }

  /** Open cases for the agent page, waiting ones first: all of them, or those `agent` may read. */
  async queue(agent?: DeskAgent): Promise<QueueEntry[]> {
    return this.views.queue(await this.deps.store.openCases(), agent);
  }

  /**
   * Tells everyone whose wait has run past `waitSeconds` (once per wait) that no agent is
   * free yet and how else to get help. Run on a timer; returns how many were told.
   */
  async sweep(): Promise<number> {
    await this.history.pruneDaily().catch((err: unknown) => this.deps.logger.warn({ err }, 'could not prune the case history'));
    const otherHelp = this.deps.content.handoff.citizen.otherHelp.text;
    return sweepQueue(this.deps.store, this.deps.clock, this.deps.waitSeconds, (c, minutes) => this.messages.toCitizen(c, [this.citizenText('timeout', { minutes, otherHelp })]));
  }

  /** Remembers where to reach an agent (their desk chat with the bot), her name and role. */
  registerAgent(agent: DeskAgent, conversation: Partial<ConversationReference>): Promise<void> {
    return this.roster.register(agent, conversation);
  }

  /** Where the agent was last reached. */
  async agentConversation(agent: DeskAgent): Promise<Partial<ConversationReference> | undefined> {
    return (await this.deps.store.agent(agent.username))?.conversation;
  }

  /** The cases the agent is chatting in, oldest first. */
  async activeCases(agent: DeskAgent): Promise<HandoffCase[]> {
    return this.slots.activeCases(agent.username);
  }

  /** The first case the agent is chatting in, if any. */
  async activeCase(agent: DeskAgent): Promise<HandoffCase | undefined> {
    return (await this.activeCases(agent))[0];
  }

  reasonText(reason: EscalationReason): string {
    return this.views.reasonText(reason);
  }

  citizenText(id: CitizenHandoffId, vars: Record<string, string | number> = {}): Partial<Activity> {
    return this.messages.citizenText(id, vars);
  }

  agentText(id: AgentDeskId, vars: Record<string, string | number> = {}): Partial<Activity> {
    return this.messages.agentText(id, vars);
  }

  /** A desk text as it stands inside another one (a line of the queue), placeholders filled. */
  agentLine(id: AgentDeskId, vars: Record<string, string | number> = {}): string {
    return this.agentText(id, vars).text ?? '';
  }

  lastQuestion(c: HandoffCase): string | undefined {
    return this.views.lastQuestion(c);
  }

  forAgents(c: HandoffCase): AgentCaseView {
    return this.views.forAgents(c);
  }

  private async end(agent: DeskAgent, caseId: string | undefined, status: 'returned' | 'closed'): Promise<HandoffCase> {
    const record = caseId ? await this.ownCase(agent, caseId) : await this.onlyActiveCase(agent);
    if (!record) throw new HandoffRefusal('not_found', caseId ?? '');
    const ended = await this.deps.store.update(record.id, (c) => {
      if (c.status !== 'assigned' || c.agent?.id !== agent.username) throw new HandoffRefusal('not_yours', record.id);
      return { ...c, status, endedAt: this.now() };
    });
    await this.slots.release(agent.username, record.id);
    this.deps.logger.info({ case: record.id, agent: agent.username, status }, 'handoff case ended');
    await this.ended(ended);
    if (status === 'returned') {
      await this.messages.toCitizen(ended, [this.citizenText('handedBack', { agent: agent.displayName })]);
      await this.messages.toCaseAgent(ended, this.agentText('handedBack', { caseId: record.id }));
    } else {
      await this.messages.toCitizen(ended, [this.citizenText('closed', { agent: agent.displayName }), this.citizenText('satisfaction')]);
      await this.messages.toCaseAgent(ended, this.agentText('closed', { caseId: record.id }));
    }
    return ended;
  }

  /** A case that ended goes into the history (and its agent's count of closed cases), and other views follow. */
  private async ended(record: HandoffCase): Promise<void> {
    await this.deps.store.addToHistory(danishToday(fixedClock(record.endedAt ?? this.now())), record.id);
    const agent = record.agent;
    if (record.status === 'closed' && agent && agent.id !== 'external') await this.deps.store.updateScores((totals) => addClosed(totals, agent));
    await this.tellChanged(record);
  }

  /** The given case, when it is assigned to this agent. */
  private async ownCase(agent: DeskAgent, caseId: string): Promise<HandoffCase> {
    const record = await this.deps.store.get(caseId);
    if (!record) throw new HandoffRefusal('not_found', caseId);
    if (record.status !== 'assigned' || record.agent?.id !== agent.username) throw new HandoffRefusal('not_yours', record.id);
    return record;
  }

  /** The agent's one case, when she has exactly one; with several she must say which. */
  private async onlyActiveCase(agent: DeskAgent): Promise<HandoffCase | undefined> {
    const cases = await this.activeCases(agent);
    if (cases.length > 1) throw new HandoffRefusal('not_found', '');
    return cases[0];
  }

  /** A notice to the agents who are signed in, available and have a free chat slot. */
  private async noticeToAvailable(notice: Partial<Activity>, except?: string): Promise<void> {
    await Promise.all(
      (await this.deps.presence.online()).map(async (agentId) => {
        if (agentId === except) return;
        const agent = await this.deps.store.agent(agentId);
        if (agent?.presence === 'away' || activeCasesOf(agent).length >= this.slots.maxChats) return;
        await this.messages.toAgent(agentId, notice);
      }),
    );
  }

  private async tellChanged(record: HandoffCase): Promise<void> {
    if (!this.deps.changed) return;
    await this.deps.changed(record).catch((err: unknown) => this.deps.logger.warn({ err, case: record.id }, 'could not update other views of the case'));
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}

function addOnce(list: string[] | undefined, id: string): string[] {
  return list?.includes(id) ? list : [...(list ?? []), id];
}
