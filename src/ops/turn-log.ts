import { performance } from 'node:perf_hooks';
import type { Activity, Middleware, RecognizerResult, TurnContext } from 'botbuilder';
import type { Logger } from '../logger';
import type { Decision, IntentRecognizer } from '../nlu/recognizer';
import { TURN_DECISION_KEY } from '../bot/turn-router';
import type { BotMetrics } from './metrics';

/** What the bot let slip about a turn through the activities it sent. */
interface Observed {
  recognized?: RecognizerResult;
  /** The turn router's row that decided the message. */
  route?: string;
  caseId?: string;
  escalation?: string;
  fallback: boolean;
  replies: number;
}

export interface TurnObserverDeps {
  logger: Logger;
  /** The same thresholds as the bot, so the logged decision is the one the bot took. */
  recognizer: Pick<IntentRecognizer, 'decide'>;
  metrics?: BotMetrics;
  /**
   * Whether a reply is the bot's "I did not understand". A `none` decision alone does not mean
   * a fallback: inside the guide, "Ja" scores nothing and the guide simply goes on.
   */
  isFallback?: (reply: Partial<Activity>) => boolean;
}

/**
 * Adapter middleware that writes exactly one JSON line per turn (conversation, channel,
 * activity type, route, intent and score, latency, case id on escalation) and feeds the metrics.
 * It reads the bot's decision from what the turn router leaves in turn state (the value of its
 * `IntentRecognizer` trace) and the escalation from the hand-over signal the bot sends, so the
 * bot itself knows nothing about logging. What people
 * wrote is never logged: it is in the conversation state, and it may hold personal data.
 */
export class TurnObserver implements Middleware {
  constructor(private readonly deps: TurnObserverDeps) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const activity = context.activity;
    // Sending to a conversation outside its turns (an agent's message) runs as a synthetic turn; it is not traffic.
    if (activity.type === 'event' && activity.name === 'ContinueConversation') return next();
    const started = performance.now();
    const observed: Observed = { replies: 0, fallback: false };
    context.onSendActivities(async (_context, activities, send) => {
      for (const sent of activities) {
        observe(sent, observed);
        if (sent.type === 'message' && this.deps.isFallback?.(sent)) observed.fallback = true;
      }
      return send();
    });
    let failed = false;
    try {
      await next();
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      observeDecision(context.turnState.get(TURN_DECISION_KEY), observed);
      this.record(activity, observed, performance.now() - started, failed);
    }
  }

  private record(activity: Activity, observed: Observed, ms: number, failed: boolean): void {
    const classified = observed.recognized && Object.keys(observed.recognized.intents).length > 0 ? observed.recognized : undefined;
    const decision = classified ? this.decide(classified) : undefined;
    const intent = decision?.kind === 'intent' ? decision.intent : decision?.kind;
    const score = decision ? scoreOf(decision, classified!) : undefined;
    const named = activity.type === 'event' || activity.type === 'invoke';
    this.deps.logger.info(
      {
        turn: {
          conversation: str(activity.conversation?.id),
          channel: str(activity.channelId),
          type: str(activity.type),
          ...(named && typeof activity.name === 'string' ? { name: activity.name.slice(0, 100) } : {}),
          ...(observed.route ? { route: observed.route } : {}),
          ...(intent !== undefined ? { intent } : {}),
          ...(decision?.kind === 'ambiguous' ? { options: decision.options } : {}),
          ...(score !== undefined ? { score } : {}),
          latencyMs: Math.max(0, Math.round(ms * 10) / 10),
          replies: observed.replies,
          ...(observed.fallback ? { fallback: true } : {}),
          ...(observed.caseId !== undefined ? { caseId: observed.caseId, escalation: observed.escalation } : {}),
          ...(failed ? { failed: true } : {}),
        },
      },
      'turn',
    );
    this.deps.metrics?.turn({
      channel: activity.channelId,
      type: activity.type,
      ...(intent !== undefined ? { intent } : {}),
      fallback: observed.fallback,
      ...(observed.caseId !== undefined ? { escalationReason: observed.escalation ?? 'other' } : {}),
      seconds: Math.max(0, ms / 1000),
      failed,
    });
  }

  private decide(result: RecognizerResult): Decision | undefined {
    try {
      return this.deps.recognizer.decide(result);
    } catch {
      // The trace is ours, but logging must never be the reason a turn fails.
      return undefined;
    }
  }
}

function observeDecision(value: unknown, observed: Observed): void {
  if (!isRecognizerResult(value)) return;
  observed.recognized = value;
  const route = (value as { route?: unknown }).route;
  if (typeof route === 'string') observed.route = route.slice(0, 100);
}

function observe(sent: Partial<Activity>, observed: Observed): void {
  if (sent.type === 'trace') return;
  observed.replies++;
  if (sent.type === 'event' && sent.name === 'handoff.initiate') {
    const value = sent.value as { caseId?: unknown; reason?: unknown } | undefined;
    noteEscalation(observed, value?.caseId, value?.reason);
    return;
  }
  // Dynamics 365 Omnichannel: the escalation travels as tags on a message (HANDOFF_PROTOCOL=omnichannel).
  const tags = (sent.channelData as { tags?: unknown } | undefined)?.tags;
  if (typeof tags === 'string' && tags.includes('"Escalate"')) {
    try {
      const parsed = JSON.parse(tags) as { type?: unknown; context?: { caseId?: unknown; reason?: unknown } };
      if (parsed.type === 'Escalate') noteEscalation(observed, parsed.context?.caseId, parsed.context?.reason);
    } catch {
      // Not our tag after all.
    }
  }
}

function noteEscalation(observed: Observed, caseId: unknown, reason: unknown): void {
  if (typeof caseId !== 'string') return;
  observed.caseId = caseId;
  if (typeof reason === 'string') observed.escalation = reason;
}

function isRecognizerResult(value: unknown): value is RecognizerResult {
  return typeof value === 'object' && value !== null && typeof (value as { intents?: unknown }).intents === 'object' && (value as { intents?: unknown }).intents !== null;
}

function scoreOf(decision: Decision, result: RecognizerResult): number | undefined {
  if (decision.kind !== 'ambiguous') return decision.score;
  return result.intents[decision.options[0]]?.score;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
