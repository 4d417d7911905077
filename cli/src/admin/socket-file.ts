import { connect } from 'node:net';

/** Resolves true when something accepts connections on the Unix socket at `path`. */
export function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    // ENOENT (no centre), ECONNREFUSED (a file left by a crash), ENOTSOCK, EACCES: nobody to ask.
    s.once('error', () => resolve(false));
  });
}
