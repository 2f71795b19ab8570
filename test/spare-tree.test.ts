// A render stages into the tree the previous render replaced (build/render-spare/): the result must
// be exactly what a render into an empty staging folder makes.
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { hashTree, makeTempRepo, readEnvFile, runSynth } from './support/repo';

/** Every folder below `dir`, relative, sorted (hashTree lists files only; empty folders count too). */
function folders(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) {
        out.push(relative(dir, full));
        walk(full);
      }
    }
  };
  walk(dir);
  return out.sort();
}

/** The files (by hash) and folders of dist/ and charts/, as paths relative to the repository. */
function tree(dir: string): { files: Record<string, string>; folders: string[] } {
  const outputs = ['dist', 'charts'];
  return {
    files: Object.fromEntries(outputs.flatMap((o) => Object.entries(hashTree(join(dir, o))).map(([f, h]) => [`${o}/${f}`, h]))),
    folders: outputs.flatMap((o) => folders(join(dir, o)).map((f) => `${o}/${f}`)),
  };
}

function synthOk(dir: string, args: string[] = []): void {
  const r = runSynth(dir, args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

describe('rendering into the previous output tree', () => {
  it('gives the same files and folders as a fresh render, after changes and a removed environment', () => {
    const edited = readEnvFile('azure-tdx').replace('targetRevision: v0.1.0', 'targetRevision: v0.2.0');
    expect(edited).not.toBe(readEnvFile('azure-tdx'));
    const reused = makeTempRepo();
    synthOk(reused);
    expect(existsSync(join(reused, 'build/render-spare'))).toBe(false);
    // Changes: one environment's files differ, one environment and all its folders are gone.
    writeFileSync(join(reused, 'config/environments/azure-tdx.yaml'), edited);
    rmSync(join(reused, 'config/environments/bare-metal.yaml'));
    synthOk(reused);
    expect(readdirSync(join(reused, 'build/render-spare')).sort()).toEqual(['charts', 'dist']);
    synthOk(reused); // and once more with nothing changed, from the spare of the previous render

    const fresh = makeTempRepo({ 'config/environments/azure-tdx.yaml': edited });
    rmSync(join(fresh, 'config/environments/bare-metal.yaml'));
    synthOk(fresh);
    const expected = tree(fresh);
    expect(expected.folders).toContain('dist/azure-tdx/kbs');
    expect(expected.folders.some((f) => f.startsWith('dist/bare-metal'))).toBe(false);
    expect(tree(reused)).toEqual(expected);
  });

  it('a partial render leaves dist/ as it was and still matches a fresh render', () => {
    const dir = makeTempRepo();
    synthOk(dir);
    synthOk(dir, ['coco-dev']);
    const fresh = makeTempRepo();
    synthOk(fresh);
    expect(tree(dir)).toEqual(tree(fresh));
  });
});
