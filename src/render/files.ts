import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every regular file below `dir` as sorted paths relative to `dir` (`/`-separated). */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(relative(dir, full));
    }
  };
  walk(dir);
  return out;
}
