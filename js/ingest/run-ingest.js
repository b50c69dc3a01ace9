// The main job (README.md, How it works): plan what each cluster still needs from the
// database, run the engine for it, enrich and store every batch, and report. Storage is checked before
// the first GitHub request; a batch that cannot be stored goes to the dead letters and
// ends the run (exit 1); SIGINT/SIGTERM stop the engine, store what was fetched, exit 130.
// What the run could not fetch or search is recorded as pending and done first by the
// next run (exit 3 when that is all that went wrong).
import { loadTokens, startRun } from '../../binding/index.js';
import { CliError, EXIT_FAILED, EXIT_OK } from '../cli/errors.js';
import { apiUrlFromEnv, graphqlUrlFromEnv } from '../config/api-url.js';
import { loadClusters, searchQueries, selectClusters } from '../config/clusters.js';
import { coordinationRefusal, coordinationSummary, joinJob } from '../coordinate/index.js';
import { loadDotEnv } from '../config/env.js';
import { pointsPerMinuteFromEnv } from '../config/points-per-minute.js';
import { planLimits } from '../plan/quotas.js';
import { openSink } from '../storage/index.js';
import { appendDeadLetter, DEAD_LETTERS_PATH, replayDeadLetters } from './dead-letters.js';
import { pendingPhrase, runOutcome } from './outcome.js';
import { pendingAfterRun, pendingDone, pendingFinders, pendingToFetch, queriesWithPendingFirst } from './pending-work.js';
import { createProgress } from './progress.js';
import { COMPARED_COLUMNS, comparedColumns, etagEntries, rederivedRow, toRow } from './rows.js';
import { buildSummary, formatSummary } from './summary.js';

const STORE_ATTEMPTS = 3;

// Errors of the storage layer can span lines (a driver's detail): one line each here.
const oneLine = (err) => String(err?.message ?? err).split('\n')[0];

function tokensFrom(env) {
  try {
    return loadTokens(env).tokens;
  } catch (err) {
    if (err.code === 'E_NO_TOKEN') throw new CliError(err.message, { code: err.code });
    throw err;
  }
}

async function withRetries(attempts, task) {
  let lastError;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await task();
    } catch (err) {
      lastError = err;
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
    }
  }
  throw lastError;
}

// Clusters that found a repository after its row was written: appended to its
// `clusters`. Losing them loses no repository, so a failure is a warning.
async function addLateFinders(sink, lateFinders, stderr) {
  if (!lateFinders?.length) return;
  const byId = new Map();
  for (const { id, clusters } of lateFinders) byId.set(id, [...new Set([...(byId.get(id) ?? []), ...clusters])]);
  const finders = [...byId].map(([id, clusters]) => ({ id, clusters }));
  try {
    await withRetries(STORE_ATTEMPTS, () => sink.addClusters(finders));
  } catch (err) {
    stderr.write(`warning: could not add the clusters that found ${finders.length} repositories again: ${oneLine(err)}\n`);
  }
}

const pendingCount = (work) => work.repositories.length + work.searches.length;

// Records what is pending for the selected clusters. Returns the message that ends the
// run when pending work could not be recorded and nothing else went wrong (exit 1: the
// next run would not know it); otherwise a failure here is a warning.
async function savePendingWork(sink, work, selected, { alreadyFailed, stderr, forget }) {
  try {
    await withRetries(STORE_ATTEMPTS, () => sink.savePending(work, { clusters: selected, ...(forget ? { forget } : {}) }));
    return null;
  } catch (err) {
    if (pendingCount(work) === 0) {
      // The rows pending before stay as they were (one transaction): harmless, since
      // stored repositories are left out when they are loaded.
      stderr.write(`warning: could not clear the pending work of ${selected.join(', ')}: ${oneLine(err)}\n`);
      return null;
    }
    const what = `could not record what is pending (${pendingPhrase(work)})`;
    if (alreadyFailed) {
      stderr.write(`warning: ${what}: ${oneLine(err)}\n`);
      return null;
    }
    return `storage failed at the end of the run: ${what}: ${oneLine(err)}`;
  }
}

// --refresh: the stored repositories of the selected clusters. Through REST each is
// re-checked by id with its stored ETag; only the languages ETag goes with a changed
// repository's details: rows keep the languages, not the README or the community profile
// they were derived from, so those two are fetched again when the repository changed.
// Through GraphQL 100 are re-read per query and compared with their stored columns.
async function refreshPlan(sink, selected, api) {
  const graphql = api === 'graphql';
  const stored = await sink.loadRefreshTargets(selected, graphql ? { columns: COMPARED_COLUMNS } : {});
  const etags = await sink.loadEtags();
  return {
    stored: new Map(stored.map(({ row, ...target }) => [target.id, target])),
    targets: stored.map(({ id, cluster, etag, row }) => ({
      id, cluster, ...(etag ? { etag } : {}), ...(row ? { row: comparedColumns(row) } : {}),
    })),
    knownEtags: stored.flatMap(({ id }) => (etags.get(id)?.languages ? [{ id, languages: etags.get(id).languages }] : [])),
  };
}

