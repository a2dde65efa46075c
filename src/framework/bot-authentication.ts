import { ConfigurationBotFrameworkAuthentication, StatusCodes, type Activity } from 'botbuilder';
import { AuthenticationError, type AuthenticateRequestResult } from 'botframework-connector';

// jsonwebtoken's errors for a token that is not valid: bad signature or shape, not yet valid, expired.
const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']);

// botframework-connector's JwtTokenExtractor writes to console.error for every token it refuses:
// the whole jsonwebtoken error with its stack for an expired one, "Error finding key for token.
// Available keys: …" for a bad signature. Each is a caller's bad token, answered 401 here; on
// stderr it is unmasked noise outside the JSON log, and anyone can make a server print it.
// A count of checks under way, not an AsyncLocalStorage: the first AsyncLocalStorage.run turns on
// Node 20's promise hooks for every promise in the process, which cost about 15 % of turn
// throughput in `npm run bench`. Only refusal noise is dropped, so one check's noise dropped
// while another request's check runs is the same noise.
let authenticating = 0;
let consoleQuieted = false;

function isRefusalNoise(args: unknown[]): boolean {
  const [first] = args;
  if (first instanceof Error) return TOKEN_ERRORS.has(first.name);
  return typeof first === 'string' && first.startsWith('Error finding key for token.');
}

function quietRefusalNoise(): void {
  if (consoleQuieted) return;
  consoleQuieted = true;
  const write = console.error;
  console.error = (...args: unknown[]) => {
    if (authenticating > 0 && isRefusalNoise(args)) return;
    write.apply(console, args);
  };
}

/**
 * Bot Framework authentication whose verdict on a bad token is always 401, said once. botbuilder
 * 4.23 lets jsonwebtoken's own error escape when a token names a published key but its signature
 * does not match, and CloudAdapter answers that with 500 and the error text: a forged token would
 * look like a fault of ours (and set off alerts) instead of being refused.
 */
export class BotAuthentication extends ConfigurationBotFrameworkAuthentication {
  constructor(...args: ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>) {
    super(...args);
    quietRefusalNoise();
  }

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    authenticating += 1;
    try {
      return await super.authenticateRequest(activity, authHeader);
    } catch (err) {
      if (err instanceof Error && TOKEN_ERRORS.has(err.name)) throw new AuthenticationError(`Unauthorized: ${err.message}`, StatusCodes.UNAUTHORIZED);
      throw err;
    } finally {
      authenticating -= 1;
    }
  }
}
