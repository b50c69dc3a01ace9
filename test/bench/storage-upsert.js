// Upsert strategies of the PostgreSQL sink, measured against a real server:
//
//   npm install --no-save pg-copy-streams   # for the copy strategy (not a dependency)
//   node test/bench/storage-upsert.js [--rows=10000] [--batch=500] [--rounds=3]
//
// Each strategy writes the same rows into a fresh schema in batches (one transaction per
// batch): first as inserts, then again as updates. Prints the median of the rounds.
//   values: one multi-row INSERT ... VALUES ($1, ...), (...) ON CONFLICT per batch
//   json:   one INSERT ... SELECT FROM jsonb_to_recordset($1) ON CONFLICT per batch
//   copy:   COPY into a temporary staging table, then INSERT ... SELECT ... ON CONFLICT
// The sinks use json (js/storage/sql-store.js): as fast as copy, and one path for pg and PGlite.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';

import pg from 'pg';

import { REPOSITORY_COLUMNS, chunks, toRecord } from '../../js/storage/columns.js';
import { schemaSql } from '../../js/storage/schema.js';
import { makeRepositories } from '../support/repositories.js';

const { values: args } = parseArgs({ options: { rows: { type: 'string' }, batch: { type: 'string' }, rounds: { type: 'string' } } });
const ROWS = Number(args.rows ?? 10_000);
const BATCH = Number(args.batch ?? 500);
const ROUNDS = Number(args.rounds ?? 3);
const url = process.env.TEST_DATABASE_URL || 'postgres://gh_ingest:gh_ingest@127.0.0.1:5432/gh_ingest_test';

const names = REPOSITORY_COLUMNS.map((c) => `"${c.name}"`);
const updates = [...names.filter((n) => n !== '"id"'), '"refreshed_at"'].map((n) => `${n} = EXCLUDED.${n}`).join(', ');
const target = `INSERT INTO repositories (${names.join(', ')}, ingested_at, refreshed_at)`;
const onConflict = `ON CONFLICT (id) DO UPDATE SET ${updates}`;

function valuesSql(count) {
  const width = REPOSITORY_COLUMNS.length;
  const tuples = [];
  for (let r = 0; r < count; r += 1) {
    const cells = REPOSITORY_COLUMNS.map((c, k) => `$${r * width + k + 1}::${c.type}`);
    tuples.push(`(${cells.join(', ')}, now(), now())`);
  }
  return `${target} VALUES ${tuples.join(', ')} ${onConflict}`;
}

const jsonSql = `${target} SELECT ${names.join(', ')}, now(), now() FROM jsonb_to_recordset($1::jsonb) AS r(${
  REPOSITORY_COLUMNS.map((c) => `"${c.name}" ${c.type}`).join(', ')}) ${onConflict}`;

function copyText(value, type) {
  if (value === null) return '\\N';
  let text;
  if (type === 'text[]') {
    text = `{${value.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
  } else if (type === 'jsonb') {
    text = JSON.stringify(value);
  } else {
    text = String(value);
  }
  return text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

// Optional: the copy strategy runs only where pg-copy-streams is installed.
const copyFrom = await import('pg-copy-streams').then((m) => m.from, () => null);

const strategies = {
  async values(client, records) {
    const params = [];
    for (const record of records) {
      for (const { name, type } of REPOSITORY_COLUMNS) {
        params.push(type === 'jsonb' && record[name] !== null ? JSON.stringify(record[name]) : record[name]);
      }
    }
    await client.query(valuesSql(records.length), params);
  },
  async json(client, records) {
    await client.query(jsonSql, [JSON.stringify(records)]);
  },
  async copy(client, records) {
    await client.query('CREATE TEMP TABLE IF NOT EXISTS staging (LIKE repositories INCLUDING DEFAULTS) ON COMMIT DELETE ROWS');
    const lines = records.map((record) => `${REPOSITORY_COLUMNS.map((c) => copyText(record[c.name], c.type)).join('\t')}\n`);
    await pipeline(Readable.from(lines), client.query(copyFrom(`COPY staging (${names.join(', ')}) FROM STDIN`)));
    await client.query(`${target} SELECT ${names.join(', ')}, now(), now() FROM staging ${onConflict}`);
  },
};

async function timeOnce(client, strategy, batches) {
  const started = process.hrtime.bigint();
  for (const batch of batches) {
    await client.query('BEGIN');
    await strategies[strategy](client, batch);
    await client.query('COMMIT');
  }
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

const client = new pg.Client({ connectionString: url });
await client.connect();
const schema = `bench_upsert_${process.pid}`;
const batches = chunks(makeRepositories(ROWS).map(toRecord), BATCH);
console.log(`PostgreSQL ${(await client.query('SHOW server_version')).rows[0].server_version}, ${ROWS} rows in batches of ${BATCH}, median of ${ROUNDS}`);
try {
  if (!copyFrom) console.log('copy: skipped (npm install --no-save pg-copy-streams to measure it)');
  for (const strategy of Object.keys(strategies).filter((name) => name !== 'copy' || copyFrom)) {
    const inserts = [];
    const updatesMs = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
      await client.query(await schemaSql());
      inserts.push(await timeOnce(client, strategy, batches));
      updatesMs.push(await timeOnce(client, strategy, batches));
      await client.query('DISCARD TEMP');
    }
    const count = (await client.query('SELECT count(*)::int AS n FROM repositories')).rows[0].n;
    if (count !== ROWS) throw new Error(`${strategy}: ${count} rows stored, expected ${ROWS}`);
    console.log(`${strategy.padEnd(7)} insert ${median(inserts).toFixed(0).padStart(6)} ms   update ${median(updatesMs).toFixed(0).padStart(6)} ms`);
  }
} finally {
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}
