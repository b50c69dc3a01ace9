// The report of issue 14's sections (lanes, refresh, latency): one table each, its
// columns the runs of that section, and their targets, met or missed. Reported, never
// asserted, like the rest of the bench.

const n = (v, digits = 0) => (v === null || v === undefined || !Number.isFinite(v) ? '–'
  : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const x = (v) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : `${n(v, 2)}x`);
const util = (v) => (v === null || v === undefined ? '–' : `${n(100 * v, 0)}%`);

function table(title, columns, rows) {
  const header = [title, ...columns];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((cells) => String(cells[i] ?? '').length)));
  const line = (cells) => `| ${widths.map((w, i) => String(cells[i] ?? '').padEnd(w)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const verdict = (met) => (met === null ? 'n/a' : met ? 'met' : 'MISSED');
const serialText = (s) => `${n(s.penaltiesStarted)} / ${n(s.duringPenalty)}`;

/** Targets of issue 14, each {target, met, detail}. */
export function lanesTargets(sections) {
  const out = [];
  const lanes = sections.lanes?.jobs;
  for (const [name, what] of [['quota', 'REST quota job'], ['searchBound', 'GraphQL search-bound job']]) {
    const job = lanes?.[name];
    if (!job) continue;
    for (const [id, r] of Object.entries(job.results)) {
      if (id === 'peer') continue;
      const within = r.activeOverBound !== null && r.activeOverBound <= job.setup.allowance;
      out.push({
        target: `${what} under the serial rule within ${n(100 * (job.setup.allowance - 1))}% of its bound, 0 wasted, 0 during a penalty (${id})`,
        met: within && r.wasted === 0 && r.serial.duringPenalty === 0,
        detail: `${x(r.activeOverBound)} (${n(r.activeS, 1)} s vs ${n(r.bound.windowedS, 1)} s, ${r.bound.binding}); ` +
          `${n(r.wasted)} wasted, ${n(r.serial.penaltiesStarted)} secondary limits, ${n(r.serial.duringPenalty)} during a penalty; ` +
          `${n(r.repos)} of ${n(job.setup.repos)} stored`,
      });
    }
  }
  const refresh = sections.refresh;
  if (refresh?.results?.graphql) {
    const { setup, results } = refresh;
    const g = results.graphql;
    // About a point per 100 stored, and about one more per 100 changed (their details).
    const expected = Math.ceil(setup.stored / 100) + Math.ceil(setup.changed / 100);
    const met = g.graphqlPoints <= expected * 1.1 && g.coreBeyondTokenCheck === 0 && g.search === 0;
    // The REST requests beside the start-up token check (GET /user per token), by kind
    // (e.g. readme: a README under a name the GraphQL query does not ask for).
    const rest = Object.entries(g.byKind).filter(([kind, count]) => !['user', 'rate_limit', 'graphql', 'search'].includes(kind) && count)
      .map(([kind, count]) => `${kind} ${n(count)}`).join(', ');
    out.push({
      target: 'GraphQL refresh: ~1 point per 100 stored + ~1 per 100 changed, 0 REST requests beyond the token check',
      met,
      detail: `${n(g.graphqlPoints)} points in ${n(g.graphqlQueries)} queries for ${n(setup.stored)} stored, ${n(setup.changed)} changed ` +
        `(expected ~${n(expected)}); REST: ${n(g.core)} core requests (${n(g.byKind.user ?? 0)} GET /user${rest ? `; beyond it: ${rest}` : ''}), ${n(g.search)} searches; ` +
        `refresh outcome ${n(g.refresh?.changed)} changed / ${n(g.refresh?.unchanged)} unchanged`,
    });
  }
  const latency = sections.latency?.results;
  if (latency) {
    const strict = Object.values(latency).filter((r) => r.simulatorKind === 'strict' && r.pipeline.startsWith('ours') && !r.pipeline.endsWith('-c3'));
    if (strict.length) {
      const clean = strict.every((r) => r.serial.duringPenalty === 0 && r.serial.secondaryLimited === 0);
      out.push({
        target: 'one lane per user at GitHub\'s latencies: 0 secondary limits, 0 during a penalty',
        met: clean,
        detail: strict.map((r) => `${r.job}: ${serialText(r.serial)}`).join(', '),
      });
    }
  }
  return out;
}

function lanesTable(lanes) {
  const out = [];
  for (const [name, title] of [['quota', '6. Lanes: quota job (REST)'], ['searchBound', '6b. Lanes: search-bound job (GraphQL)']]) {
    const job = lanes.jobs[name];
    if (!job) continue;
    const ids = Object.keys(job.results);
    const r = job.results;
    const { setup } = job;
    const row = (metric, pick) => [metric, ...ids.map((id) => pick(r[id]))];
    out.push(table(title, ids.map((id) => r[id].label), [
      row(`${setup.tokens} tokens; core ${setup.limits.core}/${setup.windows.core} s, search ${setup.limits.search}/${setup.windows.search} s`, () => ''),
      row(`serial rule: 1 request per user in flight, penalty ${setup.penalty} s (retry-after ${setup.penalty})`, () => ''),
      row('repositories stored', (v) => `${n(v.repos)} of ${n(setup.repos)}`),
      row('wall time, whole process (s)', (v) => n(v.wallS, 1)),
      row('active time, first to last request (s)', (v) => n(v.activeS, 1)),
      row('bound, fixed windows (s)', (v) => `${n(v.bound.windowedS, 1)} (${v.bound.binding})`),
      row(`active / bound (target <= ${x(setup.allowance)})`, (v) => x(v.activeOverBound)),
      row('requests (counted)', (v) => n(v.requests)),
      row('wasted requests (empty bucket, limited)', (v) => n(v.wasted)),
      row('secondary limits that started a penalty', (v) => n(v.serial.penaltiesStarted)),
      row('requests during a penalty (target 0)', (v) => n(v.serial.duringPenalty)),
      row('most requests of one user in flight', (v) => n(v.serial.userConcurrencyPeak)),
      row('simulator event loop, busiest 1 s', (v) => util(v.simulator.peakUtil)),
    ]));
  }
  return out.join('\n\n');
}

function refreshTable(refresh) {
  const { setup, results } = refresh;
  const order = [['ingest', 'ingest (GraphQL)'], ['restPrime', 'REST refresh, no ETags yet'], ['unchanged', 'GraphQL refresh, 0 changed'],
    ['graphql', 'GraphQL refresh'], ['rest', 'REST refresh (ETags)']].filter(([id]) => results[id]);
  const row = (metric, pick) => [metric, ...order.map(([id]) => pick(results[id], id))];
  return table(`7. Refresh: ${n(setup.stored)} stored, ${n(setup.changed)} changed`, order.map(([, label]) => label), [
    row(`corpus ${n(setup.corpus)}, details ${setup.details}; unlimited quotas, loopback`, () => ''),
    row('repositories written', (v) => n(v.repos)),
    row('refresh: changed / unchanged / gone / failed', (v) => (v.refresh ? `${n(v.refresh.changed)} / ${n(v.refresh.unchanged)} / ${n(v.refresh.gone)} / ${n(v.refresh.failed)}` : '–')),
    row('graphql queries / points', (v) => `${n(v.graphqlQueries)} / ${n(v.graphqlPoints)}`),
    row('REST core requests (GET /user of them)', (v) => `${n(v.core)} (${n(v.byKind.user ?? 0)})`),
    row('  of which answered 304 (free)', (v) => n(v.notModified)),
    row('search requests', (v) => n(v.search)),
    row('wall time, whole process (s)', (v) => n(v.wallS, 1)),
    row('active time, first to last request (s)', (v) => n(v.activeS, 1)),
    row('secondary limits / during a penalty', (v) => serialText(v.serial)),
    row('CPU (s) / peak RSS (MB)', (v) => `${n(v.cpuS, 1)} / ${n(v.maxRssMb)}`),
  ]);
}

function latencyTable(latency) {
  const { setup, results } = latency;
  const ids = Object.keys(results);
  const row = (metric, pick) => [metric, ...ids.map((id) => pick(results[id]))];
  const rule = (r) => (r.simulatorKind === 'strict' ? `serial rule (penalty ${setup.penalty} s)` : 'no serial rule');
  return table(`8. GitHub's latencies (x${setup.scale}) and limits`, ids.map((id) => results[id].label), [
    row('simulator', rule),
    row('job: repositories wanted (stopped after)', (r) => `${n(r.limit)} (${n(setup.wallLimitS)} s)`),
    row('repositories stored', (r) => `${n(r.repos)}${r.finished ? '' : ' (stopped)'}`),
    row('wall time, whole process (s)', (r) => n(r.wallS, 1)),
    row('repositories per minute', (r) => n(r.reposPerMin)),
    row('requests (counted) / graphql queries', (r) => `${n(r.requests)} / ${n(r.graphqlQueries)}`),
    row('secondary limits that started a penalty', (r) => n(r.serial.penaltiesStarted)),
    row('requests during a penalty', (r) => n(r.serial.duringPenalty)),
    row('most requests of one user in flight', (r) => n(r.serial.userConcurrencyPeak)),
    row('wasted (empty bucket)', (r) => n(r.wasted)),
  ]);
}

/** The tables and targets of the lanes, refresh and latency sections that ran. */
export function formatLanesReport(sections, shown) {
  const parts = [];
  if (sections.lanes && shown.includes('lanes')) parts.push(lanesTable(sections.lanes));
  if (sections.refresh && shown.includes('refresh')) parts.push(refreshTable(sections.refresh));
  if (sections.latency && shown.includes('latency')) parts.push(latencyTable(sections.latency));
  const targets = lanesTargets(sections);
  if (targets.length) parts.push(['Targets (issue 14):', ...targets.map((t) => `  ${verdict(t.met).padEnd(6)}  ${t.target}: ${t.detail}`)].join('\n'));
  return parts.length ? `${parts.join('\n\n')}\n\n` : '';
}
