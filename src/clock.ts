import { z } from 'zod';

/** A calendar day, `YYYY-MM-DD`. */
export const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'skal være en dato som YYYY-MM-DD / must be a date as YYYY-MM-DD')
  .refine((day) => !Number.isNaN(Date.parse(day)), 'er ikke en gyldig dato / is not a valid date');

/** Where the bot gets "today" from, so tests and demos can pin the date. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that always answers the same instant (tests, `BOT_DATE`). */
export function fixedClock(instant: Date | string): Clock {
  const at = new Date(instant);
  if (Number.isNaN(at.getTime())) throw new Error(`Invalid date for fixedClock: ${String(instant)}`);
  return { now: () => new Date(at) };
}

// Dates in the sources are Danish calendar days, so "today" is the day in Copenhagen,
// not in UTC: at 00:30 on 1 July 2023 in Denmark, NemID is already closed.
const copenhagenDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Copenhagen',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

// Intl formatting costs ~20 µs and a turn asks several times (1 % of a turn's CPU). Danish time is
// UTC plus whole hours, so the day cannot change within a UTC minute: remember the last minute's day.
let lastMinute = Number.NaN;
let lastDay = '';

/** Today's date in Denmark as `YYYY-MM-DD`, which compares correctly as a string. */
export function danishToday(clock: Clock): string {
  const now = clock.now();
  const minute = Math.floor(now.getTime() / 60_000);
  if (minute !== lastMinute) {
    lastDay = copenhagenDay.format(now);
    lastMinute = minute;
  }
  return lastDay;
}