// The rows of a batch in a --refresh run: new repositories as usual; changed stored ones
// keep the clusters that found them before (and their languages when unchanged);
// unchanged ones are their stored rows with the time-dependent rules applied again.
// A stored row that cannot be read leaves that repository as it is stored: not refreshed
// this time, never lost.
async function refreshedRows(sink, batch, stored, now, stderr) {
  const languagesUnchanged = (repo) => repo.refreshed && repo.details?.languages === 'unchanged';
  const needStored = [...batch.unchanged, ...batch.repositories.filter(languagesUnchanged).map((repo) => repo.id)];
  let rowsById = new Map();
  if (needStored.length) {
    try {
      rowsById = new Map((await withRetries(STORE_ATTEMPTS, () => sink.loadRepositories(needStored))).map((row) => [row.id, row]));
    } catch (err) {
      stderr.write(`warning: ${needStored.length} stored repositories left as they are (could not read them: ${err.message})\n`);
    }
  }
  const rows = [];
  for (const repo of batch.repositories) {
    if (!repo.refreshed) {
      rows.push(toRow(repo, batch.cluster, now));
      continue;
    }
    if (languagesUnchanged(repo) && !rowsById.has(repo.id)) continue;
    const before = stored.get(repo.id);
    const clusters_found = [...new Set([...(before?.clusters ?? []), ...(repo.clusters_found ?? [])])];
    const languages = languagesUnchanged(repo) ? rowsById.get(repo.id).languages : repo.languages;
    rows.push(toRow({ ...repo, languages, clusters_found }, before?.cluster ?? batch.cluster, now));
  }
  for (const id of batch.unchanged) {
    if (rowsById.has(id)) rows.push(rederivedRow(rowsById.get(id), now));
  }
  return rows;
}

