import { escapeMarkdownHtml } from '../text/markdown';
import type { Activity, ConversationReference } from 'botbuilder';
import type { Replies } from '../dialogs/replies';
import type { Clock } from '../clock';
import type { Content } from '../content/load-content';
import type { AgentDeskId, CitizenHandoffId } from '../content/handoff-texts';
import { NONE_INTENT } from '../content/intents-content';
import type { Logger } from '../logger';
import { maskPersonalData } from '../text/mask';
import { normalizeText } from '../text/normalize';
import type { AgentPresence } from './agent-presence';
import { appendLine, minutesBetween, OPEN_STATUSES, type CaseAgent, type EscalationReason, type HandoffCase, type TranscriptLine } from './case';
import { HandoffRefusal, type CaseStore } from './case-store';
import type { Messenger } from './messenger';

/** A case keeps more lines than the rolling transcript in conversation state: the agent chat is added. */
const CASE_TRANSCRIPT_LINES = 500;

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
  /** Tells agents elsewhere about a new case (the support desk's Teams channel); such a desk counts as staffed. */
  announce?: (record: HandoffCase) => Promise<void>;
  /** Told after a case was taken, transferred, handed back, closed or left, so other views of it (the Teams card) follow. */
  changed?: (record: HandoffCase) => Promise<void>;
}

/** What a member of staff may see: an agent her own and the queued cases, a supervisor every case. */
export type StaffRole = 'agent' | 'supervisor';

/** An agent as the desk knows them (an AGENT_ACCOUNTS entry, or a person signed in with the identity provider). */
export interface DeskAgent {
  /** The agent's id: safe in Direct Line ids and storage keys ([a-z0-9._-]). */
  username: string;
  displayName: string;
  /** Least privilege when not given: an agent. */
  role?: StaffRole;
}

export interface NewCase {
  reason: EscalationReason;
  channelId: string;
  conversation: Partial<ConversationReference>;
  guidePath: string[];
  recentIntents: string[];
  transcript: TranscriptLine[];
}

/** One row of the agent page's queue. */
export interface QueueEntry {
  id: string;
  status: HandoffCase['status'];
  reason: string;
  channelId: string;
  waitingSeconds: number;
  guidePath: string[];
  recentIntents: string[];
  agent?: CaseAgent;
  lastCitizenLine?: string;
}

/** External hubs report with these `handoff.status` states. */
export type HubState = 'accepted' | 'failed' | 'completed';

/**
 * Everything that happens to a case after the person agreed to the hand-over: the queue,
 * agents taking, chatting, noting, handing back and closing, and the messages that tell
 * both sides. Each change is stored before anyone is told about it.
 */
export class HandoffService {
  constructor(private readonly deps: HandoffServiceDeps) {}

  get hub(): 'builtin' | 'external' {
    return this.deps.hub;
  }

  /** The content the desk speaks from: its texts, labels and command words. */
  get content(): Content {
    return this.deps.content;
  }

