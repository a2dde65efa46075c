import type { Response } from 'restify';

/** Error codes of the Direct Line 3.0 API (and a few of our own). */
export type DirectLineErrorCode =
  | 'BadArgument'
  | 'MissingToken'
  | 'TokenInvalid'
  | 'TokenExpired'
  | 'WrongConversation'
  | 'OriginNotAllowed'
  | 'TooManyRequests'
  | 'Unauthorized'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'BotError'
  | 'ServiceUnavailable'
  | 'InternalError';

/** Danish text first, English in parentheses: the widget may show the message as it is. */
export const messages = {
  missingToken: 'Adgangsnøglen mangler. (Missing token.)',
  invalidToken: 'Adgangsnøglen er ugyldig. Genindlæs siden for at starte igen. (Invalid token.)',
  expiredToken: 'Adgangsnøglen er udløbet. Genindlæs siden for at starte igen. (Token expired.)',
  wrongConversation: 'Adgangsnøglen gælder ikke for denne samtale. (Token not valid for this conversation.)',
  originNotAllowed: 'Denne hjemmeside må ikke bruge chatten. (Origin not allowed.)',
  tooManyConversations: 'Der er startet for mange samtaler fra din forbindelse. Prøv igen om lidt. (Too many conversations from this address.)',
  tooManyMessages: 'Du har sendt mange beskeder på kort tid. Vent et øjeblik, og prøv igen. (Too many messages, please wait.)',
  unauthorized: 'Ikke autoriseret. (Unauthorized.)',
  badActivity: 'Ugyldig aktivitet (invalid activity)',
  notFound: 'Findes ikke. (Not found.)',
  methodNotAllowed: 'Det er ikke muligt at ændre eller slette beskeder. (Method not allowed.)',
  botError: 'Botten kunne ikke svare lige nu. Prøv igen. (The bot failed to answer.)',
  closing: 'Chatten lukker ned. Prøv igen om lidt. (Shutting down.)',
  internal: 'Der skete en fejl. Prøv igen. (Internal error.)',
} as const;

export interface ErrorBody {
  error: { code: DirectLineErrorCode; message: string };
}

export function sendError(res: Response, status: number, code: DirectLineErrorCode, message: string, headers: Record<string, string> = {}): void {
  const body: ErrorBody = { error: { code, message } };
  res.send(status, body, headers);
}
