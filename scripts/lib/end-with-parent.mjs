// Loaded first by a child that runPassingSignals started (the agent with `--import`, the re-exec'd setup script
// by import): when the process that started it dies without passing a signal on (a SIGKILL, a crash), the IPC
// channel it left open closes, and this process stops itself with SIGTERM, through its own shutdown, instead of
// running on as an orphan holding its ports.
if (process.channel) {
  // The channel must not keep a finished process alive: it only watches for the parent's end.
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
