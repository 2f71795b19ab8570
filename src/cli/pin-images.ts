/**
 * `npm run pin-images [-- --registry-config <file>] [--check]`: resolves every image tag the
 * environments render (their containers and the upstream chart values the bundle sets) to the
 * digest its registry serves now, and writes config/images.lock.yaml, which `npm run synth` renders
 * from. The only command that reaches registries; see docs/images.md.
 */
import { parseArgs, type CommandSpec } from './args';
import { exitOnUserError, loadAllOrExit, printProblems } from './load-or-exit';
import { readDockerConfig } from '../images/docker-config';
import { IMAGE_LOCK_FILE, readImageLock, writeImageLock } from '../images/lock-file';
import { describeChange, imagesToPin, lockChanges, resolveImages } from '../images/pin-images';

const SPEC: CommandSpec = {
  usage: 'npm run pin-images --',
  summary: [
    `Resolves each repository:tag that any environment renders to its digest through the registry's`,
    `OCI distribution API (anonymously, or with the credentials of a Docker config.json) and replaces`,
    `${IMAGE_LOCK_FILE} with exactly those digests. Nothing is written unless every image resolved.`,
  ].join('\n'),
  positionals: { usage: '', help: 'none: the images are those of every environment file', max: 0 },
  options: [
    { name: '--registry-config', value: '<config.json>', help: 'Docker client config whose "auths" hold registry credentials (default: anonymous)' },
    { name: '--check', help: `compare ${IMAGE_LOCK_FILE} with the registries and list missing, stale and unused entries; write nothing` },
  ],
  exitCodes: [
    `0  ${IMAGE_LOCK_FILE} written (with --check: it matches the registries)`,
    '1  with --check: the lock differs from what the registries serve',
    '2  bad input, or a registry that could not resolve an image (unreachable, unknown tag, refused credentials); nothing written',
  ],
};

async function main(): Promise<void> {
  const root = process.cwd();
  const started = process.hrtime.bigint();
  const { check, credentials, current } = exitOnUserError(() => {
    const args = parseArgs(SPEC, process.argv.slice(2));
    const config = args.values.get('--registry-config');
    return { check: args.flags.has('--check'), credentials: config !== undefined ? readDockerConfig(config) : undefined, current: readImageLock(root) };
  });
  const wanted = imagesToPin(loadAllOrExit(root));
  if (wanted.problems.length > 0) {
    printProblems(wanted.problems);
    process.exit(2);
  }
  const { lock, problems } = await resolveImages(wanted.refs, { credentials });
  if (!lock) {
    printProblems(problems);
    process.stderr.write(`error: ${IMAGE_LOCK_FILE} left unchanged\n`);
    process.exit(2);
  }
  const changes = lockChanges(current, lock);
  const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
  if (check) {
    for (const c of changes) process.stdout.write(`${describeChange(c, 'check')}\n`);
    process.stdout.write(changes.length === 0 ? `${IMAGE_LOCK_FILE} is up to date: ${lock.size} images (${ms} ms)\n` : `${IMAGE_LOCK_FILE} differs in ${changes.length} entries: run npm run pin-images\n`);
    process.exit(changes.length === 0 ? 0 : 1);
  }
  exitOnUserError(() => writeImageLock(root, lock));
  for (const c of changes) process.stdout.write(`${describeChange(c, 'write')}\n`);
  process.stdout.write(`pinned ${lock.size} images in ${IMAGE_LOCK_FILE} (${changes.length} changed) in ${ms} ms\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
