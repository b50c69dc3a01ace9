import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { clustersOf } from '../../js/enrich/clusters.js';

describe('enrich: clustersOf()', () => {
  it('keeps the primary cluster and lists every finder in order, primary first', () => {
    assert.deepEqual(clustersOf({ cluster: 'web', clusters_found: ['web', 'devops', 'ai_ml'] }), {
      cluster: 'web',
      clusters: ['web', 'devops', 'ai_ml'],
    });
  });

  it('puts the primary first even when the engine listed it later', () => {
    assert.deepEqual(clustersOf({ cluster: 'devops', clusters_found: ['web', 'devops'] }).clusters, ['devops', 'web']);
  });

  it('lists each cluster once', () => {
    assert.deepEqual(clustersOf({ cluster: 'web', clusters_found: ['web', 'data', 'web', 'data'] }).clusters, [
      'web',
      'data',
    ]);
  });

  it('works with clusters_found null, missing or empty', () => {
    for (const clusters_found of [null, undefined, []]) {
      assert.deepEqual(clustersOf({ cluster: 'mobile', clusters_found }), { cluster: 'mobile', clusters: ['mobile'] });
    }
  });

  it('takes the first finder as the primary when cluster is missing', () => {
    assert.deepEqual(clustersOf({ cluster: null, clusters_found: ['data', 'web'] }), {
      cluster: 'data',
      clusters: ['data', 'web'],
    });
  });

  it('ignores blank and non-string names, and trims names', () => {
    assert.deepEqual(clustersOf({ cluster: ' web ', clusters_found: ['', '  ', null, 7, 'web', 'data '] }), {
      cluster: 'web',
      clusters: ['web', 'data'],
    });
  });

  it('keeps unicode names as they are', () => {
    assert.deepEqual(clustersOf({ cluster: 'données', clusters_found: ['données', 'веб'] }).clusters, ['données', 'веб']);
  });

  it('throws a TypeError naming the repository when no cluster is known', () => {
    assert.throws(
      () => clustersOf({ full_name: 'a/b', cluster: null, clusters_found: [] }),
      (err) => err instanceof TypeError && /a\/b/.test(err.message) && /Expected a cluster name/.test(err.message),
    );
  });
});
