import { TurnContext, type Activity } from 'botbuilder';
import { SOURCE_KEY, type Replies } from '../dialogs/replies';
import { cardData, choicesCard } from './cards';

type Scope = 'personal' | 'channel' | 'groupChat';

export function isTeams(activity: Partial<Activity>): boolean {
  return activity.channelId === 'msteams';
}

function scopeOf(activity: Partial<Activity>): Scope {
  const type = activity.conversation?.conversationType;
  return type === 'channel' || type === 'groupChat' ? type : 'personal';
}

/**
 * Reads an incoming Teams activity as the bot expects it. A tap on a card button arrives as
 * a message whose `value` holds the choice: it becomes the message's text. In team channels
 * and group chats the bot only takes part when @mentioned (or a card of its own is used),
 * and the mention is removed so that "@MitID-hjælperen hvad er en kodeviser" is classified
 * as "hvad er en kodeviser". Returns false when the bot should stay out of the turn.
 */
export function acceptTeamsActivity(activity: Activity): boolean {
  if (!isTeams(activity) || activity.type !== 'message') return true;
  const data = cardData(activity.value);
  if (data && (data.choice !== undefined || data.action !== undefined)) {
    if (data.choice !== undefined && !(activity.text ?? '').trim()) activity.text = data.choice;
    return true;
  }
  if (scopeOf(activity) === 'personal') return true;
  const mentioned = TurnContext.getMentions(activity).some((m) => m.mentioned?.id === activity.recipient?.id);
  if (!mentioned) return false;
  activity.text = TurnContext.removeRecipientMention(activity).trim();
  return true;
}

/**
 * Shapes the bot's replies for the channel they go to. Everywhere the source marker is taken
 * off; in Teams the answer then says where it comes from ("Kilde: Fra NemID til MitID"), so
 * staff can trust and cite it. Buttons stay suggested actions in a personal chat (at most
 * three, on a message without attachments) and otherwise become an Adaptive Card.
 */
export function presentReplies(activities: Array<Partial<Activity>>, incoming: Partial<Activity>, replies: Pick<Replies, 'sourceLine'>): void {
  const teams = isTeams(incoming);
  const scope = scopeOf(incoming);
  for (const activity of activities) {
    const data = activity.channelData as Record<string, unknown> | undefined;
    const source = data?.[SOURCE_KEY];
    if (data && SOURCE_KEY in data) {
      const { [SOURCE_KEY]: _marker, ...rest } = data;
      activity.channelData = Object.keys(rest).length > 0 ? rest : undefined;
      if (activity.channelData === undefined) delete activity.channelData;
    }
    if (!teams) continue;
    if (typeof source === 'string' && activity.text) activity.text = `${activity.text}\n\n${replies.sourceLine(source)}`;
    const titles = (activity.suggestedActions?.actions ?? []).map((a) => String(a.title ?? a.value));
    if (titles.length === 0) continue;
    if (scope === 'personal' && titles.length <= 3 && (activity.attachments?.length ?? 0) === 0) continue;
    activity.attachments = [...(activity.attachments ?? []), choicesCard(activity.text ?? '', titles)];
    delete activity.suggestedActions;
    delete activity.text;
  }
}
