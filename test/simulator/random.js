// Deterministic randomness: every generated value derives from the seed, so a corpus,
// its tokens and its fault pattern are the same on every machine and every run.

/** 32-bit FNV-1a of a string, mixed with a numeric salt. */
export function hash32(text, salt = 0) {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // final avalanche (murmur3 fmix32), so nearby inputs give unrelated outputs
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0, 1) from the hash of `text` under `seed`. */
export function unitHash(text, seed = 0) {
  return hash32(text, seed) / 4294967296;
}

/** A seeded PRNG (mulberry32) with the helpers the generators need. */
export class Random {
  constructor(seed) {
    this.state = (typeof seed === 'number' ? seed : hash32(String(seed))) >>> 0;
  }

  /** A uniform number in [0, 1). */
  next() {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min, max) {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability) {
    return this.next() < probability;
  }

  pick(items) {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks from [[item, weight], ...]. */
  weighted(pairs) {
    let total = 0;
    for (const [, weight] of pairs) total += weight;
    let roll = this.next() * total;
    for (const [item, weight] of pairs) {
      roll -= weight;
      if (roll < 0) return item;
    }
    return pairs[pairs.length - 1][0];
  }

  /** `count` distinct items of `items`, in random order. */
  sample(items, count) {
    const copy = items.slice();
    const n = Math.min(count, copy.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (copy.length - i));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy.slice(0, n);
  }

  /** A string of `length` characters from `alphabet`. */
  chars(length, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789') {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }

  hex(length) {
    return this.chars(length, '0123456789abcdef');
  }
}
