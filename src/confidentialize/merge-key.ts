import type { JsonObject } from './json';
import { pointer } from './paths';
import { reportValue } from './report-values';
import type { PodContext } from './rules';

/** Sets one key of a mapping; a different existing value is refused unless forced. */
export function mergeKey(ctx: PodContext, map: JsonObject, mapPath: string, key: string, value: string, what: string): void {
  const path = `${mapPath}${pointer(key)}`;
  const existing = map[key];
  if (existing === value) {
    ctx.change(path, `${what} already ${reportValue(key, value)}`);
    return;
  }
  if (existing !== undefined) {
    if (!ctx.force) {
      ctx.problem(path, `${reportValue(key, value)} or nothing (--force replaces it)`, reportValue(key, existing));
      return;
    }
    ctx.warn(path, `replaced ${what} ${reportValue(key, existing)} with ${reportValue(key, value)}`);
  } else {
    ctx.change(path, `set ${what} ${reportValue(key, value)}`);
  }
  map[key] = value;
}
