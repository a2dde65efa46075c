import { ActivityTypes, Channels, DeliveryModes, type Activity } from 'botbuilder';

/**
 * Traces are for the Bot Framework Emulator. botbuilder's adapter drops them for other channels,
 * but not from replies that come back in the response (expectReplies): there every client got the
 * classifier's scores. Removes them from `outgoing` in place for such a turn.
 */
export function dropTracesFromResponse(incoming: Partial<Activity>, outgoing: Array<Partial<Activity>>): void {
  if (incoming.deliveryMode !== DeliveryModes.ExpectReplies || incoming.channelId === Channels.Emulator) return;
  for (let i = outgoing.length - 1; i >= 0; i--) if (outgoing[i]!.type === ActivityTypes.Trace) outgoing.splice(i, 1);
}
