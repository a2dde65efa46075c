import { ConversationState, UserState, type StoreItem, type TurnContext } from 'botbuilder';

const guarded = new WeakSet<object>();

/**
 * botbuilder's BotState writes with `eTag: "*"` at the end of every turn, so of two turns of
 * one conversation running at once (two instances behind a load balancer) the later write
 * silently wins. This keeps the eTag the state was read with: the write then fails with an
 * eTag conflict when another turn wrote in between, and the turn ends with the apology
 * instead of overwriting the other turn's state.
 */
function keepReadETag(state: StoreItem): StoreItem {
  if (guarded.has(state)) return state;
  let eTag: string | undefined = state.eTag;
  Object.defineProperty(state, 'eTag', {
    enumerable: true,
    configurable: true,
    get: () => eTag,
    set: (value: string | undefined) => {
      if (value !== '*') eTag = value;
    },
  });
  guarded.add(state);
  return state;
}

export class GuardedConversationState extends ConversationState {
  override async load(context: TurnContext, force = false): Promise<any> {
    return keepReadETag(await super.load(context, force));
  }
}

export class GuardedUserState extends UserState {
  override async load(context: TurnContext, force = false): Promise<any> {
    return keepReadETag(await super.load(context, force));
  }
}
