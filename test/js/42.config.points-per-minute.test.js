import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CliError } from '../../js/cli/errors.js';
import { pointsPerMinuteFromEnv } from '../../js/config/points-per-minute.js';

describe('GITHUB_POINTS_PER_MINUTE', () => {
  it("defaults to github.com's caps", () => {
    assert.deepEqual(pointsPerMinuteFromEnv({}), { restPerMinute: 900, graphqlPerMinute: 2000 });
    assert.deepEqual(pointsPerMinuteFromEnv({ GITHUB_POINTS_PER_MINUTE: ' ' }), { restPerMinute: 900, graphqlPerMinute: 2000 });
  });
  it('takes REST,GRAPHQL, or one number for both; 0 turns the pacing off', () => {
    assert.deepEqual(pointsPerMinuteFromEnv({ GITHUB_POINTS_PER_MINUTE: '600, 1500' }), { restPerMinute: 600, graphqlPerMinute: 1500 });
    assert.deepEqual(pointsPerMinuteFromEnv({ GITHUB_POINTS_PER_MINUTE: '0' }), { restPerMinute: 0, graphqlPerMinute: 0 });
  });
  it('refuses anything else in one line that shows the expected form', () => {
    for (const bad of ['fast', '-1', '1,2,3', '900,']) {
      assert.throws(() => pointsPerMinuteFromEnv({ GITHUB_POINTS_PER_MINUTE: bad }),
        (err) => err instanceof CliError && /"REST,GRAPHQL".*900,2000/.test(err.message) && !err.message.includes('\n'));
    }
  });
});
