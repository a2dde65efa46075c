import { randomInt } from 'node:crypto';

/**
 * Case ids are random, so one cannot be guessed from another ("M-1002" after "M-1001"), and
 * seven digits in two groups, so they are easy to read aloud on the phone: "M-482-1773". Not
 * eight: that is a Danish phone number, and the masking would hide the case id in transcripts.
 */
export function newCaseId(): string {
  const digits = String(randomInt(0, 10_000_000)).padStart(7, '0');
  return `M-${digits.slice(0, 3)}-${digits.slice(3)}`;
}

/**
 * The case named in what someone typed or said: "m-482-1773", "482 1773", "4821773" all name
 * M-482-1773; ids of the earlier sequential kind ("M-1042", "1042") are still understood.
 */
export function caseIdFrom(text: string): string {
  const random = /(?<!\d)(\d{7})(?!\d)/.exec(text.replace(/(\d)[\s-]+(?=\d)/g, '$1'))?.[1];
  if (random) return `M-${random.slice(0, 3)}-${random.slice(3)}`;
  const sequential = /(\d{4,6})/.exec(text)?.[1];
  return sequential ? `M-${sequential}` : text.trim().toUpperCase();
}

/** True for a well-formed case id of either kind (checked before an id from a URL reaches storage). */
export function isCaseId(id: string): boolean {
  return /^M-(\d{3}-\d{4}|\d{4,6})$/.test(id);
}

/** The Direct Line conversation of an agent's own chat for one case (a tab on the agent page). */
export function caseChatId(agentId: string, caseId: string): string {
  return `case-${caseId}-${agentId}`;
}

/** The case of an agent's case chat, from its conversation id; undefined for any other conversation. */
export function caseOfChat(conversationId: string | undefined): string | undefined {
  const found = /^case-(M-\d{3}-\d{4}|M-\d{4,6})-/.exec(conversationId ?? '');
  return found?.[1];
}

/** A case id inside a text (the first one), of either kind. */
export const CASE_ID_IN_TEXT = /M-\d{3}-\d{4}(?!\d)|M-\d{4,6}(?!\d)/;
