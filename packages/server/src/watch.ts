/**
 * Watching files the server reloads (the mapping, the TLS key pair). `fs.watchFile` polls `stat`, which
 * follows symlinks: it sees a Kubernetes ConfigMap or Secret volume update (an atomic symlink swap)
 * that inotify-based watching of the old inode would miss.
 */
import { unwatchFile, watchFile, type Stats } from 'node:fs';

/** Calls `onChange` when any of `paths` changes (content, size, inode); returns the function that stops watching. */
export function watchFiles(paths: readonly string[], intervalMs: number, onChange: () => void): () => void {
  const listener = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs !== previous.mtimeMs || current.size !== previous.size || current.ino !== previous.ino) onChange();
  };
  for (const path of paths) watchFile(path, { interval: intervalMs, persistent: false }, listener);
  return () => {
    for (const path of paths) unwatchFile(path, listener);
  };
}