  /** Stores a new case (queued for our agents, or waiting for the external hub). */
  async open(input: NewCase): Promise<{ record: HandoffCase; position: number; agentsOnline: number }> {
    const now = this.now();
    const record = await this.deps.store.create((id) => ({
      id,
      status: this.deps.hub === 'builtin' ? 'queued' : 'external',
      reason: input.reason,
      channelId: input.channelId,
      conversation: input.conversation,
      createdAt: now,
      waitingSince: now,
      waitNotified: false,
      guidePath: input.guidePath,
      recentIntents: input.recentIntents,
      transcript: input.transcript.slice(-CASE_TRANSCRIPT_LINES),
      notes: [],
    }));
    this.deps.logger.info({ case: record.id, reason: record.reason, channel: record.channelId, status: record.status }, 'handoff case opened');
    const open = await this.deps.store.openCases();
    const queued = open.filter((c) => c.status === 'queued');
    const online = this.deps.presence.online();
    if (record.status === 'queued' && this.deps.announce) {
      await this.deps.announce(record).catch((err: unknown) => this.deps.logger.warn({ err, case: record.id }, 'could not announce the case'));
    }
    if (record.status === 'queued') {
      await Promise.all(
        online.map(async (agentId) => {
          const agent = await this.deps.store.agent(agentId);
          if (agent?.activeCaseId) return;
          await this.toAgent(agentId, this.agentText('newCase', { caseId: record.id, reason: this.reasonText(record.reason), count: queued.length }));
        }),
      );
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

  /** Adds the person's (already masked) message to the case and passes it to the agent chatting with them. */
  async citizenSaid(id: string, maskedText: string): Promise<HandoffCase> {
    const record = await this.deps.store.update(id, (c) => ({ ...c, transcript: appendLine(c.transcript, { at: this.now(), from: 'citizen', text: maskedText }, CASE_TRANSCRIPT_LINES) }));
    if (record.status === 'assigned' && record.agent && record.agent.id !== 'external') {
      await this.toAgent(record.agent.id, this.agentText('fromCitizen', { caseId: id, text: escapeMarkdownHtml(maskedText) }));
    }
    return record;
  }

  /** The person left ("annuller"); an agent chatting with them is told. */
  async leave(id: string): Promise<HandoffCase> {
    const record = await this.deps.store.update(id, (c) => (OPEN_STATUSES.has(c.status) ? { ...c, status: 'cancelled', endedAt: this.now() } : undefined));
    if (record.agent && record.agent.id !== 'external') {
      await this.releaseAgent(record.agent.id, id);
      await this.toAgent(record.agent.id, this.agentText('citizenLeft', { caseId: id }));
    }
    this.deps.logger.info({ case: id }, 'handoff case left by citizen');
    await this.tellChanged(record);
    return record;
  }

  /** The person chose to keep waiting after a timeout: the wait starts again. */
  async keepWaiting(id: string): Promise<HandoffCase> {
    return this.deps.store.update(id, (c) => (OPEN_STATUSES.has(c.status) ? { ...c, waitingSince: this.now(), waitNotified: false } : undefined));
  }

  /** An agent takes a queued case; refused when it is taken already or the agent has one open. */
  async take(caseId: string, agent: DeskAgent): Promise<HandoffCase> {
    const record = await this.deps.store.get(caseId);
    if (!record || !OPEN_STATUSES.has(record.status)) throw new HandoffRefusal('not_found', caseId);
    const own = await this.deps.store.agent(agent.username);
    if (own?.activeCaseId && own.activeCaseId !== caseId) {
      const active = await this.deps.store.get(own.activeCaseId);
      if (active && active.status === 'assigned' && active.agent?.id === agent.username) throw new HandoffRefusal('busy', own.activeCaseId);
    }
    // The check and the change are one eTag-guarded write: of two agents, one wins and the other is refused.
    const taken = await this.deps.store.update(caseId, (c) => {
      if (c.status === 'assigned' && c.agent?.id === agent.username) return undefined;
      if (c.status !== 'queued') throw new HandoffRefusal(c.status === 'assigned' ? 'already_taken' : 'not_open', caseId);
      return { ...c, status: 'assigned', agent: { id: agent.username, name: agent.displayName }, takenAt: this.now() };
    });
    await this.deps.store.updateAgent(agent.username, (a) => ({ ...(a ?? { id: agent.username, name: agent.displayName }), activeCaseId: caseId }));
    this.deps.logger.info({ case: caseId, agent: agent.username }, 'handoff case taken');
    await this.tellChanged(taken);
    await this.toCitizen(taken, [this.citizenText('connected', { agent: agent.displayName })]);
    await this.toAgent(agent.username, this.summary(taken), this.agentText('taken', { caseId }));
    return taken;
  }

  /** The agent's chat message to the person of their active case; undefined when they have none. */
  async agentSaid(agent: DeskAgent, text: string): Promise<HandoffCase | undefined> {
    const record = await this.activeCase(agent);
    if (!record) return undefined;
    const updated = await this.deps.store.update(record.id, (c) => ({
      ...c,
      transcript: appendLine(c.transcript, { at: this.now(), from: 'agent', name: agent.displayName, text: maskPersonalData(text) }, CASE_TRANSCRIPT_LINES),
    }));
    await this.toCitizen(updated, [this.citizenText('fromAgent', { agent: agent.displayName, text: escapeMarkdownHtml(text) })]);
    return updated;
  }

  /** An internal note on the case; the person never sees it. */
  async note(agent: DeskAgent, caseId: string | undefined, text: string): Promise<HandoffCase> {
    const record = await this.ownCase(agent, caseId);
    const updated = await this.deps.store.update(record.id, (c) => ({ ...c, notes: [...c.notes, { at: this.now(), agent: agent.displayName, text: maskPersonalData(text) }] }));
    await this.toAgent(agent.username, this.agentText('noteSaved', { caseId: record.id }));
    return updated;
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
    const record = await this.deps.store.update(caseId, (c) => {
      if (!OPEN_STATUSES.has(c.status)) return undefined;
      if (state === 'accepted') return { ...c, status: 'assigned', agent: { id: 'external', name: this.deps.content.handoff.labels.hub }, takenAt: this.now() };
      return { ...c, status: state === 'failed' ? 'failed' : 'closed', endedAt: this.now() };
    });
    this.deps.logger.info({ case: caseId, state }, 'handoff.status from the channel');
    return record;
  }

  /** Stores the person's 1–5 answer on a closed case (only the first answer counts). */
  async rate(caseId: string, score: number): Promise<HandoffCase> {
    return this.deps.store.update(caseId, (c) => (c.status === 'closed' && c.satisfaction === undefined ? { ...c, satisfaction: score } : undefined));
  }

  /** Open cases for the agent page, waiting ones first. */
  async queue(): Promise<QueueEntry[]> {
    const now = this.deps.clock.now();
    const open = await this.deps.store.openCases();
    return open
      .map((c) => ({
        id: c.id,
        status: c.status,
        reason: this.reasonText(c.reason),
        channelId: c.channelId,
        waitingSeconds: Math.max(0, Math.round((now.getTime() - Date.parse(c.waitingSince)) / 1000)),
        guidePath: c.guidePath,
        recentIntents: c.recentIntents.map((id) => this.intentTitle(id)),
        ...(c.agent ? { agent: c.agent } : {}),
        ...(this.lastQuestion(c) ? { lastCitizenLine: this.lastQuestion(c) } : {}),
      }))
      .sort((a, b) => Number(a.status !== 'queued') - Number(b.status !== 'queued'));
  }

  /**
   * Tells everyone whose wait has run past `waitSeconds` (once per wait) that no agent is
   * free yet and how else to get help. Run on a timer; returns how many were told.
   */
  async sweep(): Promise<number> {
    const now = this.deps.clock.now();
    let told = 0;
    for (const c of await this.deps.store.openCases()) {
      if (c.status === 'assigned' || c.waitNotified) continue;
      if (now.getTime() - Date.parse(c.waitingSince) < this.deps.waitSeconds * 1000) continue;
      const updated = await this.deps.store.update(c.id, (current) => (current.status === c.status && !current.waitNotified ? { ...current, waitNotified: true } : undefined));
      if (!updated.waitNotified || updated.status === 'assigned') continue;
      const minutes = Math.max(1, minutesBetween(updated.waitingSince, now));
      await this.toCitizen(updated, [this.citizenText('timeout', { minutes, otherHelp: this.deps.content.handoff.citizen.otherHelp.text })]);
      told++;
    }
    return told;
  }

  /** Remembers where to reach an agent (their chat with the bot). */
  async registerAgent(agent: DeskAgent, conversation: Partial<ConversationReference>): Promise<void> {
    this.deps.presence.seen(agent.username);
    await this.deps.store.updateAgent(agent.username, (a) => ({ ...(a ?? { id: agent.username }), name: agent.displayName, conversation }));
  }

  /** Where the agent was last reached. */
  async agentConversation(agent: DeskAgent): Promise<Partial<ConversationReference> | undefined> {
    return (await this.deps.store.agent(agent.username))?.conversation;
  }

  /** The case the agent is chatting in, if any. */
  async activeCase(agent: DeskAgent): Promise<HandoffCase | undefined> {
    const id = (await this.deps.store.agent(agent.username))?.activeCaseId;
    const record = id ? await this.deps.store.get(id) : undefined;
    return record?.status === 'assigned' && record.agent?.id === agent.username ? record : undefined;
  }

  reasonText(reason: EscalationReason): string {
    return this.deps.content.handoff.agent[reason === 'asked' ? 'reasonAsked' : 'reasonFallbacks'].text;
  }

  citizenText(id: CitizenHandoffId, vars: Record<string, string | number> = {}): Partial<Activity> {
    return this.deps.replies.entry(this.deps.content.handoff.citizen[id], vars);
  }

  agentText(id: AgentDeskId, vars: Record<string, string | number> = {}): Partial<Activity> {
    return this.deps.replies.entry(this.deps.content.handoff.agent[id], vars);
  }

  /** A desk text as it stands inside another one (a line of the queue), placeholders filled. */
  agentLine(id: AgentDeskId, vars: Record<string, string | number> = {}): string {
    return this.agentText(id, vars).text ?? '';
  }

  private async end(agent: DeskAgent, caseId: string | undefined, status: 'returned' | 'closed'): Promise<HandoffCase> {
    const record = await this.ownCase(agent, caseId);
    const ended = await this.deps.store.update(record.id, (c) => {
      if (c.status !== 'assigned' || c.agent?.id !== agent.username) throw new HandoffRefusal('not_yours', record.id);
      return { ...c, status, endedAt: this.now() };
    });
    await this.releaseAgent(agent.username, record.id);
    this.deps.logger.info({ case: record.id, agent: agent.username, status }, 'handoff case ended');
    await this.tellChanged(ended);
    if (status === 'returned') {
      await this.toCitizen(ended, [this.citizenText('handedBack', { agent: agent.displayName })]);
      await this.toAgent(agent.username, this.agentText('handedBack', { caseId: record.id }));
    } else {
      await this.toCitizen(ended, [this.citizenText('closed', { agent: agent.displayName }), this.citizenText('satisfaction')]);
      await this.toAgent(agent.username, this.agentText('closed', { caseId: record.id }));
    }
    return ended;
  }

  /** The given case, or the agent's active one, when it is assigned to this agent. */
  private async ownCase(agent: DeskAgent, caseId: string | undefined): Promise<HandoffCase> {
    const record = caseId ? await this.deps.store.get(caseId) : await this.activeCase(agent);
    if (!record) throw new HandoffRefusal('not_found', caseId ?? '');
    if (record.status !== 'assigned' || record.agent?.id !== agent.username) throw new HandoffRefusal('not_yours', record.id);
    return record;
  }

  private async releaseAgent(agentId: string, caseId: string): Promise<void> {
    await this.deps.store.updateAgent(agentId, (a) => {
      if (!a || a.activeCaseId !== caseId) return undefined;
      const { activeCaseId: _done, ...rest } = a;
      return rest;
    });
  }

  /** The agent's summary of a case: who, how long, the path in the guide and the conversation so far. */
  private summary(c: HandoffCase): Partial<Activity> {
    const labels = this.deps.content.handoff.labels;
    const names = { citizen: labels.citizen, bot: this.deps.content.labels.botName } as const;
    const transcript = c.transcript.map((l) => `- ${l.from === 'agent' ? (l.name ?? labels.agent) : names[l.from]}: ${l.text.replace(/\s+/g, ' ')}`).join('\n');
    return this.agentText('summary', {
      caseId: c.id,
      channel: c.channelId,
      minutes: minutesBetween(c.createdAt, this.deps.clock.now()),
      reason: this.reasonText(c.reason),
      path: c.guidePath.length > 0 ? c.guidePath.join(' → ') : '–',
      intents: c.recentIntents.length > 0 ? c.recentIntents.map((id) => this.intentTitle(id)).join(', ') : '–',
      transcript: transcript || '–',
    });
  }

  /** The citizen's last line that says something: "Tal med en medarbejder" and "Ja, send den videre" tell the agent nothing. */
  lastQuestion(c: HandoffCase): string | undefined {
    const citizen = this.deps.content.handoff.citizen;
    const askingForAPerson = new Set([...(citizen.consent.buttons ?? []), ...(citizen.offerAfterFallbacks.buttons ?? []), ...(citizen.consentNoCall.buttons ?? []), ...this.deps.content.phrases.commands.human].map(normalizeText));
    return [...c.transcript].reverse().find((l) => l.from === 'citizen' && !askingForAPerson.has(normalizeText(l.text)))?.text;
  }

  /** A case as the agent page shows it: reason and intents in words, without the channel address. */
  forAgents(c: HandoffCase): Omit<HandoffCase, 'conversation' | 'recentIntents' | 'reason'> & { reason: string; recentIntents: string[] } {
    const { conversation: _where, ...visible } = c;
    return { ...visible, reason: this.reasonText(c.reason), recentIntents: c.recentIntents.map((id) => this.intentTitle(id)) };
  }

  private intentTitle(id: string): string {
    return this.deps.content.intents.intents.get(id as never)?.title ?? (id === NONE_INTENT ? this.deps.content.labels.notUnderstood : id);
  }

  private async toCitizen(c: HandoffCase, activities: Array<Partial<Activity>>): Promise<void> {
    await this.deliver(c.conversation, activities, { case: c.id, to: 'citizen' });
  }

  private async toAgent(agentId: string, ...activities: Array<Partial<Activity>>): Promise<void> {
    const conversation = (await this.deps.store.agent(agentId))?.conversation;
    if (conversation) await this.deliver(conversation, activities, { agent: agentId, to: 'agent' });
  }

  // The case is stored before anyone is told, so a message that cannot be delivered now
  // (the person closed the page) costs nothing: the agent page and the next turn read the case.
  private async deliver(reference: Partial<ConversationReference>, activities: Array<Partial<Activity>>, where: Record<string, string>): Promise<void> {
    try {
      await this.deps.messenger.send(reference, activities);
    } catch (err) {
      this.deps.logger.warn({ err, ...where }, 'could not deliver a handoff message');
    }
  }

  private async tellChanged(record: HandoffCase): Promise<void> {
    if (!this.deps.changed) return;
    await this.deps.changed(record).catch((err: unknown) => this.deps.logger.warn({ err, case: record.id }, 'could not update other views of the case'));
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}

