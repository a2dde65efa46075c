import { ConfigurationBotFrameworkAuthentication, StatusCodes, type Activity } from 'botbuilder';
import { AuthenticationError, type AuthenticateRequestResult } from 'botframework-connector';

// jsonwebtoken's errors for a token that is not valid: bad signature or shape, not yet valid, expired.
const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']);

/**
 * Bot Framework authentication whose verdict on a bad token is always 401. botbuilder 4.23 lets
 * jsonwebtoken's own error escape when a token names a published key but its signature does
 * not match, and CloudAdapter answers that with 500 and the error text: a forged token would
 * look like a fault of ours (and set off alerts) instead of being refused.
 */
export class BotAuthentication extends ConfigurationBotFrameworkAuthentication {
  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    try {
      return await super.authenticateRequest(activity, authHeader);
    } catch (err) {
      if (err instanceof Error && TOKEN_ERRORS.has(err.name)) throw new AuthenticationError(`Unauthorized: ${err.message}`, StatusCodes.UNAUTHORIZED);
      throw err;
    }
  }
}
