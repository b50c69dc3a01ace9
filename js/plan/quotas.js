// How many new repositories each cluster should get in this run.
//
// A cluster needs what its quota still lacks (quota - stored), so a second run fetches
// only what is missing. `--limit=N` caps the run's total and shares it between the
// selected clusters in proportion to their quotas (README.md, Commands): a small run
// fills every cluster a little rather than the first one completely. A cluster never
// gets more than it needs; what a nearly full cluster cannot take goes to the others,
// still in proportion, so the run asks for exactly min(limit, total need).

function checkCount(value, what) {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`Expected a whole number (0 or more) for ${what} but received ${JSON.stringify(value)}`);
  }
  return value;
}

function byName(a, b) {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

// Shares `total` between `names` in proportion to `weights`, none above `caps`; the
// caller guarantees total <= the sum of the caps. Shares are exact fractions (BigInt,
// so big quotas and limits cannot lose precision), rounded by largest remainder.
function share(total, names, weights, caps) {
  const result = Object.fromEntries(names.map((name) => [name, 0]));
  let remaining = BigInt(total);
  let active = names.filter((name) => caps[name] > 0 && weights[name] > 0);
  while (remaining > 0n && active.length > 0) {
    const sum = active.reduce((acc, name) => acc + BigInt(weights[name]), 0n);
    // A cluster whose proportional share reaches its cap takes its cap and leaves;
    // the others' shares can only grow, so a capped cluster stays capped.
    const capped = active.filter((name) => remaining * BigInt(weights[name]) >= BigInt(caps[name]) * sum);
    if (capped.length > 0) {
      for (const name of capped) {
        result[name] = caps[name];
        remaining -= BigInt(caps[name]);
      }
      active = active.filter((name) => !capped.includes(name));
      continue;
    }
    // Nobody reaches a cap: floor every share, then hand the units left over to the
    // largest remainders (ties: name order). A share below its cap rounds up to at most
    // the cap, since the cap is a whole number.
    const parts = active.map((name) => {
      const exact = remaining * BigInt(weights[name]);
      return { name, floor: exact / sum, rest: exact % sum };
    });
    let leftOver = remaining - parts.reduce((acc, part) => acc + part.floor, 0n);
    parts.sort((a, b) => (a.rest === b.rest ? byName(a.name, b.name) : (a.rest > b.rest ? -1 : 1)));
    for (const part of parts) {
      const extra = leftOver > 0n ? 1n : 0n;
      leftOver -= extra;
      result[part.name] = Number(part.floor + extra);
    }
    remaining = 0n;
  }
  return result;
}

/**
 * The number of new repositories wanted per selected cluster.
 * @param {object} plan
 * @param {Record<string, number>} plan.quotas   cluster -> quota
 * @param {Record<string, number>} [plan.stored]  cluster -> repositories stored (missing: 0)
 * @param {string[]} plan.selected   the clusters this run works on
 * @param {number} [plan.limit]      the run's total (--limit), if any
 * @returns {Record<string, number>} cluster -> wanted, for every selected cluster
 */
export function planLimits({ quotas, stored = {}, selected, limit }) {
  const names = [...new Set(selected)];
  const needs = {};
  for (const name of names) {
    const quota = checkCount(quotas[name], `the quota of ${name}`);
    const have = checkCount(stored[name] ?? 0, `the repositories stored in ${name}`);
    needs[name] = Math.max(0, quota - have);
  }
  if (limit === undefined || limit === null) return needs;
  checkCount(limit, 'limit');
  const totalNeed = Object.values(needs).reduce((acc, need) => acc + need, 0);
  return share(Math.min(limit, totalNeed), names, quotas, needs);
}
