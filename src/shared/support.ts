/**
 * How long each release line of the node software is supported upstream, and the lowest patch of
 * each line that carries the fixes for the CVEs we know of. Data, reviewed as one change with
 * versions.ts; the config rules (src/config/rules/versions.ts) refuse, in production, what is past
 * support or below a floor on SUPPORT_REVIEWED_ON, and POSTURE.md lists the end dates.
 *
 * Rendering never reads the clock (same input, same bytes): support is judged on the review date
 * below. `npm run synth` warns on stderr when that date is older than REVIEW_WARN_DAYS, so a stale
 * table shows up without changing any output.
 */

/** The date this table was last checked against the upstream pages named below. */
export const SUPPORT_REVIEWED_ON = '2026-12-01';

/** After this many days without a review, `npm run synth` prints a warning (output unchanged). */
export const REVIEW_WARN_DAYS = 90;

/** Components whose version an environment file sets. */
export type VersionedComponent = 'kubernetes' | 'aks' | 'containerd' | 'runc' | 'cilium';

/**
 * Components whose version the code pins (src/shared/versions.ts), not the environment file:
 * judged on the same review date, shown in POSTURE.md and versions.json, never gated per
 * environment (a bump is a reviewed code change).
 */
export type PinnedComponent = 'certManager' | 'peerpods';

/** One release line (`1.36`, `2.3`) of a component. */
export interface ReleaseLine {
  /** `major.minor`. */
  readonly line: string;
  /**
   * Last day of upstream support, `YYYY-MM-DD` (or `YYYY-MM` where upstream names only the month),
   * or `undefined` where upstream has announced no date yet (see `note`).
   */
  readonly supportEnd?: string;
  /** Lowest patch release of the line with every fix for the known CVEs in `cves`. */
  readonly minimumPatch?: string;
  /** CVEs fixed from `minimumPatch` on. */
  readonly cves?: readonly string[];
  /** What decides the end when no date is announced, or other facts a reviewer needs. */
  readonly note?: string;
}

export interface ComponentSupport {
  /** The upstream page the dates and floors come from. */
  readonly source: string;
  /** Lines known here, newest first. A line not listed is refused in production as unknown. */
  readonly lines: readonly ReleaseLine[];
}

/** The runc container-escape CVEs of 2025-11 (fixed in 1.2.8, 1.3.3 and 1.4.0). */
const RUNC_2025_CVES = ['CVE-2025-31133', 'CVE-2025-52565', 'CVE-2025-52881'];
const CILIUM_WINDOW = 'supported while among the three newest minors';

export const SUPPORT: Readonly<Record<VersionedComponent, ComponentSupport>> = {
  kubernetes: {
    source: 'https://kubernetes.io/releases/ (release pages 1.35-1.37)',
    lines: [
      { line: '1.37', supportEnd: '2027-10-28' },
      { line: '1.36', supportEnd: '2027-06-28' },
      { line: '1.35', supportEnd: '2027-02-28' },
      { line: '1.34', supportEnd: '2026-10-27' },
      { line: '1.33', supportEnd: '2026-06-28' },
      { line: '1.32', supportEnd: '2026-02-28' },
      { line: '1.31', supportEnd: '2025-10-28' },
    ],
  },
  aks: {
    source: 'https://learn.microsoft.com/azure/aks/supported-kubernetes-versions (AKS release calendar, 2026-07)',
    lines: [
      { line: '1.36', note: 'GA and LTS; AKS announces the end date in its release calendar' },
      { line: '1.35', note: 'GA' },
      { line: '1.34', note: 'GA' },
      { line: '1.33', supportEnd: '2026-06-30', note: 'LTS only (Premium tier) after its community end of life' },
    ],
  },
  containerd: {
    source: 'https://github.com/containerd/containerd/blob/main/RELEASES.md (support horizon)',
    lines: [
      { line: '2.3', supportEnd: '2028-04', note: 'LTS' },
      { line: '2.2', note: 'supported until about six months after 2.3; no date announced' },
      { line: '2.1', note: 'decrypts on the node from 2.1.7 only' },
      { line: '2.0', supportEnd: '2025-11', note: 'cannot decrypt images on the node' },
      {
        line: '1.7',
        supportEnd: '2026-09',
        note: 'extended support ended; 1.7.30 lacks the 2026 CVE fixes',
        cves: ['CVE-2026-35469', 'CVE-2026-46680', 'CVE-2026-53488', 'CVE-2026-47262', 'CVE-2026-34986'],
      },
    ],
  },
  runc: {
    source: 'https://github.com/opencontainers/runc/blob/main/RELEASES.md and the runc security advisories',
    lines: [
      { line: '1.5', note: 'current' },
      { line: '1.4', minimumPatch: '1.4.0', cves: RUNC_2025_CVES, note: 'maintained while 1.5 is current' },
      { line: '1.3', minimumPatch: '1.3.3', cves: RUNC_2025_CVES, note: 'maintained while 1.5 is current' },
      { line: '1.2', supportEnd: '2026-04', minimumPatch: '1.2.8', cves: RUNC_2025_CVES, note: 'unsupported since 1.5' },
    ],
  },
  cilium: {
    source: 'https://docs.cilium.io/en/stable/contributing/release/org/ (the three newest minor releases are supported)',
    lines: [
      { line: '1.20', note: CILIUM_WINDOW },
      { line: '1.19', note: CILIUM_WINDOW },
      { line: '1.18', note: `${CILIUM_WINDOW} (ends with 1.21)` },
      { line: '1.17', supportEnd: '2026-07' },
      { line: '1.16', supportEnd: '2026-01' },
    ],
  },
};

