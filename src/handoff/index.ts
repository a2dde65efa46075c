import type { Storage } from 'botbuilder';
import { Replies } from '../dialogs/replies';
import type { Clock } from '../clock';
import type { Content } from '../content/load-content';
import type { Logger } from '../logger';
import { AgentPresence } from './agent-presence';
import { CaseStore } from './case-store';
import { HandoffService, type HandoffServiceDeps } from './handoff-service';
import type { Messenger } from './messenger';

export interface Handoff {
  service: HandoffService;
  store: CaseStore;
  presence: AgentPresence;
}

/** The hand-over's parts on the bot's storage; every entry point (server, terminal, tests) builds them the same way. */
export function createHandoff(options: {
  storage: Storage;
  content: Content;
  clock: Clock;
  logger: Logger;
  messenger: Messenger;
  hub?: 'builtin' | 'external';
  waitSeconds?: number;
  announce?: HandoffServiceDeps['announce'];
  changed?: HandoffServiceDeps['changed'];
  maxChats?: number;
  historyDays?: number;
}): Handoff {
  const store = new CaseStore(options.storage);
  const presence = new AgentPresence(options.clock, options.storage);
  const service = new HandoffService({
    store,
    messenger: options.messenger,
    clock: options.clock,
    content: options.content,
    replies: new Replies(options.content, options.clock),
    presence,
    logger: options.logger,
    hub: options.hub ?? 'builtin',
    waitSeconds: options.waitSeconds ?? 300,
    ...(options.announce ? { announce: options.announce } : {}),
    ...(options.changed ? { changed: options.changed } : {}),
    ...(options.maxChats ? { maxChats: options.maxChats } : {}),
    ...(options.historyDays ? { historyDays: options.historyDays } : {}),
  });
  return { service, store, presence };
}
