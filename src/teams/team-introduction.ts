import type { Activity, TurnContext } from 'botbuilder';
import type { Replies } from '../dialogs/replies';
import { isTeams } from './teams-presenter';

interface TeamChannelData {
  eventType?: string;
  team?: { id?: string };
}

/** A conversation of a team (its channels), as opposed to a personal or group chat. */
export function inTeam(activity: Partial<Activity>): boolean {
  if (!isTeams(activity)) return false;
  const data = activity.channelData as TeamChannelData | undefined;
  return activity.conversation?.conversationType === 'channel' || data?.team?.id !== undefined;
}

/** The bot itself was just added to a team: Teams says so with the bot among the members added. */
export function botAddedToTeam(activity: Partial<Activity>): boolean {
  if (activity.type !== 'conversationUpdate' || !inTeam(activity)) return false;
  const botId = activity.recipient?.id;
  return (activity.membersAdded ?? []).some((member) => member.id === botId);
}

/**
 * Members added in a team: when it is the bot, it introduces itself once in the channel (what it
 * does there, its commands; dialogs/messages.yaml `teamIntro`). People joining a team get nothing:
 * the welcome with its buttons is for someone starting a chat, not for a whole team's channel.
 * Returns false outside a team, where the usual welcome applies.
 */
export async function introduceInTeam(context: TurnContext, replies: Pick<Replies, 'message'>): Promise<boolean> {
  if (!inTeam(context.activity)) return false;
  if (botAddedToTeam(context.activity)) await context.sendActivity(replies.message('teamIntro'));
  return true;
}
