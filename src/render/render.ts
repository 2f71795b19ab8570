/**
 * `npm run synth`: build the Terraform and Kubernetes objects of every environment into a staging
 * folder, validate all of it, then swap `dist/`, `charts/` and `cdktf.out/` (or the selected
 * environments' folders in them) in at once.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from '../shared/yaml11';
import type { LoadedEnvironment } from '../config/load';
import { buildManifests, DIST_PATH, type RenderedFolder } from '../k8s/bundle';
import { hasInfrastructure } from '../infra/has-infrastructure';
import { synthTerraformInBackground, type PendingTerraform } from '../infra/terraform-in-background';
import type { K8sObject, Problem } from '../shared/k8s-object';
import { checkTargets, makeStaging, removeStaging, swapIn, type Swap } from './atomic';
import { StagedFiles } from './staged-file';
import { keepSpare, takeSpare } from './spare-tree';
import { validateSchemas } from './schema-validator';
import { validateSemantics } from './semantic-rules';
import { scanForSecrets } from './secret-scan';
import { buildChart, type ChartInput } from './helm-chart';
import { postureReport } from './posture';
import { versionsJson } from './environment-versions';
import { COMPONENTS } from '../shared/components';
import { UserInputError, type InputProblem } from '../config/errors';
import type { ImageLock } from '../shared/image-ref';
import { readImageLock } from '../images/lock-file';
import { requireDigestsProblems } from '../images/require-digests';
import { FLEET_FOLDER, loadFleet, type LoadedFleet } from '../config/load-fleet';
import { buildFleet } from '../k8s/fleet';

export const TERRAFORM_OUT = 'cdktf.out';
export const CHARTS_PATH = 'charts';

/** Checks one environment's objects; returns problems (empty when valid). */
export type BundleValidator = (env: LoadedEnvironment, objects: readonly K8sObject[]) => Problem[];

/** Schema of the pinned Kubernetes release and the Argo CD and ServiceMonitor CRDs, then the API server's cross-field rules. */
export const defaultValidator: BundleValidator = (env, objects) => [
  ...validateSchemas(objects),
  ...validateSemantics(objects, { externalNamespaces: [env.config.gitops.argocdNamespace] }),
];

export interface RenderOptions {
  /** Repository root: `dist/`, `charts/` and `cdktf.out/` are written below it. */
  readonly root: string;
  /**
   * Every environment of the repository. `charts/` is always built from all of them (a chart covers
   * every environment that renders its component), so it never depends on which were named.
   */
  readonly environments: readonly LoadedEnvironment[];
  /**
   * Names of the environments whose `dist/<env>/` and Terraform stack are replaced; the others'
   * stay as they are. @default every environment, and then the folders of removed ones go too
   */
  readonly only?: readonly string[];
  /** Render and validate everything in staging, then replace nothing. @default false */
  readonly dryRun?: boolean;
  /** Files (path relative to `root` → content) replaced together with the folders. @default none */
  readonly files?: Readonly<Record<string, string>>;
  /** @default defaultValidator */
  readonly validate?: BundleValidator;
  /** Digests images are rendered with. @default config/images.lock.yaml below `root` (none when it is missing) */
  readonly imageLock?: ImageLock;
  /** Clusters rendered into `dist/fleet/`. @default config/fleet.yaml below `root` (no `dist/fleet/` when it is missing) */
  readonly fleet?: LoadedFleet;
}

/** Thrown when rendered output breaks a rule; nothing has been replaced. */
export class RenderValidationError extends Error {
  constructor(readonly problems: readonly { environment: string; problem: Problem }[]) {
    super(problems.map(({ environment, problem: p }) => `${environment}: ${p.object}: [${p.rule}] ${p.path || '/'}: ${p.message}`).join('\n'));
    this.name = 'RenderValidationError';
  }
}

export interface RenderSummary {
  readonly files: number;
  readonly stacks: number;
  /** Clusters of the fleet rendered into `dist/fleet/`; 0 without config/fleet.yaml. */
  readonly fleetClusters: number;
}

