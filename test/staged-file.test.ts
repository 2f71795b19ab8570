import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeStagedFile } from '../src/render/staged-file';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'staged-file-'));
  mkdirSync(join(dir, 'current'));
  mkdirSync(join(dir, 'staging'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const current = (name: string): string => join(dir, 'current', name);
const staged = (name: string): string => join(dir, 'staging', name);

describe('writeStagedFile', () => {
  it('links the current file when its bytes are the same', () => {
    writeFileSync(current('a.yaml'), 'kind: A\n');
    writeStagedFile(staged('a.yaml'), current('a.yaml'), 'kind: A\n');
    expect(statSync(staged('a.yaml')).ino).toBe(statSync(current('a.yaml')).ino);
  });

  it('writes a new file when the content differs, leaving the current one as it was', () => {
    writeFileSync(current('a.yaml'), 'kind: A\n');
    writeStagedFile(staged('a.yaml'), current('a.yaml'), 'kind: B\n');
    expect(statSync(staged('a.yaml')).ino).not.toBe(statSync(current('a.yaml')).ino);
    expect(readFileSync(staged('a.yaml'), 'utf8')).toBe('kind: B\n');
    expect(readFileSync(current('a.yaml'), 'utf8')).toBe('kind: A\n');
  });

  it('writes a new file when there is no current one', () => {
    writeStagedFile(staged('new.yaml'), current('new.yaml'), 'kind: N\n');
    expect(readFileSync(staged('new.yaml'), 'utf8')).toBe('kind: N\n');
  });

  it('never links a symlink: the staged file is a regular file with the text', () => {
    writeFileSync(join(dir, 'elsewhere.yaml'), 'kind: A\n');
    symlinkSync(join(dir, 'elsewhere.yaml'), current('a.yaml'));
    writeStagedFile(staged('a.yaml'), current('a.yaml'), 'kind: A\n');
    const s = statSync(staged('a.yaml'));
    expect(s.isFile() && s.nlink).toBe(1);
    expect(readFileSync(staged('a.yaml'), 'utf8')).toBe('kind: A\n');
  });
});
