/**
 * `/etc/coco/node.env`: the only per-node input of the node scripts, as shell assignments.
 * Values are single-quoted; config validation keeps quotes and newlines out of them.
 */

export type NodeEnv = Readonly<Record<string, string | number>>;

export function renderNodeEnv(env: NodeEnv): string {
  const lines = Object.entries(env).map(([key, raw]) => {
    const value = String(raw);
    if (!/^[A-Z][A-Z0-9_]*$/.test(key)) throw new Error(`bad node.env key ${key}`);
    if (/['\n]/.test(value)) throw new Error(`node.env value for ${key} contains a quote or newline`);
    return `${key}='${value}'`;
  });
  return `# Rendered by coco-azure-gitops (src/infra/cloud-init/node-env.ts); read by the coco-* scripts.\n${lines.join('\n')}\n`;
}

/** Seconds in a config duration such as `30m` or `2h` (the schema allows nothing else). */
export function durationSeconds(text: string): number {
  const m = /^([0-9]+)([mh])$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * (m[2] === 'h' ? 3600 : 60);
}
