import type { ConversationReference } from 'botbuilder';
import type { AgentPresence } from './agent-presence';
import { activeCasesOf, type AgentPresenceStatus, type AgentRecord, type CaseStore } from './case-store';
import type { DeskAgent } from './handoff-service';

/** A colleague as the transfer list shows her. */
export interface Colleague {
  username: string;
  displayName: string;
  presence: AgentPresenceStatus;
  chats: number;
}

/** The agents the desk knows: where to reach each, her name and role as she signed in, available or away. */
export class AgentRoster {
  constructor(
    private readonly store: CaseStore,
    private readonly presence: AgentPresence,
  ) {}

  async register(agent: DeskAgent, conversation: Partial<ConversationReference>): Promise<void> {
    this.presence.seen(agent.username);
    await this.store.updateAgent(agent.username, (a) => ({ ...(a ?? { id: agent.username }), name: agent.displayName, ...(agent.role ? { role: agent.role } : {}), conversation }));
  }

  /** The agent as she signed in last (name, role), by her id; undefined when she never did. */
  async known(id: string): Promise<DeskAgent | undefined> {
    const record = await this.store.agent(id);
    return record && { username: record.id, displayName: record.name, ...(record.role ? { role: record.role } : {}) };
  }

  async presenceOf(id: string): Promise<AgentPresenceStatus> {
    return (await this.store.agent(id))?.presence ?? 'available';
  }

  /** Available for new cases, or away (keeps her chats, gets no new-case notices). */
  async setPresence(agent: DeskAgent, presence: AgentPresenceStatus): Promise<void> {
    this.presence.seen(agent.username);
    await this.store.updateAgent(agent.username, (a) => ({ ...(a ?? { id: agent.username, name: agent.displayName }), presence }));
  }

  /** The signed-in agents with their presence and number of chats: whom a case can be passed to. */
  async colleagues(): Promise<Colleague[]> {
    const records = await Promise.all((await this.presence.online()).map((id) => this.store.agent(id)));
    return records.filter((r): r is AgentRecord => r !== undefined).map((r) => ({ username: r.id, displayName: r.name, presence: r.presence ?? 'available', chats: activeCasesOf(r).length }));
  }
}
