import { z } from 'zod';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../http/json-depth';

/** The fields a Direct Line client may set on an activity it posts; everything else is ours to set. */
const postedActivity = z.object({
  type: z.enum(['message', 'typing', 'event']),
  text: z.string().optional(),
  textFormat: z.enum(['plain', 'markdown', 'xml']).optional(),
  locale: z.string().max(35).optional(),
  name: z.string().max(200).optional(),
  value: z.unknown().optional(),
  channelData: z.record(z.string(), z.unknown()).optional(),
  from: z.object({ name: z.string().max(100).optional() }).loose().optional(),
  localTimezone: z.string().max(100).optional(),
});

export type PostedActivity = z.output<typeof postedActivity>;

export type ParsedActivity = { ok: true; activity: PostedActivity } | { ok: false; problem: string };

/** Validates a posted activity; unknown fields (recipient, serviceUrl, conversation …) are dropped. */
export function parsePostedActivity(body: unknown): ParsedActivity {
  if (nestedDeeperThan(body)) return { ok: false, problem: `(body): nested deeper than ${MAX_JSON_DEPTH} levels` };
  const result = postedActivity.safeParse(body);
  if (result.success) return { ok: true, activity: result.data };
  const problem = result.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
  return { ok: false, problem };
}

/** A bot reply as botbuilder's ConnectorClient sends it: any JSON object with a type. */
const botReply = z.object({ type: z.string().min(1).max(64) }).loose();

export function parseBotReply(body: unknown): (Record<string, unknown> & { type: string }) | undefined {
  const result = botReply.safeParse(body);
  return result.success ? result.data : undefined;
}
