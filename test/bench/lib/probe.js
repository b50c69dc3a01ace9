// Preloaded into every measured pipeline (`node --import=<this file> ...`): when the
// process exits, it writes its own CPU time (every thread: getrusage RUSAGE_SELF), peak
// RSS and uptime as JSON to the file named by GH_BENCH_PROBE. The pipeline itself is
// left untouched, so the product path is measured as users run it. It also samples the
// V8 heap and the memory held outside it (Buffers, WebAssembly) every 250 ms, to tell
// where RSS went.
import fs from 'node:fs';

const target = process.env.GH_BENCH_PROBE;
if (target) {
  const peaks = { heapUsedMb: 0, externalMb: 0, arrayBuffersMb: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peaks.heapUsedMb = Math.max(peaks.heapUsedMb, m.heapUsed / 2 ** 20);
    peaks.externalMb = Math.max(peaks.externalMb, m.external / 2 ** 20);
    peaks.arrayBuffersMb = Math.max(peaks.arrayBuffersMb, m.arrayBuffers / 2 ** 20);
  };
  setInterval(sample, 250).unref();
  process.once('exit', (code) => {
    sample();
    const cpu = process.cpuUsage();
    const usage = process.resourceUsage();
    fs.writeFileSync(target, JSON.stringify({
      exitCode: code,
      cpuUserS: cpu.user / 1e6,
      cpuSystemS: cpu.system / 1e6,
      cpuS: (cpu.user + cpu.system) / 1e6,
      maxRssMb: usage.maxRSS / 1024,
      uptimeS: process.uptime(),
      peaks,
    }));
  });
}
