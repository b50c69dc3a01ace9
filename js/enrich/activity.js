// activity: how recently the code moved. Archived repositories are abandoned whatever
// their dates: their owners have said so.
import { daysSince, nowMs } from './time.js';

/** Pushed within this many days: active. */
export const ACTIVE_DAYS = 30;
/** Within this many: maintained. */
export const MAINTAINED_DAYS = 180;
/** Within this many (two years): stale; beyond: abandoned. */
export const STALE_DAYS = 730;

/** Days since the last push (since creation when never pushed); NaN when neither is known. */
export function daysSincePush(repo, nowMillis) {
  const days = daysSince(repo.pushed_at, nowMillis);
  return Number.isNaN(days) ? daysSince(repo.created_at, nowMillis) : days;
}

/**
 * @param {{is_archived?: boolean, pushed_at?: string|null, created_at?: string|null}} repo
 * @param {Date|number} now
 * @returns {'active'|'maintained'|'stale'|'abandoned'|null} null when no date is known
 */
export function activityOf(repo, now) {
  const nowMillis = nowMs(now);
  if (repo.is_archived === true) return 'abandoned';
  const days = daysSincePush(repo, nowMillis);
  if (Number.isNaN(days)) return null;
  if (days <= ACTIVE_DAYS) return 'active';
  if (days <= MAINTAINED_DAYS) return 'maintained';
  if (days <= STALE_DAYS) return 'stale';
  return 'abandoned';
}
