// Search-page parsing: the engine's simdjson On-Demand parser (search_page_parse.cc,
// linked against the core library) against JSON.parse, on the same simulator pages.
//
// The addon exposes no parse function, so the C++ side is a small executable. It is
// taken from the CMake build when the gh_ingest_parse_bench target exists there, else
// compiled by this script with the system compiler against build/libgh_ingest_core.a.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { loadClusters, searchQueries } from '../../../js/config/clusters.js';
import { BENCH_DIR, ROOT } from '../lib/paths.js';
import { startSimulatorProcess } from '../lib/simulator.js';

const BINARY = 'gh_ingest_parse_bench';
const SOURCE = path.join(BENCH_DIR, 'search_page_parse.cc');

async function savePages(file, { pagesPerQuery, log }) {
  const sim = await startSimulatorProcess({ tokens: 1, repos: 60_000, 'core-limit': 1e9, 'search-limit': 1e9 });
  try {
    const config = loadClusters();
    const pages = [];
    for (const name of Object.keys(config.clusters)) {
      for (const query of searchQueries(config, name)) {
        for (let page = 1; page <= pagesPerQuery; page++) {
          const url = `${sim.url}/search/repositories?q=${encodeURIComponent(query)}&per_page=100&page=${page}`;
          const response = await fetch(url, { headers: { authorization: `token ${sim.tokens[0]}` } });
          const bytes = Buffer.from(await response.arrayBuffer());
          if (response.status === 200 && JSON.parse(bytes).items.length === 100) pages.push(bytes);
        }
      }
    }
    fs.writeFileSync(file, Buffer.concat(pages.flatMap((bytes) => [Buffer.from(`${bytes.length}\n`), bytes])));
    log?.(`saved ${pages.length} search pages of 100 repositories (${(pages.reduce((n, b) => n + b.length, 0) / 1e6).toFixed(1)} MB)`);
    return pages;
  } finally {
    await sim.close();
  }
}

function jsonParseThroughput(pages, minSeconds) {
  const texts = pages.map((bytes) => bytes.toString('utf8'));
  const bytes = pages.reduce((n, b) => n + b.length, 0);
  let items = 0;
  for (const text of texts) items += JSON.parse(text).items.length;  // warm-up
  const start = performance.now();
  let rounds = 0;
  let seconds = 0;
  do {
    for (const text of texts) items += JSON.parse(text).items.length;
    rounds++;
    seconds = (performance.now() - start) / 1000;
  } while (seconds < minSeconds);
  return { pages: pages.length, bytes, rounds, seconds, mbPerS: (bytes * rounds) / seconds / 1e6 };
}

function findOrBuildBinary(scratch) {
  for (const dir of ['build', path.join('build', 'Release'), path.join('build', 'bench'), path.join('build', 'tests')]) {
    const candidate = path.join(ROOT, dir, BINARY);
    if (fs.existsSync(candidate)) return { binary: candidate, origin: `CMake target (${path.join(dir, BINARY)})` };
  }
  const core = path.join(ROOT, 'build', 'libgh_ingest_core.a');
  if (!fs.existsSync(core)) return { binary: null, origin: 'no build/libgh_ingest_core.a: run npm run build' };
  const binary = path.join(scratch, BINARY);
  const cxx = process.env.CXX || 'c++';
  try {
    execFileSync(cxx, ['-O3', '-DNDEBUG', '-std=c++17', '-DSIMDJSON_EXCEPTIONS=0', '-I', path.join(ROOT, 'addon'),
      SOURCE, core, '-lsimdjson', '-lcurl', '-pthread', '-o', binary], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { binary, origin: `compiled by the bench (${cxx} -O3, build/libgh_ingest_core.a)` };
  } catch (err) {
    return { binary: null, origin: `could not compile ${path.relative(ROOT, SOURCE)}: ${String(err.stderr ?? err.message).split('\n')[0]}` };
  }
}

export async function parseSection({ scratch, quick, log }) {
  const file = path.join(scratch, 'search-pages.bin');
  const pages = await savePages(file, { pagesPerQuery: quick ? 1 : 3, log });
  const minSeconds = quick ? 0.3 : 2;
  const js = jsonParseThroughput(pages, minSeconds);
  const { binary, origin } = findOrBuildBinary(scratch);
  let simdjson = null;
  let error = null;
  if (binary) {
    try {
      const out = execFileSync(binary, [file, String(minSeconds)], { encoding: 'utf8' });
      const r = JSON.parse(out.trim().split('\n').pop());
      simdjson = { pages: r.pages, bytes: r.bytes, rounds: r.rounds, seconds: r.seconds, mbPerS: r.mb_per_s };
    } catch (err) {
      error = String(err.stderr ?? err.message).split('\n')[0];
    }
  }
  return {
    pages: pages.length,
    megabytes: pages.reduce((n, b) => n + b.length, 0) / 1e6,
    jsonParse: js,
    simdjson,
    simdjsonOrigin: origin,
    simdjsonError: error ?? (binary ? null : origin),
    ratio: simdjson ? simdjson.mbPerS / js.mbPerS : null,
  };
}
