#!/usr/bin/env node
// An empty embedded database with the schema, made once per bench (in its own process,
// so that PGlite's initdb stays out of the parent); every run gets a copy of it.
//
//   node test/bench/lib/make-template.js DB_DIR
import { openSink } from '../../../js/storage/index.js';

const sink = await openSink({}, { dbDir: process.argv[2] });
await sink.check();
await sink.ensureSchema();
await sink.close();
