import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs. Anything that could hold a secret is redacted by path. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'perfwatch' },
    redact: {
      paths: [
        'token',
        '*.token',
        'tokens',
        '*.tokens',
        'authorization',
        '*.authorization',
        'headers.authorization',
        '*.headers.authorization',
        'password',
        '*.password',
      ],
      censor: '[redacted]',
    },
  });
}