export function render(opts: RenderOptions): RenderSummary {
  const validate = opts.validate ?? defaultValidator;
  const selected = opts.environments.filter((env) => opts.only === undefined || opts.only.includes(env.name));
  const infra = selected.filter(hasInfrastructure);
  const lock = opts.imageLock ?? readImageLock(opts.root);
  // Loaded before staging: a bad fleet file is bad input and must leave nothing behind.
  const fleet = opts.fleet ?? loadFleet(opts.root, opts.environments);
  const staging = makeStaging(opts.root);
  let terraform: PendingTerraform | undefined;
  try {
    // Whole trees this render replaces start from the ones an earlier render replaced (kept below).
    const recycled = opts.dryRun ? [] : recycledTrees(opts).filter((name) => takeSpare(opts.root, name, join(staging, name)));
    const staged = new StagedFiles();
    // Before any work: a target that cannot be replaced (a file named dist) fails now, not at the swap.
    const swaps = plannedSwaps(opts, staging, selected, infra, fleet !== undefined);
    checkTargets(opts.root, swaps);
    // The stacks are synthesized on a worker thread meanwhile (waited for below).
    const tfStaging = join(staging, TERRAFORM_OUT);
    if (infra.length > 0) terraform = synthTerraformInBackground(infra, tfStaging);
    const distStaging = join(staging, DIST_PATH);
    const problems: { environment: string; problem: Problem }[] = [];
    let files = 0;
    const rendered = new Map<string, RenderedFolder[]>();
    const unpinned: InputProblem[] = [];
    for (const env of opts.environments) {
      const folders = buildManifests(env, lock);
      rendered.set(env.name, folders);
      unpinned.push(...requireDigestsProblems(opts.root, env, folders.flatMap((f) => f.objects)));
      // Every environment is validated: the charts carry the objects of all of them.
      problems.push(...validate(env, folders.flatMap((f) => f.objects)).map((problem) => ({ environment: env.name, problem })));
      if (!selected.includes(env)) continue;
      const current = join(opts.root, DIST_PATH, env.name);
      files += writeFolders(staged, join(distStaging, env.name), current, env, folders);
      staged.write(join(distStaging, env.name, 'POSTURE.md'), join(current, 'POSTURE.md'), postureReport(env, folders));
      staged.write(join(distStaging, env.name, 'versions.json'), join(current, 'versions.json'), versionsJson(env.config));
    }
    // Bad input (exit 2), not a rendering bug: reported before any validation problem.
    if (unpinned.length > 0) throw new UserInputError(unpinned);
    if (fleet) {
      const objects = buildFleet(fleet);
      problems.push(...validateFleet(fleet, objects).map((problem) => ({ environment: FLEET_FOLDER, problem })));
      files += writeFleet(staged, join(distStaging, FLEET_FOLDER), join(opts.root, DIST_PATH, FLEET_FOLDER), fleet, objects);
    }
    writeCharts(staged, opts.root, join(staging, CHARTS_PATH), rendered);
    for (const name of recycled) staged.prune(join(staging, name));
    for (const [file, text] of Object.entries(opts.files ?? {})) {
      mkdirSync(dirname(join(staging, file)), { recursive: true });
      writeFileSync(join(staging, file), text);
    }
    terraform?.wait();
    for (const finding of scanForSecrets(staging)) {
      problems.push({ environment: finding.file.split('/')[1] ?? '', problem: { object: finding.file, rule: 'secret-material', path: `line ${finding.line}`, message: finding.message } });
    }
    if (problems.length > 0) throw new RenderValidationError(problems);

    if (!opts.dryRun) {
      for (const { swap, aside } of swapIn(swaps, opts.root, staging)) {
        const name = recycledTrees(opts).find((n) => swap.to === join(opts.root, n));
        if (name && aside) keepSpare(opts.root, name, aside);
      }
    }
    return { files, stacks: infra.length, fleetClusters: fleet?.clusters.length ?? 0 };
  } finally {
    // A render that failed before waiting must not remove the folder the worker still writes to.
    terraform?.settle();
    removeStaging(staging);
  }
}

