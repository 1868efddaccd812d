let t = performance.now();
for (const what of process.argv.slice(2)) {
  await import(what);
  const now = performance.now();
  console.log(what.padEnd(40), (now - t).toFixed(1), 'ms', (process.memoryUsage().rss/1048576).toFixed(1), 'MB');
  t = now;
}
