// Preloaded with `node --require` into a measured process. At exit it appends its peak
// RSS (KiB) and the CPU time it used since it started (ms) to BENCH_STATS_FILE.
process.on('exit', () => {
  const { maxRSS, userCPUTime, systemCPUTime } = process.resourceUsage();
  require('node:fs').appendFileSync(process.env.BENCH_STATS_FILE, `${maxRSS} ${(userCPUTime + systemCPUTime) / 1000}\n`);
});
