// Reading the `languages` object ({"Python": bytes, ...}) without building arrays: both
// tech-stack and complexity need its totals on every repository.

/** The sum of the byte counts (0 for an empty object), or null when languages is unknown. */
export function totalBytes(languages) {
  if (languages === null || typeof languages !== 'object') return null;
  let total = 0;
  for (const name in languages) {
    const bytes = languages[name];
    if (typeof bytes === 'number' && bytes > 0) total += bytes;
  }
  return total;
}

/** How many languages hold at least `minShare` (0..1) of `total` bytes. */
export function countWithShare(languages, total, minShare) {
  if (!total) return 0;
  const floor = total * minShare;
  let count = 0;
  for (const name in languages) {
    const bytes = languages[name];
    if (typeof bytes === 'number' && bytes > 0 && bytes >= floor) count++;
  }
  return count;
}
