// The report of the hosts section (sections/hosts.js): one table per API, its columns
// the plain process and 1, 2, 4 hosts with --coordinate, and the section's targets, met
// or missed. Reported, never asserted, like the rest of the bench.

const n = (v, digits = 0) => (v === null || v === undefined || !Number.isFinite(v) ? '–'
  : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const x = (v) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : `${n(v, 2)}x`);

// Shared tokens: one job on N hosts no slower than the plain single process, within 5%.
export const HOSTS_ALLOWANCE = 1.05;
// Tokens per host: N hosts within 15% of linear (N times faster than one plain process).
export const SCALING_FLOOR = 0.85;

function table(title, columns, rows) {
  const header = [title, ...columns];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((cells) => String(cells[i] ?? '').length)));
  const line = (cells) => `| ${widths.map((w, i) => String(cells[i] ?? '').padEnd(w)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const verdict = (met) => (met === null ? 'n/a' : met ? 'met' : 'MISSED');
const list = (r, pick, digits = 0) => (r.hosts > 1 ? r.perHost.map((h) => n(pick(h), digits)).join(' / ') : '');

/** The section's targets, each {target, met, detail}; a skipped section has one, n/a. */
export function hostsTargets(sections) {
  const hosts = sections.hosts;
  if (!hosts) return [];
  if (hosts.skipped) return [{ target: 'one job on several hosts (--coordinate)', met: null, detail: `skipped: ${hosts.skipped}` }];
  const out = [];
  for (const [api, job] of Object.entries(hosts.jobs ?? {})) {
    const { results } = job;
    for (const r of Object.values(results)) {
      if (!r.hosts) continue;
      if (job.setup.tokensPerHost) {
        out.push({
          target: `${api}: ${r.hosts} host${r.hosts > 1 ? 's' : ''} with their own tokens within ${n(100 * (1 - SCALING_FLOOR))}% of linear scaling, 0 wasted`,
          met: r.scaling !== null && r.scaling >= SCALING_FLOOR && r.wasted === 0 && !r.stoppedHosts,
          detail: `${r.stoppedHosts ? `${r.stoppedHosts} of ${r.hosts} hosts did not exit, stopped after ${n(r.timeoutS)} s; ` : ''}${n(100 * r.scaling)}% of linear ` +
            `(${n(r.wallS, 1)} s vs ${n(results.plain?.wallS, 1)} s for one process); ${x(r.wallOverBound)} the bound (${n(r.bound.windowedS, 1)} s, ${r.bound.binding}); ` +
            `${n(r.wasted)} wasted; ${n(r.stored)} stored${r.sameAsOneHost === false ? ', NOT the 1-host run\'s repositories' : ''}`,
        });
        continue;
      }
      const met = r.wallOverPlain !== null && r.wallOverPlain <= HOSTS_ALLOWANCE && r.wasted === 0 && !r.stoppedHosts;
      out.push({
        target: `${api}: ${r.hosts} host${r.hosts > 1 ? 's' : ''} sharing the tokens no slower than one plain process (within ${n(100 * (HOSTS_ALLOWANCE - 1))}%), 0 wasted`,
        met,
        detail: `${r.stoppedHosts ? `${r.stoppedHosts} of ${r.hosts} hosts did not exit, stopped after ${n(r.timeoutS)} s; ` : ''}${x(r.wallOverPlain)} (${n(r.wallS, 1)} s vs ${n(results.plain?.wallS, 1)} s); ${x(r.wallOverBound)} the bound ` +
          `(${n(r.bound.windowedS, 1)} s, ${r.bound.binding}); ${n(r.wasted)} wasted, ${n(r.serial.penaltiesStarted)} secondary limits, ` +
          `${n(r.serial.duringPenalty)} during a penalty; ${n(r.stored)} stored${r.sameAsOneHost === false ? ', NOT the 1-host run\'s repositories' : ''}`,
      });
    }
    const differ = Object.values(results).filter((r) => r.sameAsOneHost === false);
    out.push({
      target: `${api}: every configuration stores the 1-host run's repositories`,
      met: differ.length === 0,
      detail: Object.values(results).map((r) => `${r.label}: ${n(r.stored)}${r.sameAsOneHost === false ? ' (differs)' : ''}`).join(', '),
    });
  }
  return out;
}