function plannedSwaps(opts: RenderOptions, staging: string, selected: readonly LoadedEnvironment[], infra: readonly LoadedEnvironment[], hasFleet: boolean): Swap[] {
  const dist = join(opts.root, DIST_PATH);
  const tfOut = join(opts.root, TERRAFORM_OUT);
  mkdirSync(join(staging, CHARTS_PATH), { recursive: true });
  const charts: Swap = { from: join(staging, CHARTS_PATH), to: join(opts.root, CHARTS_PATH) };
  const files = Object.keys(opts.files ?? {}).map((file): Swap => ({ from: join(staging, file), to: join(opts.root, file), kind: 'file' }));
  if (opts.only === undefined) {
    mkdirSync(join(staging, DIST_PATH), { recursive: true });
    mkdirSync(join(staging, TERRAFORM_OUT), { recursive: true });
    return [{ from: join(staging, DIST_PATH), to: dist }, charts, { from: join(staging, TERRAFORM_OUT), to: tfOut }, ...files];
  }
  return [
    ...selected.map((env) => ({ from: join(staging, DIST_PATH, env.name), to: join(dist, env.name) })),
    // The fleet names every environment's revision, so any render replaces it (and a full render
    // without config/fleet.yaml removes it with the rest of dist/).
    ...(hasFleet ? [{ from: join(staging, DIST_PATH, FLEET_FOLDER), to: join(dist, FLEET_FOLDER) }] : []),
    ...infra.map((env) => ({ from: join(staging, TERRAFORM_OUT, 'stacks', env.name), to: join(tfOut, 'stacks', env.name) })),
    charts,
    ...files,
  ];
}

/** The output trees a render replaces whole: charts/ always, dist/ when every environment is rendered. */
function recycledTrees(opts: RenderOptions): string[] {
  return opts.only === undefined ? [DIST_PATH, CHARTS_PATH] : [CHARTS_PATH];
}

/** One chart per component that at least one environment renders. */
function writeCharts(staged: StagedFiles, root: string, chartsDir: string, rendered: ReadonlyMap<string, readonly RenderedFolder[]>): void {
  for (const component of COMPONENTS) {
    const environments = new Map<string, ChartInput[]>();
    for (const [env, folders] of rendered) {
      const inputs = folders
        .filter((f) => f.folder === component.folder || f.folder.startsWith(`${component.folder}/`))
        .flatMap((f) => f.objects.map((object) => ({ subfolder: f.folder.slice(component.folder.length + 1), object })));
      if (inputs.length > 0) environments.set(env, inputs);
    }
    if (environments.size === 0) continue;
    const chart = buildChart({ name: component.folder, description: component.description, environments });
    for (const [file, text] of Object.entries(chart.files)) {
      const target = join(chartsDir, component.folder, file);
      staged.ensureDir(dirname(target));
      staged.write(target, join(root, CHARTS_PATH, component.folder, file), text);
    }
  }
}

/**
 * Writes one file per object, `<folder>/<kind>-<name>.yaml`, below `envDir` (staging), reusing the
 * unchanged files of `currentDir` (the output it replaces); returns the number written.
 */
function writeFolders(staged: StagedFiles, envDir: string, currentDir: string, env: LoadedEnvironment, folders: readonly RenderedFolder[]): number {
  let count = 0;
  for (const { folder, objects } of folders) {
    const dir = join(envDir, folder);
    staged.ensureDir(dir);
    const seen = new Set<string>();
    for (const object of objects) {
      const file = `${object.kind.toLowerCase()}-${object.metadata.name}.yaml`;
      if (seen.has(file)) throw new Error(`two objects render to ${DIST_PATH}/${env.name}/${folder}/${file}: give them distinct names`);
      seen.add(file);
      staged.write(join(dir, file), join(currentDir, folder, file), toYaml(object, env));
      count++;
    }
  }
  return count;
}

/** Deterministic YAML: fixed key order from the constructs, block scalars for multi-line text. */
export function toYaml(object: K8sObject, env: LoadedEnvironment): string {
  return toYamlFrom(object, env.file);
}

/** {@link toYaml} for objects generated from `file` (the fleet's come from config/fleet.yaml). */
export function toYamlFrom(object: K8sObject, file: string): string {
  const header = `# Generated from ${file} by \`npm run synth\`; do not edit.\n`;
  return header + stringify(object, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** The fleet's objects against the same schemas and cross-field rules as every environment's. */
function validateFleet(fleet: LoadedFleet, objects: readonly K8sObject[]): Problem[] {
  return [...validateSchemas(objects), ...validateSemantics(objects, { externalNamespaces: [fleet.argocdNamespace] })];
}

/** `dist/fleet/<kind>-<name>.yaml`, reusing unchanged files of `currentDir`; returns the number written. */
function writeFleet(staged: StagedFiles, dir: string, currentDir: string, fleet: LoadedFleet, objects: readonly K8sObject[]): number {
  staged.ensureDir(dir);
  for (const object of objects) {
    const file = `${object.kind.toLowerCase()}-${object.metadata.name}.yaml`;
    staged.write(join(dir, file), join(currentDir, file), toYamlFrom(object, fleet.file));
  }
  return objects.length;
}
