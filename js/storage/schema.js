// The schema file (schema.sql), read once: the SQL sinks run it, Supabase users paste it.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const SCHEMA_PATH = fileURLToPath(new URL('./schema.sql', import.meta.url));

let cached;

/** The text of schema.sql. */
export function schemaSql() {
  cached ??= readFile(SCHEMA_PATH, 'utf8');
  return cached;
}

/** The tables schema.sql creates, which every sink expects. */
export const TABLES = Object.freeze(['repositories', 'runs', 'repository_etags', 'pending', 'pending_searches']);

/** Columns added to tables after they were first created ("table.column"). */
export const ADDED_COLUMNS = Object.freeze(['repositories.node_id']);

/** The functions schema.sql creates, as listed in messages. */
export const FUNCTIONS = Object.freeze([
  'repository_cluster_counts()', 'repository_add_clusters(jsonb)',
  'pending_save(jsonb,jsonb,jsonb)', 'pending_load(jsonb)', 'pending_counts()',
]);
