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
  if (plainlyValid(body)) return undefined;
  const result = incomingActivitySchema.safeParse(body);
  if (result.success) return undefined;
  const first = result.error.issues[0]!;
  return `Ugyldig aktivitet / invalid activity: ${first.path.join('.') || '(body)'}: ${first.message}`;
}

// ---------------------------------------------------------------------------------------------
// The schema above, checked by hand for the activities that plainly pass it: zod took 3.5 % of a
// turn's CPU on every request. Anything this is not sure of goes to zod, which decides and says
// why; a property test checks that whatever passes here also passes the schema.

type Loose = Record<string, unknown>;

const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);
const nullish = (value: unknown): boolean => value === undefined || value === null;
const optionalText = (value: unknown): boolean => nullish(value) || typeof value === 'string';
const textOfLength = (value: unknown, max: number): boolean => typeof value === 'string' && value.length >= 1 && value.length <= max;
const allText = (object: Loose, fields: readonly string[]): boolean => fields.every((field) => optionalText(object[field]));

const ACCOUNT_TEXT = ['name', 'role', 'aadObjectId'] as const;
const CONVERSATION_TEXT = ['name', 'role', 'aadObjectId', 'conversationType', 'tenantId'] as const;
const ACTIVITY_TEXT = ['text', 'name', 'locale', 'textFormat', 'deliveryMode', 'replyToId'] as const;

function plainAccount(value: unknown, idRequired: boolean): boolean {
  if (!isObject(value) || !allText(value, ACCOUNT_TEXT)) return false;
  return textOfLength(value.id, 1024) || (!idRequired && nullish(value.id));
}

function optionalListOf(value: unknown, plainItem: (item: unknown) => boolean): boolean {
  return nullish(value) || (Array.isArray(value) && value.every(plainItem));
}

// Channels post from a handful of service URLs; each is parsed once.
const knownServiceUrls = new Set<string>();

function plainServiceUrl(value: unknown): boolean {
  if (!textOfLength(value, 2048)) return false;
  const url = value as string;
  if (knownServiceUrls.has(url)) return true;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) return false;
  if (knownServiceUrls.size >= 100) knownServiceUrls.clear();
  knownServiceUrls.add(url);
  return true;
}

/** True only for activities the schema accepts; false means "ask zod". */
export function plainlyValid(body: unknown): boolean {
  if (!isObject(body)) return false;
  const { conversation } = body;
  return (
    textOfLength(body.type, 64) &&
    textOfLength(body.channelId, 64) &&
    plainServiceUrl(body.serviceUrl) &&
    isObject(conversation) &&
    textOfLength(conversation.id, 1024) &&
    allText(conversation, CONVERSATION_TEXT) &&
    (nullish(conversation.isGroup) || typeof conversation.isGroup === 'boolean') &&
    plainAccount(body.from, true) &&
    (nullish(body.recipient) || plainAccount(body.recipient, false)) &&
    allText(body, ACTIVITY_TEXT) &&
    optionalListOf(body.membersAdded, (member) => plainAccount(member, false)) &&
    optionalListOf(body.membersRemoved, (member) => plainAccount(member, false)) &&
    optionalListOf(body.entities, (entity) => isObject(entity) && optionalText(entity.type)) &&
    optionalListOf(body.attachments, (attachment) => isObject(attachment) && allText(attachment, ['contentType', 'contentUrl', 'name'])) &&
    (body.channelId !== 'msteams' || isObject(body.channelData))
  );
}
