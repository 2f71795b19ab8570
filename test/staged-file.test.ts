import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StagedFiles } from '../src/render/staged-file';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'staged-file-'));
  mkdirSync(join(dir, 'current'));
  mkdirSync(join(dir, 'staging'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const current = (name: string): string => join(dir, 'current', name);
const staged = (name: string): string => join(dir, 'staging', name);

describe('StagedFiles.write', () => {
  it('links the current file when its bytes are the same', () => {
    writeFileSync(current('a.yaml'), 'kind: A\n');
    new StagedFiles().write(staged('a.yaml'), current('a.yaml'), 'kind: A\n');
    expect(statSync(staged('a.yaml')).ino).toBe(statSync(current('a.yaml')).ino);
  });

  it('writes a new file when the content differs, leaving the current one as it was', () => {
    writeFileSync(current('a.yaml'), 'kind: A\n');
    new StagedFiles().write(staged('a.yaml'), current('a.yaml'), 'kind: B\n');
    expect(statSync(staged('a.yaml')).ino).not.toBe(statSync(current('a.yaml')).ino);
    expect(readFileSync(staged('a.yaml'), 'utf8')).toBe('kind: B\n');
    expect(readFileSync(current('a.yaml'), 'utf8')).toBe('kind: A\n');
  });

  it('writes a new file when there is no current one', () => {
    new StagedFiles().write(staged('new.yaml'), current('new.yaml'), 'kind: N\n');
    expect(readFileSync(staged('new.yaml'), 'utf8')).toBe('kind: N\n');
  });

  it('never links a symlink: the staged file is a regular file with the text', () => {
    writeFileSync(join(dir, 'elsewhere.yaml'), 'kind: A\n');
    symlinkSync(join(dir, 'elsewhere.yaml'), current('a.yaml'));
    new StagedFiles().write(staged('a.yaml'), current('a.yaml'), 'kind: A\n');
    const s = statSync(staged('a.yaml'));
    expect(s.isFile() && s.nlink).toBe(1);
    expect(readFileSync(staged('a.yaml'), 'utf8')).toBe('kind: A\n');
  });

  it('replaces what a spare tree left at the target: an old version, a stale link, a folder', () => {
    writeFileSync(current('a.yaml'), 'kind: A\n');
    writeFileSync(staged('a.yaml'), 'kind: old\n');
    writeFileSync(staged('b.yaml'), 'kind: old\n');
    mkdirSync(staged('c.yaml'));
    const files = new StagedFiles();
    files.write(staged('a.yaml'), current('a.yaml'), 'kind: A\n');
    files.write(staged('b.yaml'), current('b.yaml'), 'kind: B\n');
    files.write(staged('c.yaml'), current('c.yaml'), 'kind: C\n');
    expect(statSync(staged('a.yaml')).ino).toBe(statSync(current('a.yaml')).ino);
    expect(['b.yaml', 'c.yaml'].map((f) => readFileSync(staged(f), 'utf8'))).toEqual(['kind: B\n', 'kind: C\n']);
  });
});

describe('StagedFiles.prune', () => {
  it('removes what was not written, keeps what was and the folders made, even empty ones', () => {
    for (const d of ['kept', 'stale/deep', 'made']) mkdirSync(staged(d), { recursive: true });
    for (const f of ['kept/old.yaml', 'kept/new.yaml', 'stale/deep/x.yaml', 'top.yaml']) writeFileSync(staged(f), 'x\n');
    const files = new StagedFiles();
    files.ensureDir(staged('kept'));
    files.ensureDir(staged('made'));
    files.write(staged('kept/new.yaml'), current('new.yaml'), 'new\n');
    files.prune(join(dir, 'staging'));
    expect(readdirSync(join(dir, 'staging')).sort()).toEqual(['kept', 'made']);
    expect(readdirSync(staged('kept'))).toEqual(['new.yaml']);
    expect(readdirSync(staged('made'))).toEqual([]);
    expect(existsSync(staged('stale'))).toBe(false);
  });

  it('ensureDir replaces a file that stands where a folder is wanted', () => {
    writeFileSync(staged('x'), 'file\n');
    new StagedFiles().ensureDir(staged('x'));
    expect(statSync(staged('x')).isDirectory()).toBe(true);
  });
});
