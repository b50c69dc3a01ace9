// Parsers for option values. Each returns the parsed value or throws a UsageError that
// names the option and what it expects, so `--workers=abc` exits 2 with one line.
import { UsageError } from './errors.js';

function fail(name, expected, value) {
  return new UsageError(`--${name} expects ${expected}, got '${value}'`);
}

export function integerAtLeast(minimum) {
  const expected = minimum === 0 ? 'a whole number (0 or more)' : `a whole number of at least ${minimum}`;
  return (value, name) => {
    if (!/^\d+$/.test(value)) throw fail(name, expected, value);
    const number = Number(value);
    if (!Number.isSafeInteger(number) || number < minimum) throw fail(name, expected, value);
    return number;
  };
}

export function integerBetween(minimum, maximum) {
  const expected = `a whole number from ${minimum} to ${maximum}`;
  return (value, name) => {
    if (!/^\d+$/.test(value)) throw fail(name, expected, value);
    const number = Number(value);
    if (number < minimum || number > maximum) throw fail(name, expected, value);
    return number;
  };
}

export function oneOf(choices) {
  return (value, name) => {
    if (!choices.includes(value)) throw fail(name, `one of ${choices.join(', ')}`, value);
    return value;
  };
}

// A comma-separated list of `choices`, or the single word `exclusive` (e.g. "none").
export function listOf(choices, exclusive) {
  return (value, name) => {
    const items = value.split(',').map((item) => item.trim()).filter(Boolean);
    const expected = `a comma-separated list of ${choices.join(', ')}${exclusive ? `, or ${exclusive}` : ''}`;
    if (items.length === 0) throw fail(name, expected, value);
    if (exclusive && items.includes(exclusive)) {
      if (items.length > 1) throw fail(name, expected, value);
      return [];
    }
    for (const item of items) {
      if (!choices.includes(item)) throw fail(name, expected, value);
    }
    return [...new Set(items)];
  };
}

// Cluster names: "all", or names made of letters, digits, '_' and '-'. Whether the
// clusters file defines them is checked once the file is read.
export function clusterList(value, name) {
  const items = value.split(',').map((item) => item.trim()).filter(Boolean);
  if (items.length === 0 || items.some((item) => !/^[\w-]+$/.test(item))) {
    throw fail(name, "'all' or cluster names separated by commas", value);
  }
  return items.includes('all') ? 'all' : [...new Set(items)];
}
