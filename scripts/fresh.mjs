// Whether a dev checkout's dist/ is current: the build writes dist/.stamp last, so dist/ is
// fresh when the stamp is newer than every file under src/ (about 2 ms for ~70 files).
import { existsSync, readdirSync, statSync } from 'node:fs';

/** @param {URL} root the checkout (a directory URL ending in /) */
export function distIsFresh(root) {
  const stamp = new URL('dist/.stamp', root);
  if (!existsSync(stamp)) return false;
  const at = statSync(stamp).mtimeMs;
  for (const e of readdirSync(new URL('src/', root), { recursive: true, withFileTypes: true })) {
    if (e.isFile() && statSync(`${e.parentPath ?? e.path}/${e.name}`).mtimeMs > at) return false;
  }
  return true;
}
