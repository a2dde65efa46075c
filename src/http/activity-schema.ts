import { z } from 'zod';
import { MAX_JSON_DEPTH, nestedDeeperThan } from './json-depth';

const id = z.string().min(1).max(1024);
const text = z.string().nullish();

const serviceUrl = z
  .string()
  .min(1)
  .max(2048)
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), { message: 'skal være en http(s)-adresse / must be an http(s) URL' });

// botbuilder copies these accounts into every reply and its serializer throws on a wrong type
// there, failing the whole turn; so their string fields are checked here, at the door.
const account = z.looseObject({ id: id.nullish(), name: text, role: text, aadObjectId: text });
const conversation = z.looseObject({ id, name: text, role: text, aadObjectId: text, conversationType: text, tenantId: text, isGroup: z.boolean().nullish() });

/**
 * What an activity must carry, and the types of the fields botbuilder relies on, before it
 * reaches the adapter: state is keyed by channel, conversation and user, and replies need a
 * service URL. Anything else passes through to botbuilder unchanged.
 */
export const incomingActivitySchema = z
  .looseObject({
    type: z.string().min(1).max(64),
    channelId: z.string().min(1).max(64),
    serviceUrl,
    conversation,
    from: account.extend({ id }),
    recipient: account.nullish(),
    text,
    name: text,
    locale: text,
    textFormat: text,
    deliveryMode: text,
    replyToId: text,
    membersAdded: z.array(account).nullish(),
    membersRemoved: z.array(account).nullish(),
    entities: z.array(z.looseObject({ type: text })).nullish(),
    attachments: z.array(z.looseObject({ contentType: text, contentUrl: text, name: text })).nullish(),
    channelData: z.unknown().optional(),
  })
  // Teams always sends its channel data, and botbuilder's Teams handler reads it unchecked.
  .refine((a) => a.channelId !== 'msteams' || (typeof a.channelData === 'object' && a.channelData !== null && !Array.isArray(a.channelData)), {
    message: 'Teams-aktiviteter skal have channelData / Teams activities must carry channelData',
    path: ['channelData'],
  });

/** One line saying what is wrong with an incoming activity, in Danish and English. */
export function describeActivityProblem(body: unknown): string | undefined {
  if (nestedDeeperThan(body)) return `Ugyldig aktivitet / invalid activity: (body): dybere end ${MAX_JSON_DEPTH} niveauer / nested deeper than ${MAX_JSON_DEPTH} levels`;
  const result = incomingActivitySchema.safeParse(body);
  if (result.success) return undefined;
  const first = result.error.issues[0]!;
  return `Ugyldig aktivitet / invalid activity: ${first.path.join('.') || '(body)'}: ${first.message}`;
}
