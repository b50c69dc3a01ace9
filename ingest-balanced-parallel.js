#!/usr/bin/env node
// Entry point kept at the root so the documented command works as written; the
// command lives in js/cli/ingest.js.
import command from './js/cli/ingest.js';
import { runCommand } from './js/cli/run.js';

await runCommand(command);
