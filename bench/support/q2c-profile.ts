/**
 * A CPU profile of the current thread over just the timed part of a benchmark (not its set-up),
 * written as a `.cpuprofile` that Chrome DevTools and `speedscope` open. Used by q2c for the engine
 * thread and the sandbox thread when `BENCH_CPU_PROF=<dir>` is set.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

/** A running profile; `stop` writes it to `<dir>/<name>.cpuprofile`. */
export interface ThreadProfile {
  stop(dir: string, name: string): Promise<string>;
}

/** Starts profiling this thread. */
export async function startThreadProfile(): Promise<ThreadProfile> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  // 200 µs sampling: fine enough for sub-millisecond request handlers, light enough to not skew them.
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return {
    async stop(dir, name) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      const file = path.join(dir, `${name}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      return file;
    },
  };
}