function hostsTable(api, job) {
  const { setup, results } = job;
  const ids = Object.keys(results);
  const row = (metric, pick) => [metric, ...ids.map((id) => pick(results[id]))];
  const title = `9. One job on several hosts (--api=${setup.api ?? api}${setup.tokensPerHost ? ', tokens per host' : ''})`;
  return table(title, ids.map((id) => results[id].label), [
    row(`${setup.tokens} tokens of ${setup.users} users ${setup.tokensPerHost ? 'per host, each its own' : 'on every host'}; core ${setup.limits.core}/${setup.windows.core} s, search ${setup.limits.search}/${setup.windows.search} s`, () => ''),
    row(`serial rule: 1 request per user in flight, penalty ${setup.serialRule.penalty} s; heartbeat ${setup.coordination.GH_INGEST_COORDINATE_TICK_MS} ms`, () => ''),
    row('repositories stored (same as 1 host?)', (r) => `${n(r.stored)} (${r.sameAsOneHost === null ? '–' : r.sameAsOneHost ? 'same' : 'DIFFERENT'})`),
    row('wall time, first start to last exit (s)', (r) => `${n(r.wallS, 1)}${r.stoppedHosts ? ` (${r.stoppedHosts} host${r.stoppedHosts > 1 ? 's' : ''} stopped at ${n(r.timeoutS)} s)` : ''}`),
    row('active time, first to last request (s)', (r) => n(r.activeS, 1)),
    row('bound, fixed windows (s)', (r) => `${n(r.bound.windowedS, 1)} (${r.bound.binding})`),
    row('wall / bound', (r) => x(r.wallOverBound)),
    setup.tokensPerHost
      ? row(`plain / (hosts x wall): share of linear (target >= ${n(100 * SCALING_FLOOR)}%)`, (r) => (r.hosts ? `${n(100 * r.scaling)}%` : ''))
      : row(`wall / plain process (target <= ${x(HOSTS_ALLOWANCE)})`, (r) => x(r.wallOverPlain)),
    row('GitHub requests (counted)', (r) => n(r.requests)),
    row('  per 1,000 repositories', (r) => n(r.requestsPer1000)),
    row('database statements (coordination)', (r) => n(r.databaseStatements)),
    row('  per 1,000 repositories', (r) => n(r.databaseStatementsPer1000)),
    row('wasted requests (empty bucket)', (r) => n(r.wasted)),
    row('secondary limits that started a penalty', (r) => n(r.serial.penaltiesStarted)),
    row('requests during a penalty', (r) => n(r.serial.duringPenalty)),
    row('most requests of one user in flight', (r) => n(r.serial.userConcurrencyPeak)),
    row('per host: repositories added', (r) => list(r, (h) => h.added)),
    row('per host: queries run', (r) => list(r, (h) => h.queries)),
    row('per host: GitHub requests', (r) => list(r, (h) => h.requests)),
    row('per host: elapsed (s)', (r) => list(r, (h) => h.wallS, 1)),
    row('per host: elapsed_s in its summary', (r) => list(r, (h) => h.elapsedS, 1)),
  ]);
}

/** The hosts section's tables and targets, or the reason it was skipped. */
export function formatHostsReport(sections, shown) {
  const hosts = sections.hosts;
  if (!hosts || !shown.includes('hosts')) return '';
  const parts = [];
  if (hosts.skipped) parts.push(`9. One job on several hosts: skipped (${hosts.skipped})`);
  else for (const [api, job] of Object.entries(hosts.jobs ?? {})) parts.push(hostsTable(api, job));
  const targets = hostsTargets(sections);
  if (targets.length && !hosts.skipped) parts.push(['Targets (one job on several hosts):', ...targets.map((t) => `  ${verdict(t.met).padEnd(6)}  ${t.target}: ${t.detail}`)].join('\n'));
  return `${parts.join('\n\n')}\n\n`;
}
