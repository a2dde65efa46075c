import pino, { type Logger } from 'pino';
import { maskPersonalData } from './text/mask';

export type { Logger };

/**
 * JSON logs on stdout. Every string that reaches a log line passes through the masker,
 * so a CPR number in an error message or a stack trace is never written.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'mitid-hjaelperen' },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? maskPersonalData(a) : a)) as Parameters<typeof method>);
        },
      },
      formatters: {
        log: (object) => JSON.parse(JSON.stringify(object, (_k, v: unknown) => (typeof v === 'string' ? maskPersonalData(v) : v))) as Record<string, unknown>,
      },
      serializers: {
        err: (err: Error) => ({ type: err.name, message: maskPersonalData(err.message), stack: maskPersonalData(err.stack ?? '') }),
      },
    },
    destination,
  );
}
