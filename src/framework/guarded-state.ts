import { ConversationState, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import { jsonOf, READ_JSON, STORED_JSON, withJson, WRITTEN_JSON } from '../storage/bot-storage';

/** A conversation's state as read this turn, and what it looked like then. */
interface TurnCopy {
  state: Record<string, unknown>;
  /** `JSON.stringify(state)` when read or last written: the state changed when this differs. */
  json: string;
  /** The eTag the state was read with; undefined for a conversation not stored yet. */
  eTag: string | undefined;
  /** The state's JSON as it is stored now (`{}` for none): what a late write would be undone to. */
  stored: string;
}

/**
 * Conversation state with two changes to botbuilder's `BotState`, both on every turn's path:
 *
 * - It writes with the eTag the state was read with. `BotState` writes with `eTag: "*"`, so of
 *   two turns of one conversation running at once (two instances behind a load balancer) the
 *   later write silently won. Now that write fails with an eTag conflict and the turn ends with
 *   the apology instead of overwriting the other turn's state.
 * - It tells a change by comparing `JSON.stringify` output. `BotState` hashes the state three
 *   times a turn with botbuilder-stdlib's `stringify` (a JavaScript replacer called for every
 *   value, then SHA-256): 6 % of a turn's CPU in the profile. State here is plain JSON
 *   (dialog stack, flags, transcript), so the native serialiser gives the same answer. The file
 *   storage hands over the JSON it read and takes the JSON compared here, so a turn serialises once.
 */
export class GuardedConversationState extends ConversationState {
  // Our own turn-state key: the base class keeps its cache under a private symbol.
  private readonly turnKey = Symbol('conversation state copy');

  override async load(context: TurnContext, force = false): Promise<any> {
    const cached = context.turnState.get(this.turnKey) as TurnCopy | undefined;
    if (cached && !force) return cached.state;
    const key = await this.storageKey(context);
    const items = await this.storage.read([key]);
    const item = (items[key] ?? {}) as Record<string, unknown>;
    const { eTag, ...state } = item;
    const json = jsonOf(item, STORED_JSON) ?? JSON.stringify(state);
    const copy: TurnCopy = { state, json, eTag: typeof eTag === 'string' && eTag !== '*' ? eTag : undefined, stored: json };
    context.turnState.set(this.turnKey, copy);
    return state;
  }

  override async saveChanges(context: TurnContext, force = false): Promise<void> {
    let copy = context.turnState.get(this.turnKey) as TurnCopy | undefined;
    if (!copy && !force) return;
    copy ??= { state: {}, json: '', eTag: undefined, stored: '{}' };
    const json = JSON.stringify(copy.state);
    if (json === copy.json && !force) return;
    const key = await this.storageKey(context);
    const item = withJson(withJson({ ...copy.state, ...(copy.eTag ? { eTag: copy.eTag } : {}) }, WRITTEN_JSON, json), READ_JSON, copy.stored);
    await this.storage.write({ [key]: item });
    copy.json = json;
    copy.stored = json;
    context.turnState.set(this.turnKey, copy);
  }

  override async clear(context: TurnContext): Promise<void> {
    // Cleared state is written at the next saveChanges, still guarded by the eTag it was read with.
    const previous = context.turnState.get(this.turnKey) as TurnCopy | undefined;
    context.turnState.set(this.turnKey, { state: {}, json: '', eTag: previous?.eTag, stored: previous?.stored ?? '{}' } satisfies TurnCopy);
  }

  override async delete(context: TurnContext): Promise<void> {
    context.turnState.delete(this.turnKey);
    await this.storage.delete([await this.storageKey(context)]);
  }

  override get(context: TurnContext): any {
    return (context.turnState.get(this.turnKey) as TurnCopy | undefined)?.state;
  }

  override createProperty<T = any>(name: string): StatePropertyAccessor<T> {
    return new StateProperty<T>(this, name);
  }
}

/**
 * botbuilder's `BotStatePropertyAccessor`, doing the same, without its generator-based async
 * wrappers and without waiting for a state already read this turn. A turn reads its properties
 * (dialog stack, flags, hand-over) a dozen times: 2.7 % of a turn's CPU went to the accessor.
 */
class StateProperty<T> implements StatePropertyAccessor<T> {
  constructor(
    private readonly state: GuardedConversationState,
    readonly name: string,
  ) {}

  async get(context: TurnContext, defaultValue?: T): Promise<T> {
    const object = await this.object(context);
    if (!Object.prototype.hasOwnProperty.call(object, this.name) && defaultValue !== undefined) {
      object[this.name] = typeof defaultValue === 'object' ? JSON.parse(JSON.stringify(defaultValue)) : defaultValue;
    }
    return object[this.name] as T;
  }

  async set(context: TurnContext, value: T): Promise<void> {
    (await this.object(context))[this.name] = value;
  }

  async delete(context: TurnContext): Promise<void> {
    delete (await this.object(context))[this.name];
  }

  private object(context: TurnContext): Record<string, unknown> | Promise<Record<string, unknown>> {
    return (this.state.get(context) as Record<string, unknown> | undefined) ?? this.state.load(context);
  }
}
