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
      // pino formats the object before it runs serializers, so errors are turned into plain
      // (masked) objects here: JSON.stringify alone would drop their non-enumerable message and stack.
      formatters: {
        log: (object) => JSON.parse(JSON.stringify(object, maskValue)) as Record<string, unknown>,
      },
      // pino's own err serializer would see the plain object above and call it "Object".
      serializers: { err: (value: unknown) => value },
    },
    destination,
  );
}

function maskValue(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return maskPersonalData(value);
  if (value instanceof Error) {
    const code = (value as { code?: unknown; statusCode?: unknown }).code ?? (value as { statusCode?: unknown }).statusCode;
    return { type: value.name, message: maskPersonalData(value.message), stack: maskPersonalData(value.stack ?? ''), ...(code !== undefined ? { code } : {}) };
  }
  return value;
}
