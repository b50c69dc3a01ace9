// Progress on stderr. On a terminal: a live bar per cluster (cli-progress) under a status
// line with repositories per minute, requests, token states and an ETA. Elsewhere (a log,
// CI): a plain line every 50 repositories. Waits ("all tokens exhausted ... resuming at")
// and warnings are printed in both, on lines of their own.
import cliProgress from 'cli-progress';

function waitLine(event, now) {
  const until = new Date(event.until * 1000);
  const minutes = Math.max(0, Math.round((until.getTime() - now()) / 60_000));
  return `all tokens exhausted for ${event.resource}, resuming at ${until.toLocaleTimeString()} (in ${minutes} min)`;
}

function rateOf(total, started, now) {
  const minutes = Math.max((now() - started) / 60_000, 1 / 60);
  return Math.round(total / minutes);
}

/**
 * @param {{stream?: NodeJS.WritableStream, every?: number, wanted: Record<string, number>,
 *   now?: () => number, live?: boolean, stats?: () => object|null}} options
 *   `live`: draw bars (default: on a terminal, outside CI). `stats`: the run's pool stats.
 */
export function createProgress({
  stream = process.stderr, every = 50, wanted, now = Date.now,
  live = Boolean(stream.isTTY) && !process.env.CI, stats = () => null,
} = {}) {
  const started = now();
  const added = {};
  let total = 0;
  let lastLine = 0;
  const wantedTotal = Object.values(wanted).reduce((sum, n) => sum + n, 0);
  const summary = () => {
    const parts = Object.keys(wanted).map((name) => `${name} ${added[name] ?? 0}/${wanted[name]}`);
    return `${total} new repositories (${rateOf(total, started, now)}/min) | ${parts.join(' | ')}`;
  };

  let bars = null;
  let header = null;
  let perCluster = {};
  let ticker = null;
  const status = () => {
    const rate = rateOf(total, started, now);
    const s = stats();
    const tokens = s?.tokens ?? [];
    const ok = tokens.filter((t) => t.state === 'ok').length;
    const eta = rate > 0 ? `${Math.ceil((wantedTotal - total) / rate)} min` : '?';
    return { rate, requests: s?.totalRequests ?? 0, tokens: `${ok}/${tokens.length} ok`, eta };
  };
  if (live && wantedTotal > 0) {
    bars = new cliProgress.MultiBar({
      stream, hideCursor: true, clearOnComplete: false, autopadding: true,
      format: '{label} [{bar}] {value}/{total}',
      barCompleteChar: '#', barIncompleteChar: '.', barsize: 30, fps: 5,
    });
    header = bars.create(wantedTotal, 0, { label: 'all', ...status() }, {
      format: '{label} [{bar}] {value}/{total} | {rate}/min | {requests} requests | tokens {tokens} | ETA {eta}',
    });
    perCluster = Object.fromEntries(
      Object.keys(wanted).map((name) => [name, bars.create(Math.max(wanted[name], 1), 0, { label: name.padEnd(10) })]),
    );
    ticker = setInterval(() => header.update(total, status()), 1000);
    ticker.unref();
  }
  const line = (text) => (bars ? bars.log(`${text}\n`) : stream.write(`${text}\n`));

  return {
    added,
    get total() { return total; },
    add(cluster, count) {
      added[cluster] = (added[cluster] ?? 0) + count;
      total += count;
      if (bars) {
        perCluster[cluster]?.update(added[cluster]);
        header.update(total, status());
      } else if (total - lastLine >= every) {
        lastLine = total - (total % every);
        line(summary());
      }
    },
    event(event) {
      // Errors end the run: the command reports them once, as its last line.
      if (event.type === 'progress' || event.type === 'error') return;
      if (event.pool === 'resumed' || event.pool === 'exhausted') return;
      line(event.pool === 'waiting' ? waitLine(event, now) : `warning: ${event.message}`);
    },
    // `failed`: the run ends with an error line of its own; no closing status line then.
    finish({ failed = false } = {}) {
      if (bars) {
        clearInterval(ticker);
        header.update(total, status());
        bars.stop();
      } else if (!failed) {
        line(summary());
      }
    },
  };
}
