import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ACTIVE_DAYS, MAINTAINED_DAYS, STALE_DAYS, activityOf } from '../../js/enrich/activity.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const DAY = 86_400_000;

function pushedDaysAgo(days, extra = {}) {
  return { is_archived: false, pushed_at: new Date(NOW - days * DAY).toISOString(), created_at: null, ...extra };
}

describe('enrich: activityOf()', () => {
  it('uses 30, 180 and 730 days', () => {
    assert.deepEqual([ACTIVE_DAYS, MAINTAINED_DAYS, STALE_DAYS], [30, 180, 730]);
  });

  it('includes each boundary in the fresher level', () => {
    assert.equal(activityOf(pushedDaysAgo(0), NOW), 'active');
    assert.equal(activityOf(pushedDaysAgo(30), NOW), 'active');
    assert.equal(activityOf(pushedDaysAgo(30 + 1 / 86400), NOW), 'maintained');
    assert.equal(activityOf(pushedDaysAgo(180), NOW), 'maintained');
    assert.equal(activityOf(pushedDaysAgo(180.001), NOW), 'stale');
    assert.equal(activityOf(pushedDaysAgo(730), NOW), 'stale');
    assert.equal(activityOf(pushedDaysAgo(730.001), NOW), 'abandoned');
    assert.equal(activityOf(pushedDaysAgo(5000), NOW), 'abandoned');
  });

  it('calls an archived repository abandoned, however recent its push', () => {
    assert.equal(activityOf(pushedDaysAgo(1, { is_archived: true }), NOW), 'abandoned');
    assert.equal(activityOf({ is_archived: true, pushed_at: null, created_at: null }, NOW), 'abandoned');
  });

  it('falls back to created_at when never pushed, and gives null when no date is known', () => {
    const created = new Date(NOW - 100 * DAY).toISOString();
    assert.equal(activityOf({ is_archived: false, pushed_at: null, created_at: created }, NOW), 'maintained');
    assert.equal(activityOf({ is_archived: false, pushed_at: null, created_at: null }, NOW), null);
    assert.equal(activityOf({}, NOW), null);
  });

  it('treats an unparsable date as unknown', () => {
    assert.equal(activityOf({ pushed_at: 'yesterday', created_at: null }, NOW), null);
  });

  it('counts a push in the future (clock skew) as active', () => {
    assert.equal(activityOf(pushedDaysAgo(-2), NOW), 'active');
  });

  it('takes now as a Date or as milliseconds, never the clock', () => {
    const repo = pushedDaysAgo(10);
    assert.equal(activityOf(repo, new Date(NOW)), 'active');
    assert.equal(activityOf(repo, NOW + 400 * DAY), 'stale');
  });

  it('rejects a missing or invalid now', () => {
    for (const now of [undefined, null, 'today', NaN, new Date('nope')]) {
      assert.throws(() => activityOf(pushedDaysAgo(1), now), TypeError);
    }
  });
});