export async function runIngest(values, { env = process.env, stdout = process.stdout, stderr = process.stderr } = {}) {
  const started = Date.now();
  loadDotEnv();
  const config = loadClusters(values.config);
  const selected = selectClusters(config, values.cluster ?? 'all');
  const tokens = tokensFrom(env);
  const apiUrl = apiUrlFromEnv(env);
  const graphqlUrl = graphqlUrlFromEnv(env);
  const pointsPerMinute = pointsPerMinuteFromEnv(env);
  const sink = await openSink(env, { dbDir: values['db-dir'] ?? './data' });
  let runId = null;
  let coordination = null;
  try {
    if (values.coordinate && !values['dry-run']) {
      const refusal = coordinationRefusal(sink);
      if (refusal) throw new CliError(refusal);
      if (values.refresh) throw new CliError('--coordinate cannot be combined with --refresh yet: refresh on one host');
    }
    await sink.check();  // before any GitHub request: nothing is fetched in vain
    const quotas = Object.fromEntries(selected.map((name) => [name, config.clusters[name].quota]));
    if (values['dry-run']) {
      // Reads only: no table is created, no dead letter replayed.
      const missing = await sink.missingSchema();
      const stored = missing.length ? {} : await sink.clusterCounts();
      const wanted = planLimits({ quotas, stored, selected, limit: values.limit });
      const plan = { dry_run: true, storage: sink.description, schema_missing: missing, stored, wanted };
      // --refresh would also re-check these stored repositories (by id, with their ETags).
      if (values.refresh) plan.refresh = missing.length ? 0 : (await sink.loadRefreshTargets(selected)).length;
      // Done first by the run: repositories and search ranges earlier runs left pending.
      const pending = missing.length ? null : await sink.pendingCounts();
      plan.pending = { repositories: pending?.repositories ?? 0, searches: pending?.searches ?? 0 };
      stdout.write(`${JSON.stringify(plan, null, values.json ? 0 : 2)}\n`);
      return EXIT_OK;
    }
    await sink.ensureSchema();
    const store = (rows) => withRetries(STORE_ATTEMPTS, () => sink.upsertRepositories(rows));
    const replay = await replayDeadLetters(DEAD_LETTERS_PATH, store);
    if (replay.failed) {
      throw new CliError(`${replay.failed} dead-lettered batch(es) in ${DEAD_LETTERS_PATH} still cannot be stored: ` +
        `${replay.error?.message ?? replay.error}`);
    }
    if (replay.replayed) stderr.write(`stored ${replay.replayed} repositories from ${DEAD_LETTERS_PATH}\n`);

    const stored = await sink.clusterCounts();
    let wanted = planLimits({ quotas, stored, selected, limit: values.limit });
    let runTokens = tokens;
    if (values.coordinate) {
      // The job decides what is wanted (its first host planned it from the counts then):
      // a host joining later must not plan again from rows the others already stored.
      coordination = await joinJob({
        env, config, selected, values, wanted, stored, tokens, apiUrl, graphqlUrl, stderr,
        onLost: (message) => coordination?.lost(message),
      });
      wanted = Object.fromEntries(selected.map((name) => [name, Number(coordination.joined.wanted[name] ?? 0)]));
      runTokens = coordination.tokens;
      const joinedAs = coordination.joined.new ? 'opened' : 'joined';
      stderr.write(`coordinate: ${joinedAs} job ${coordination.joined.job} as ${coordination.coordinator.job.host}\n`);
    }
    // What earlier runs could not do, first: their pending searches' queries lead their
    // clusters' lists, their pending repositories are fetched by id before any search
    // (not in knownIds: they are not stored). In a coordinated job, the host that opened
    // it takes them: the others would only race it for them.
    const loaded = coordination && !coordination.joined.new
      ? { repositories: [], searches: [] }
      : await sink.loadPending(selected);
    const queries = Object.fromEntries(selected.map((name) => [name, searchQueries(config, name)]));
    // --refresh: every selected cluster takes part, to carry its stored repositories'
    // re-checks, even when it wants nothing new (a limit of 0 sends no search).
    const groups = selected
      .filter((name) => wanted[name] > 0 || values.refresh)
      .map((name) => ({
        name,
        queries: queriesWithPendingFirst(queries[name], loaded.searches.filter((search) => search.cluster === name)),
        limit: wanted[name],
      }));
    const handed = pendingToFetch(loaded.repositories, groups);
    const knownIds = [...(await sink.loadKnownIds())];
    const refresh = values.refresh ? await refreshPlan(sink, selected, values.api ?? 'graphql') : null;

    runId = await sink.recordRun({ clusters: selected, limit: values.limit ?? null, details: values.details ?? null });
    let statsOf = () => null;
    const progress = createProgress({ stream: stderr, wanted, stats: () => statsOf() });
    let failure = null;   // storage failed mid-run: the message naming the dead letters
    let written = 0;
    const storedIds = new Set();
    let interrupted = false;
    let stats = null;
    let result = { ok: true, stopped: false, clusters: {} };

    if (groups.length) {
      const now = Date.now();
      const run = startRun(
        {
          tokens: runTokens, apiUrl, groups,
          details: values.details ?? ['languages', 'readme', 'community'],
          api: values.api ?? 'graphql', ...(graphqlUrl ? { graphqlUrl } : {}),
          workers: values.workers, batchSize: values['batch-size'],
          knownIds, minRemaining: values['min-remaining'], requestsPerToken: values['requests-per-token'],
          concurrencyPerUser: values['concurrency-per-user'],
          ...pointsPerMinute,
          ...(refresh ? { refresh: refresh.targets, knownEtags: refresh.knownEtags } : {}),
          ...(handed.length ? { pending: handed } : {}),
          ...(coordination ? {
            coordinated: true, checkTokens: false, logins: coordination.logins,
            createdUpper: coordination.joined.createdUpper,
          } : {}),
        },
        {
          ...(coordination ? { gate: coordination.coordinator.gate({ queries: groups.flatMap((group) => group.queries) }) } : {}),
          onBatch: async (batch) => {
            const rows = refresh
              ? await refreshedRows(sink, batch, refresh.stored, now, stderr)
              : batch.repositories.map((repo) => toRow(repo, batch.cluster, now));
            // After a storage failure every batch still in flight goes to the dead
            // letters too: nothing fetched is dropped.
            if (failure) {
              appendDeadLetter(DEAD_LETTERS_PATH, { cluster: batch.cluster, rows, error: 'the run stopped before this batch was stored' });
              return;
            }
            try {
              await store(rows);
              for (const row of rows) storedIds.add(row.id);
              await sink.saveEtags(batch.repositories.flatMap(etagEntries));
              written += rows.length;
              progress.add(batch.cluster, batch.repositories.filter((repo) => !repo.refreshed).length);
            } catch (err) {
              appendDeadLetter(DEAD_LETTERS_PATH, { cluster: batch.cluster, rows, error: err });
              failure ??= `storage failed (${oneLine(err)}); what could not be stored was saved to ${DEAD_LETTERS_PATH} ` +
                'and is stored first on the next run';
              run.stop();
            }
          },
          onEvent: (event) => progress.event(event),
        },
      );
      statsOf = () => run.stats();
      if (coordination) {
        coordination.coordinator.attach(run);
        coordination.lost = (message) => {
          failure ??= `coordination lost: ${message}`;
          coordination.coordinator.halt();
          run.stop();
        };
      }
      const onSignal = () => {
        interrupted = true;
        coordination?.coordinator.halt();
        stderr.write('stopping: storing what was fetched...\n');
        run.stop();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        result = await run.done;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      stats = run.stats();
      progress.finish({ failed: Boolean(failure) || !result.ok });
      await addLateFinders(sink, [...(result.lateFinders ?? []), ...pendingFinders(loaded, storedIds)], stderr);
    }

    // A coordinated job's clusters as stored now, by every host: what counts for quotas.
    const final = coordination ? await sink.clusterCounts().catch(() => null) : null;

    // From here on, storage that fails (it may have died mid-run) is a warning printed
    // before the message that matters, never a replacement for it.
    const engineError = result.ok ? null : (result.error ?? 'the run failed');
    const pending = pendingAfterRun({
      loaded,
      handedIds: new Set(handed.map((repo) => repo.id)),
      searchedClusters: new Set(groups.filter((group) => group.limit > 0).map((group) => group.name)),
      result,
      finished: !failure && !engineError && !interrupted && !result.stopped,
      storedIds,
      completeClusters: new Set(selected.filter((name) => (final
        ? final[name] ?? 0
        : (stored[name] ?? 0) + (progress.added[name] ?? 0)) >= quotas[name])),
      queries,
    });
    // A coordinated host adds its own pending work and replaces nobody's: the job's other
    // hosts record theirs in the same tables.
    const saveFailure = await savePendingWork(sink, pending, coordination ? [] : selected,
      { alreadyFailed: Boolean(failure || engineError), stderr, forget: coordination ? pendingDone(loaded, pending) : undefined });
    // Then leave: a host that ends complete gives up its unstored claims, which are in
    // the pending work just recorded (left first, a kill in between would lose them).
    let jobPending = null;
    let finishedJob = false;
    if (coordination && result) {
      const left = await leaveJob(coordination, stderr, { complete: result.ok && !result.stopped && !failure && !interrupted && !saveFailure });
      // The host that finished the job answers for it: exit 0 only if no host of it left
      // work pending (each host that did exits 3 itself; this one may be the only one
      // watched). Its own pending rows are saved already: counted apart.
      finishedJob = Boolean(left?.finished);
      if (finishedJob && pendingCount(pending) === 0) jobPending = await jobPendingCounts(sink, selected, stderr);
    }

    const summary = buildSummary({
      config, selected, stored, added: progress.added, stats, result, written, pending: pendingCount(pending),
      refreshed: Boolean(values.refresh), elapsedS: (Date.now() - started) / 1000,
    });
    if (coordination) {
      // This host's part, and the job's clusters as every host left them.
      if (final) for (const [name, c] of Object.entries(summary.clusters)) c.stored = final[name] ?? c.stored;
      summary.coordinate = await coordinationSummary({ coordination, result, added: progress.added, final: final ?? {}, finished: finishedJob });
    }
    const outcome = runOutcome({
      failure: failure ?? engineError ?? saveFailure, interrupted, pending, clusters: result.clusters ?? {}, totals: summary.clusters, jobPending,
    });
    try {
      await sink.finishRun(runId, { status: outcome.status, summary });
    } catch (err) {
      stderr.write(`warning: could not record the end of the run: ${oneLine(err)}\n`);
    }
    stdout.write(values.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
    for (const line of outcome.lines) stderr.write(`${line}\n`);
    if (outcome.error) throw new CliError(outcome.error);
    return outcome.exitCode;
  } finally {
    // A database that died mid-run may fail this too; the run's own message stands.
    if (coordination) {
      await leaveJob(coordination, stderr);
      await coordination.coordinator.job.close().catch(() => {});
    }
    await sink.close().catch(() => {});
  }
}

// What the selected clusters have pending now: {repositories, searches}, null when it
// cannot be read (a warning; the host's own outcome stands).
async function jobPendingCounts(sink, selected, stderr) {
  try {
    const counts = await sink.pendingCounts();
    const total = { repositories: 0, searches: 0 };
    for (const name of selected) {
      total.repositories += counts.byCluster[name]?.repositories ?? 0;
      total.searches += counts.byCluster[name]?.searches ?? 0;
    }
    return total;
  } catch (err) {
    stderr.write(`warning: could not count the job's pending work: ${oneLine(err)}\n`);
    return null;
  }
}

// Leaves the coordinated job once (after the run, or when the run failed before it).
// Returns coord_leave's answer ({finished}), or undefined.
async function leaveJob(coordination, stderr, { complete = false } = {}) {
  if (coordination.left) return undefined;
  coordination.left = true;
  try {
    return await coordination.coordinator.leave({ complete });
  } catch (err) {
    stderr.write(`warning: could not leave the coordinated job cleanly: ${oneLine(err)} (its leases expire on their own)\n`);
    return undefined;
  }
}

export { EXIT_FAILED };
