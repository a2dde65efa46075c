import { z } from 'zod';

const id = z.string().min(1).max(1024);

/**
 * The least an activity must carry before it reaches the adapter: state is keyed by
 * channel, conversation and user, and replies need a service URL. Anything else passes
 * through to botbuilder unchanged.
 */
export const incomingActivitySchema = z.looseObject({
  type: z.string().min(1).max(64),
  channelId: z.string().min(1).max(64),
  serviceUrl: z.string().min(1).max(2048),
  conversation: z.looseObject({ id }),
  from: z.looseObject({ id }),
  text: z.string().optional(),
});

/** One line saying what is wrong with an incoming activity, in Danish and English. */
export function describeActivityProblem(body: unknown): string | undefined {
  const result = incomingActivitySchema.safeParse(body);
  if (result.success) return undefined;
  const first = result.error.issues[0]!;
  return `Ugyldig aktivitet / invalid activity: ${first.path.join('.') || '(body)'}: ${first.message}`;
}
