import type { Clock } from '../clock';

/**
 * Which agents are signed in right now: the agent page calls in every few seconds, so an
 * agent not heard from for `windowMs` has closed it. Kept in memory: after a restart agents
 * count as present again at their page's next call.
 */
export class AgentPresence {
  private readonly lastSeen = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly windowMs = 60_000,
  ) {}

  seen(agentId: string): void {
    this.lastSeen.set(agentId, this.clock.now().getTime());
  }

  signedOut(agentId: string): void {
    this.lastSeen.delete(agentId);
  }

  online(): string[] {
    const cutoff = this.clock.now().getTime() - this.windowMs;
    for (const [id, at] of this.lastSeen) if (at < cutoff) this.lastSeen.delete(id);
    return [...this.lastSeen.keys()];
  }
}
