/**
 * Envelope timestamps (`occurred_at`): RFC 3339 in UTC with "Z".
 *
 * We write microsecond precision (like the deployed Python SDK) and read
 * anything RFC 3339 allows: 0-9 fractional digits (Go writes nanoseconds),
 * "Z"/"z" or a numeric offset such as "+00:00".
 */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * The current time as RFC 3339 UTC with microseconds, e.g.
 * `2026-01-02T03:04:05.123456Z`.
 *
 * Milliseconds come from the wall clock (`Date.now`); the microsecond digits
 * come from `performance.timeOrigin + performance.now()` when that agrees with
 * the wall clock to the millisecond, and are "000" otherwise (after a clock step).
 */
export function nowRfc3339(): string {
  const ms = Date.now();
  const precise = (performance.timeOrigin + performance.now()) * 1000;
  const micros = Math.floor(precise / 1000) === ms ? Math.floor(precise) % 1000 : 0;
  return formatRfc3339(ms, micros);
}

/**
 * Formats epoch milliseconds (plus optional extra microseconds, 0-999) as
 * RFC 3339 UTC with six fractional digits.
 */
export function formatRfc3339(epochMs: number, micros = 0): string {
  const iso = new Date(epochMs).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  return `${iso.slice(0, 23)}${String(micros).padStart(3, "0")}Z`;
}

/**
 * Parses an RFC 3339 timestamp to epoch milliseconds (fractional part kept to
 * the precision a double allows, about a microsecond today). Returns undefined
 * for anything that is not RFC 3339 or names an impossible date. A leap second
 * (":60") reads as the first instant of the next minute.
 */
export function parseRfc3339(value: string): number | undefined {
  const m = RFC3339.exec(value);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zulu, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  let offsetMin = 0;
  if (zulu === undefined) {
    const offH = Number(oh);
    const offM = Number(om);
    if (offH > 23 || offM > 59) return undefined;
    offsetMin = (sign === "-" ? -1 : 1) * (offH * 60 + offM);
  }
  const fraction = frac === undefined ? 0 : Number(`0.${frac}`) * 1000;
  const clock = ((hour * 60 + minute - offsetMin) * 60 + second) * 1000;
  return utcMidnight(year, month - 1, day) + clock + fraction;
}

/** Epoch ms of a UTC date at 00:00 (unlike Date.UTC, years 0-99 are taken literally). */
function utcMidnight(year: number, monthIndex: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  return date.getTime();
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcMidnight(year, month, 0)).getUTCDate();
}
