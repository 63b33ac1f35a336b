// Loaded with `node --require` into every process the benchmark measures (tapctl and its floors alike): at exit
// it writes the process's own CPU time and peak memory to TAPCTL_BENCH_PROBE, and, for commands that call AWS,
// the CPU time spent up to the first HTTP request. CommonJS and tiny, so it adds the same ~nothing to every side.
'use strict';
const file = process.env.TAPCTL_BENCH_PROBE;
if (file) {
  const { writeFileSync } = require('node:fs');
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let firstRequestCpuMs;
  // The SDK's requests go through node:http(s); this channel fires as each one is sent.
  require('node:diagnostics_channel').subscribe('http.client.request.start', function first() {
    firstRequestCpuMs ??= cpuMs();
  });
  process.on('exit', (code) => {
    const report = { code, cpuMs: cpuMs(), maxRssMiB: process.resourceUsage().maxRSS / 1024, firstRequestCpuMs };
    writeFileSync(file, JSON.stringify(report));
  });
}
