// Every user error of the synth CLI is one line, exit 2, and changes nothing (the real CLI in temp
// repositories): files on disk, YAML tricks, names across environments (render.test.ts has the rest).
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEnvFile, runSynth } from './support/repo';
import { ONE_LINE, renderedRepo, snapshot, stagingFolders } from './support/render-repo';

describe('every user error is one line, exit 2, and changes nothing (real CLI, temp repo)', () => {
  let repo: string | undefined;
  const rendered = (): string => (repo ??= renderedRepo());
  const envs = (dir: string) => join(dir, 'config/environments');
  const coco = readEnvFile('coco-dev');

  /** How the case breaks the repository, and how to put it back. */
  interface Case {
    readonly arrange: (dir: string) => void;
    readonly restore: (dir: string) => void;
    readonly args?: string[];
    readonly message: RegExp;
  }
  const replaceCoco = (make: (dir: string) => void): Pick<Case, 'arrange' | 'restore'> => ({
    arrange: (dir) => {
      rmSync(join(envs(dir), 'coco-dev.yaml'), { recursive: true, force: true });
      make(dir);
    },
    restore: (dir) => {
      rmSync(join(envs(dir), 'coco-dev.yaml'), { recursive: true, force: true });
      writeFileSync(join(envs(dir), 'coco-dev.yaml'), coco);
    },
  });
  const extraFile = (name: string, text: string): Pick<Case, 'arrange' | 'restore'> => ({
    arrange: (dir) => writeFileSync(join(envs(dir), name), text),
    restore: (dir) => rmSync(join(envs(dir), name), { force: true }),
  });
  /** `path` (dist, cdktf.out) replaced by a plain file: as root, chmod cannot make a folder unwritable, a file in its place can. */
  const fileInsteadOf = (path: string): Pick<Case, 'arrange' | 'restore'> => ({
    arrange: (dir) => {
      renameSync(join(dir, path), join(dir, `${path}.saved`));
      writeFileSync(join(dir, path), 'not a folder\n');
    },
    restore: (dir) => {
      rmSync(join(dir, path), { force: true });
      renameSync(join(dir, `${path}.saved`), join(dir, path));
    },
  });
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefghij'.split('').map((l, i) => `${l}: &${l} [${Array(10).fill(`*${'abcdefghij'[i]}`).join(', ')}]`)].join('\n');

  const cases: Record<string, Case> = {
    'undefined YAML alias': { ...replaceCoco((dir) => writeFileSync(join(envs(dir), 'coco-dev.yaml'), coco.replace('profile: dev', 'profile: *level'))), message: /^error: config\/environments\/coco-dev\.yaml:4:10: -: expected an alias to an anchor defined before it, found undefined alias \*level$/ },
    'alias bomb (billion laughs)': { ...replaceCoco((dir) => writeFileSync(join(envs(dir), 'coco-dev.yaml'), bomb)), message: /coco-dev\.yaml:\d+:\d+: -: expected aliases that expand to a small document .*, found aliases that expand exponentially \(an alias bomb\)$/ },
    'symbolic link loop': { ...replaceCoco((dir) => symlinkSync('coco-dev.yaml', join(envs(dir), 'coco-dev.yaml'))), message: /^error: config\/environments\/coco-dev\.yaml: -: expected a readable environment file, found a loop of symbolic links \(ELOOP\)$/ },
    'dangling symbolic link': { ...replaceCoco((dir) => symlinkSync('moved.yaml', join(envs(dir), 'coco-dev.yaml'))), message: /coco-dev\.yaml: -: expected a readable environment file, found a symbolic link to "moved\.yaml", which does not exist \(ENOENT\)$/ },
    'a folder named x.yaml': { ...replaceCoco((dir) => mkdirSync(join(envs(dir), 'coco-dev.yaml'))), message: /coco-dev\.yaml: -: expected a regular file, found a folder$/ },
    'an unreadable file (a FIFO, unreadable even for root: reading would block)': {
      ...replaceCoco((dir) => spawnSync('mkfifo', [join(envs(dir), 'coco-dev.yaml')])),
      message: /coco-dev\.yaml: -: expected a regular file, found a named pipe \(FIFO\)$/,
    },
    'a file that fails to read (a link to /proc/self/mem: EIO even for root)': { ...replaceCoco((dir) => symlinkSync('/proc/self/mem', join(envs(dir), 'coco-dev.yaml'))), message: /coco-dev\.yaml: -: expected a readable environment file, found an input\/output error \(EIO\)$/ },
    'an unreadable environments folder (a file in its place)': {
      arrange: (dir) => {
        renameSync(envs(dir), `${envs(dir)}.saved`);
        writeFileSync(envs(dir), '');
      },
      restore: (dir) => {
        rmSync(envs(dir));
        renameSync(`${envs(dir)}.saved`, envs(dir));
      },
      message: /^error: config\/environments: -: expected a folder of environment files \(run the command from the repository root\), found a path through something that is not a folder \(ENOTDIR\)$/,
    },
    'a .yml file': { ...extraFile('staging.yml', coco), message: /^error: config\/environments\/staging\.yml: -: expected an environment file named <name>\.yaml \(rename it to staging\.yaml\), found the extension "\.yml"$/ },
    'a region without the VM family': { ...extraFile('eu2.yaml', readEnvFile('azure-tdx').replace(/location: westeurope/, 'location: marsnorth').replace(/rg-coco-azure-tdx/, 'rg-eu2').replace(/kv-coco-azure-tdx/, 'kv-eu2')), message: /eu2\.yaml:\d+:3: \/infrastructure\/location: expected a region that offers Intel TDX .*, found string "marsnorth"$/ },
    'a tag name Azure forbids': { ...extraFile('eu2.yaml', readEnvFile('azure-tdx').replace('    project: confidential-containers', '    "team/a": x').replace(/rg-coco-azure-tdx/, 'rg-eu2').replace(/kv-coco-azure-tdx/, 'kv-eu2')), message: /eu2\.yaml:\d+:5: \/infrastructure\/tags\/team~1a: expected a tag name without any of .*, found string "team\/a"$/ },
    'dist/ is a file (a full render cannot replace it)': { ...fileInsteadOf('dist'), message: /^error: dist: -: expected a folder \(or nothing\) to render into, found a file$/ },
    'dist/ is a file (a partial render cannot write below it)': { ...fileInsteadOf('dist'), args: ['coco-dev'], message: /^error: dist: -: expected a folder \(or nothing\) to render into, found a file$/ },
    'cdktf.out/ is a file': { ...fileInsteadOf('cdktf.out'), args: ['azure-tdx'], message: /^error: cdktf\.out: -: expected a folder \(or nothing\) to render into, found a file$/ },
    'an unknown flag': { arrange: () => undefined, restore: () => undefined, args: ['--force'], message: /^error: command line: -: expected one of the options --list, --validate, --help, found unknown option "--force"$/ },
  };

  it.each(Object.keys(cases))('%s', (name) => {
    const c = cases[name];
    const dir = rendered();
    c.arrange(dir);
    try {
      const before = snapshot(dir);
      const r = runSynth(dir, c.args ?? []);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toEqual([expect.stringMatching(c.message)]);
      expect(lines[0]).toMatch(ONE_LINE);
      expect(r.stdout).toBe('');
      expect(r.code).toBe(2);
      expect(snapshot(dir)).toEqual(before);
      expect(stagingFolders(dir)).toEqual([]);
    } finally {
      c.restore(dir);
    }
  });

  it('a copied environment file: the Key Vault and resource group clash, naming both files', () => {
    const dir = rendered();
    const before = snapshot(dir);
    writeFileSync(join(envs(dir), 'azure-tdx-2.yaml'), readEnvFile('azure-tdx'));
    try {
      const r = runSynth(dir, ['azure-tdx-2']);
      expect(r.code).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toEqual([
        expect.stringMatching(/^error: config\/environments\/azure-tdx-2\.yaml:\d+:5: \/infrastructure\/tdx\/keyVaultName: expected a Key Vault name not already used by config\/environments\/azure-tdx\.yaml:\d+:5 .*, found string "kv-coco-azure-tdx"$/),
        expect.stringMatching(/^error: config\/environments\/azure-tdx-2\.yaml:\d+:3: \/infrastructure\/resourceGroup: expected a resource group name not already used by config\/environments\/azure-tdx\.yaml:\d+:3 .*, found string "rg-coco-azure-tdx"$/),
      ]);
      expect(snapshot(dir)).toEqual(before);
    } finally {
      rmSync(join(envs(dir), 'azure-tdx-2.yaml'));
    }
  });

  it('a staging folder left by a killed render is removed by the next one; a live one is kept', () => {
    const dir = rendered();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    mkdirSync(join(dir, `.render-${dead}-abcdef`, 'dist'), { recursive: true });
    const live = `.render-${process.pid}-ghijkl`;
    mkdirSync(join(dir, live));
    try {
      expect(runSynth(dir, ['coco-dev']).code).toBe(0);
      expect(stagingFolders(dir)).toEqual([live]);
    } finally {
      rmSync(join(dir, live), { recursive: true });
    }
  });
});

