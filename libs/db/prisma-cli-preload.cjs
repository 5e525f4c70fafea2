// Preloaded into the Prisma CLI (node -r). Its wasm schema engine arms a 10 s timer (the
// migration advisory-lock timeout) and never clears it, so every migrate command lingered 10 s
// after finishing. Unref'd long timers still fire while real work is pending, but no longer
// keep a finished process alive.
const originalSetTimeout = global.setTimeout;
global.setTimeout = function setTimeoutUnrefLong(fn, ms, ...args) {
  const timer = originalSetTimeout(fn, ms, ...args);
  if (typeof ms === 'number' && ms >= 5000 && typeof timer.unref === 'function') timer.unref();
  return timer;
};
