// Time for the time-dependent rules. They take `now` from the caller and never read the
// clock, so the same repository enriched at the same instant always gets the same row.

export const DAY_MS = 86_400_000;

function describe(value) {
  return value === null ? 'null' : `${String(value)} of type ${typeof value}`;
}

/** `now` (a Date or epoch milliseconds) as milliseconds; a TypeError for anything else. */
export function nowMs(now) {
  const ms = now instanceof Date ? now.getTime() : now;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new TypeError(`Expected a Date or epoch milliseconds for now but received ${describe(now)}`);
  }
  return ms;
}

/** An ISO timestamp as epoch milliseconds, or NaN when it is null or unparsable. */
export function timeMs(iso) {
  return typeof iso === 'string' ? Date.parse(iso) : NaN;
}

/** Whole and fractional days from `iso` to `nowMillis` (negative for a future time); NaN if unknown. */
export function daysSince(iso, nowMillis) {
  return (nowMillis - timeMs(iso)) / DAY_MS;
}
