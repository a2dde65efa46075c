import { z } from 'zod';
import { isoDay } from '../clock';

/** Variants of a value by date, checked and ordered; the last one has no end. */
export interface Dated<T> {
  variants: ReadonlyArray<{ before?: string; value: T }>;
}

/**
 * Schema for a value that is either plain or a list of dated variants
 * (`[{ before: "2023-06-30", <key>: … }, { <key>: … }]`).
 * Facts from 2021 sources change meaning as dates pass; keeping every variant in the
 * content lets an editor see what the bot says on which day.
 */
export function datedSchema<T extends z.ZodType>(value: T, key: string) {
  const variant = z.object({ before: isoDay.optional(), [key]: value }).strict();
  return z.union([value, z.array(variant).min(1)]).transform((input, ctx): Dated<z.output<T>> => {
    if (!Array.isArray(input)) return { variants: [{ value: input as z.output<T> }] };
    const variants = input.map((v) => ({ before: v.before as string | undefined, value: v[key] as z.output<T> }));
    variants.forEach((v, i) => {
      const last = i === variants.length - 1;
      if (last && v.before !== undefined) {
        ctx.addIssue({ code: 'custom', message: 'den sidste variant må ikke have "before" / the last variant must not have "before"' });
      }
      if (!last && v.before === undefined) {
        ctx.addIssue({ code: 'custom', message: 'kun den sidste variant må mangle "before" / only the last variant may omit "before"' });
      }
      const previous = variants[i - 1]?.before;
      if (previous !== undefined && v.before !== undefined && v.before <= previous) {
        ctx.addIssue({ code: 'custom', message: 'varianter skal stå i datoorden / variants must be in date order' });
      }
    });
    return { variants };
  });
}

/** The variant in force on `today` (`YYYY-MM-DD`). */
export function pickDated<T>(dated: Dated<T>, today: string): T {
  const hit = dated.variants.find((v) => v.before === undefined || today < v.before);
  // The schema guarantees a last variant without an end, so there is always a hit.
  return (hit ?? dated.variants[dated.variants.length - 1]!).value;
}

/** Every value a dated field can take, for checks that must hold on any day. */
export function allDated<T>(dated: Dated<T>): T[] {
  return dated.variants.map((v) => v.value);
}
