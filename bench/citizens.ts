/** The scripted citizens as the load benchmarks send them: each conversation walks one script of six turns. */
import { emulatorActivity } from '../test/helpers/emulator-activity';

export const TURNS_PER_SCRIPT = 6;

// Citizens come through Azure Bot Service's Web Chat channel, not the Emulator (which also gets
// the classifier's trace in every response); set BENCH_CHANNEL=emulator to measure that instead.
export const CHANNEL_ID = process.env.BENCH_CHANNEL === 'emulator' ? 'emulator' : 'webchat';
const CHANNEL = CHANNEL_ID === 'emulator' ? {} : { channelId: CHANNEL_ID, serviceUrl: 'https://webchat.botframework.com/' };

/** The body of POST /api/messages for one citizen's message. */
export function activityBody(conversationId: string, text: string): string {
  return JSON.stringify(emulatorActivity(conversationId, { text, ...CHANNEL }));
}

let conversationSeq = 0;

/** Numbers the citizens of the whole run, so no two load runs share a conversation. */
export function nextCitizen(): number {
  return ++conversationSeq;
}
