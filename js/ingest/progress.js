// Progress on stderr: a line every 50 repositories (and on every wait, retired token or
// warning), so a terminal and a log file both show where the run is.
export function createProgress({ stream = process.stderr, every = 50, wanted, now = Date.now } = {}) {
  const started = now();
  const added = {};
  let total = 0;
  let lastLine = 0;
  const line = (text) => stream.write(`${text}\n`);
  const status = () => {
    const minutes = Math.max((now() - started) / 60_000, 1 / 60);
    const parts = Object.keys(wanted).map((name) => `${name} ${added[name] ?? 0}/${wanted[name]}`);
    return `${total} new repositories (${Math.round(total / minutes)}/min) | ${parts.join(' | ')}`;
  };
  return {
    added,
    get total() { return total; },
    add(cluster, count) {
      added[cluster] = (added[cluster] ?? 0) + count;
      total += count;
      if (total - lastLine >= every) {
        lastLine = total - (total % every);
        line(status());
      }
    },
    event(event) {
      if (event.type === 'progress') return;
      if (event.pool === 'waiting') {
        const until = new Date(event.until * 1000);
        const minutes = Math.max(0, Math.round((until.getTime() - now()) / 60_000));
        line(`all tokens exhausted for ${event.resource}, resuming at ${until.toLocaleTimeString()} (in ${minutes} min)`);
      } else if (event.pool === 'resumed' || event.pool === 'exhausted') {
        // routine: the line every 50 repositories says enough
      } else {
        line(`${event.type === 'error' ? 'error' : 'warning'}: ${event.message}`);
      }
    },
    finish() { line(status()); },
  };
}