const CERT_MANAGER_WINDOW = 'supported while among the two newest minor releases; fixes land on the newest patch only';

/** Support of the releases the code pins (PinnedComponent). */
export const PINNED_SUPPORT: Readonly<Record<PinnedComponent, ComponentSupport>> = {
  certManager: {
    // Module proxy (github.com/cert-manager/cert-manager): v1.20.0 2026-03-10, v1.21.0 2026-07-08,
    // v1.21.2 2026-09-10, no v1.22.0 on 2026-12-01. A minor leaves support when the next-but-one
    // is released: 1.19 ended with 1.21.0, 1.20 ends with 1.22.0 (not yet released).
    source: 'https://cert-manager.io/docs/releases/ (the two newest minor releases are supported)',
    lines: [
      { line: '1.21', note: `${CERT_MANAGER_WINDOW} (until 1.23.0 is released)` },
      { line: '1.20', note: `${CERT_MANAGER_WINDOW} (ends when 1.22.0 is released)` },
      { line: '1.19', supportEnd: '2026-07-08', note: 'ended with the release of 1.21.0' },
    ],
  },
  peerpods: {
    // Chart 0.4.0 = CAA v0.22.0 (2026-07-27); 0.3.x = v0.21.x (2026-05). Upstream publishes no
    // support window or backport policy: fixes land on main and in the next release.
    source: 'https://github.com/confidential-containers/cloud-api-adaptor/releases (no published support window)',
    lines: [
      { line: '0.4', note: 'newest release (CAA v0.22.0); upstream announces no support window, fixes ship in the next release' },
      { line: '0.3', note: 'CAA v0.21.x; superseded by 0.4 (no backports announced)' },
    ],
  },
};

function supportTable(component: VersionedComponent | PinnedComponent): ComponentSupport {
  return component in SUPPORT ? SUPPORT[component as VersionedComponent] : PINNED_SUPPORT[component as PinnedComponent];
}

/** `major.minor` of a version such as `v1.36.5` or `1.36`. */
export function releaseLine(version: string): string {
  return version.replace(/^v/, '').split('.').slice(0, 2).join('.');
}

/** Numeric comparison of dotted versions (`1.4.10` > `1.4.9`); missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split('.').map(Number);
  const pb = b.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** What is wrong with running `version` of `component` on `on` (a `YYYY-MM-DD` date); none when fine. */
export interface SupportProblem {
  readonly expected: string;
  readonly line?: ReleaseLine;
}

/** The support problem of one version, judged on date `on`, or undefined when supported and patched. */
export function supportProblem(component: VersionedComponent | PinnedComponent, version: string, on: string = SUPPORT_REVIEWED_ON): SupportProblem | undefined {
  const table = supportTable(component);
  const wanted = releaseLine(version);
  const line = table.lines.find((l) => l.line === wanted);
  const supported = table.lines.filter((l) => l.supportEnd === undefined || l.supportEnd >= on).map((l) => l.line);
  if (line === undefined) return { expected: `a ${component} release line known to src/shared/support.ts (supported on ${on}: ${supported.join(', ')})` };
  if (line.supportEnd !== undefined && line.supportEnd < on) {
    return { line, expected: `a ${component} release inside upstream support on ${on} (${supported.join(', ')}); ${line.line} ended ${line.supportEnd}` };
  }
  const patchGiven = version.replace(/^v/, '').split('.').length >= 3;
  if (line.minimumPatch !== undefined && patchGiven && compareVersions(version, line.minimumPatch) < 0) {
    return { line, expected: `${component} ${line.minimumPatch} or later in the ${line.line} line (fixes ${(line.cves ?? []).join(', ')})` };
  }
  return undefined;
}

/** Human text of a line's support end for the posture report. */
export function supportEndText(component: VersionedComponent | PinnedComponent, version: string): string {
  const line = supportTable(component).lines.find((l) => l.line === releaseLine(version));
  if (line === undefined) return 'unknown release line';
  const end = line.supportEnd ? `supported until ${line.supportEnd}` : 'no end date announced';
  return line.note ? `${end} (${line.note})` : end;
}

/**
 * The warning `npm run synth` prints on stderr when this table was reviewed more than
 * REVIEW_WARN_DAYS before `today` (`YYYY-MM-DD`); output is never affected.
 */
export function staleReviewWarning(today: string): string | undefined {
  const days = Math.floor((Date.parse(today) - Date.parse(SUPPORT_REVIEWED_ON)) / 86_400_000);
  if (!(days > REVIEW_WARN_DAYS)) return undefined;
  return `warning: src/shared/support.ts was reviewed on ${SUPPORT_REVIEWED_ON}, ${days} days ago: check the support windows and CVE floors against upstream (support is judged on that date, not today)`;
}
