// The processes the bench started (simulators, pipelines), so that an interrupted bench
// stops exactly those and leaves nothing running.
const running = new Set();

export function track(child) {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Sends SIGTERM to every process the bench started that is still running. */
export function stopAll() {
  for (const child of running) child.kill('SIGTERM');
}
