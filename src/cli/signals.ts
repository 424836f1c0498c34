/**
 * How long-running commands wait to be stopped.
 */

/** Resolves on the first SIGINT or SIGTERM; the handlers replace Node's default "exit at once". */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const done = (s: NodeJS.Signals) => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve(s);
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
