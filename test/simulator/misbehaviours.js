// The switches for three of GitHub's documented misbehaviours, each off (null) unless
// configured: what a value may be, and the defaults it is completed with. They are part
// of the fault configuration (faults.graphqlBudget, faults.broken, faults.drift), so that
// setFaults() and POST /_simulator/faults can turn them on for a running simulator.
//
//   graphqlBudget  GraphQL queries whose work (graphql/work.js) exceeds `work` time out
//                  (502 JSON or 504 HTML) after `delayMs`, and are charged their cost
//   broken         repositories whose details time out on every API; search lists them
//   drift          between served search pages, repositories matching the last search
//                  gain stars, so results move while a client pages (drift.js)
import { TIMEOUT_FORMS } from './gateway-timeout.js';
import { DEFAULT_WORK_BUDGET } from './graphql/work.js';

export const GRAPHQL_BUDGET_DEFAULTS = Object.freeze({ work: DEFAULT_WORK_BUDGET, delayMs: 0, form: 'mixed' });
export const BROKEN_DEFAULTS = Object.freeze({ ids: [], rate: 0, delayMs: 0, form: 'mixed' });
export const DRIFT_DEFAULTS = Object.freeze({ every: 1, count: 1, floorShare: 0.25, gain: null });

function isOff(value) {
  return value === undefined || value === null || value === false;
}

function objectOf(value, name) {
  if (value === true) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`faults.${name} must be an object, true or null`);
  return value;
}

function nonNegative(value, name) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be a number >= 0`);
  return value;
}

function positiveInteger(value, name) {
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} must be an integer >= 1`);
  return value;
}

function form(value, name) {
  if (!TIMEOUT_FORMS.includes(value)) throw new TypeError(`${name} must be one of ${TIMEOUT_FORMS.join(', ')}`);
  return value;
}

/**
 * null, or {work, delayMs, form}. Accepts a number (the work budget), true (the
 * defaults) or an object.
 */
export function normalizeGraphqlBudget(value) {
  if (isOff(value)) return null;
  const config = { ...GRAPHQL_BUDGET_DEFAULTS, ...(typeof value === 'number' ? { work: value } : objectOf(value, 'graphqlBudget')) };
  nonNegative(config.work, 'faults.graphqlBudget.work');
  nonNegative(config.delayMs, 'faults.graphqlBudget.delayMs');
  form(config.form, 'faults.graphqlBudget.form');
  return config;
}

/**
 * null, or {ids: Set of repository ids, rate, delayMs, form}. Accepts an array of ids
 * or an object {ids, rate (a seeded share of the corpus), delayMs, form}.
 */
export function normalizeBroken(value) {
  if (isOff(value)) return null;
  const config = { ...BROKEN_DEFAULTS, ...(Array.isArray(value) ? { ids: value } : objectOf(value, 'broken')) };
  if (!Array.isArray(config.ids) && !(config.ids instanceof Set)) throw new TypeError('faults.broken.ids must be an array of repository ids');
  const ids = new Set([...config.ids].map(Number));
  if (typeof config.rate !== 'number' || config.rate < 0 || config.rate > 1) throw new TypeError('faults.broken.rate must be a rate in [0, 1]');
  nonNegative(config.delayMs, 'faults.broken.delayMs');
  form(config.form, 'faults.broken.form');
  if (ids.size === 0 && config.rate === 0) return null;
  return { ...config, ids };
}

/**
 * null, or {every, count, floorShare, gain}: after every `every`-th served search page,
 * `count` repositories gain stars; a `floorShare` of them are picked just below the
 * search's stars: floor (when it has one); `gain` null = as many stars as it takes to
 * move (see drift.js), a number = that many.
 */
export function normalizeDrift(value) {
  if (isOff(value)) return null;
  const config = { ...DRIFT_DEFAULTS, ...objectOf(value, 'drift') };
  positiveInteger(config.every, 'faults.drift.every');
  positiveInteger(config.count, 'faults.drift.count');
  if (typeof config.floorShare !== 'number' || config.floorShare < 0 || config.floorShare > 1) {
    throw new TypeError('faults.drift.floorShare must be a share in [0, 1]');
  }
  if (config.gain !== null) positiveInteger(config.gain, 'faults.drift.gain');
  return config;
}
