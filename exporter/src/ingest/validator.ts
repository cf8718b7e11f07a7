import { Ajv, type ValidateFunction } from 'ajv';
import { z } from 'zod';
import { eventSchema, type IngestConfig, type IngestEvent } from './schema';

/** A reason longer than this is cut: it echoes field names a hostile sender chose. */
const MAX_REASON_CHARS = 300;

export type EventCheck = { ok: true; event: IngestEvent } | { ok: false; reason: string };

function reasonOf(error: z.ZodError): string {
  const text = error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : 'event'}: ${i.message}`)
    .join('; ');
  return text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS)}…` : text;
}

/**
 * A minLength over 1 in a JSON schema, which counting UTF-16 units (more than code points) would let
 * a string pass that zod refuses.
 */
export function minLengthOverOne(schema: object): string | undefined {
  return JSON.stringify(schema).match(/"minLength":([2-9]|\d{2,})/)?.[0];
}

/**
 * Validates ingested events with validators ajv compiles from the zod event schema (one per kind,
 * picked by `kind`), so schema.ts stays the one definition of an event. zod's interpreted checks cost
 * several times a JSON.parse of the same event; the compiled ones a fraction of it. zod still decides
 * every event the compiled check refuses, and writes the reason the sender reads: its messages name the
 * field and what was expected, which ajv's do not in the same words.
 */
export class EventValidator {
  private readonly zod: ReturnType<typeof eventSchema>;
  private readonly byKind = new Map<string, ValidateFunction>();

  constructor(limits: IngestConfig) {
    this.zod = eventSchema(limits);
    const ajv = new Ajv({
      // String lengths as `.length` (UTF-16 units), not code points as zod counts them: counting code
      // points walks every string twice (the SQL included). A string over a limit in units but not in
      // code points is refused here and accepted by zod after all; the reverse cannot happen while
      // no minLength exceeds 1 (checked below). Deprecated in ajv 8, still honoured
      // (lib/vocabularies/validation/limitLength.ts).
      unicode: false,
      strict: true,
      logger: {
        log: () => undefined,
        // A warning means the generated schema may not say what zod's does: refuse to start.
        warn: (...args: unknown[]) => {
          const text = args.join(' ');
          if (!text.startsWith('DEPRECATED: option unicode.'))
            throw new Error(`event schema for ajv: ${text}`);
        },
        error: (...args: unknown[]) => {
          throw new Error(`event schema for ajv: ${args.join(' ')}`);
        },
      },
    });
    for (const option of this.zod.options) {
      const kind = option.shape.kind.value;
      const schema = z.toJSONSchema(option, { target: 'draft-7' });
      const unsafe = minLengthOverOne(schema);
      if (unsafe) throw new Error(`event schema for ajv: ${kind} has ${unsafe}, counted in UTF-16 units`);
      this.byKind.set(kind, ajv.compile(schema));
    }
  }

  /**
   * Whether the compiled schema accepts an event: never one zod refuses, and every valid one whose
   * strings fit their limits in UTF-16 units too (tests hold it to both).
   */
  compiledAccepts(raw: unknown): boolean {
    if (typeof raw !== 'object' || raw === null) return false;
    const validate = this.byKind.get((raw as { kind?: unknown }).kind as string);
    return validate !== undefined && validate(raw);
  }

  check(raw: unknown): EventCheck {
    // Valid by the compiled schema: the event is used as parsed (the schema has no defaults or
    // transforms, so zod's output would be an equal copy).
    if (this.compiledAccepts(raw)) return { ok: true, event: raw as IngestEvent };
    const parsed = this.zod.safeParse(raw);
    return parsed.success ? { ok: true, event: parsed.data } : { ok: false, reason: reasonOf(parsed.error) };
  }
}
