/**
 * The KBS configuration file, in the format of exactly one Trustee release. The TOML layout changes
 * in nearly every release, so this renderer names the release it was written against and refuses
 * any other: bumping VERSIONS.trustee fails the synth until this file has been reviewed against
 * kbs/docs/config.md and kbs/src/config.rs at the new tag.
 *
 * Facts from confidential-containers/trustee at v0.21.0 (where the docs and the code disagree, the
 * code wins and the note says so):
 * - `[http_server] sockets` defaults to 127.0.0.1:8080, unreachable through a Service.
 * - `[admin]` defaults to InsecureAllowAll when omitted (kbs/src/admin/mod.rs), so it is always
 *   rendered. The mode key is `authorization_mode` (some doc examples still say `type`).
 * - Without `[storage_backend]` all state lives in memory. LocalFs `dir_path` is a base folder:
 *   KBS adds the namespaces `repository`, `kbs`, `attestation_service_policy`, ... below it.
 * - The resource plugin key is `storage_backend_type` (the doc table says `type`).
 * - The token signer key must be an EC P-256 key (ear_token/broker.rs; the doc still says RSA).
 * - Without a signer, tokens carry an ephemeral key in their header that KBS can only accept with
 *   `insecure_header_jwk = true`, which lets anyone mint tokens: dev only.
 * @see https://github.com/confidential-containers/trustee/blob/v0.21.0/kbs/docs/config.md
 */
import { VERSIONS } from '../../shared/versions';

/** The Trustee release whose config format this file renders. */
export const KBS_CONFIG_FORMAT = 'v0.21.0';

export interface KbsAdminAuth {
  /** Path of the Ed25519 public key (PEM) admin tokens are verified with. */
  readonly publicKeyPath: string;
  /** Required `iss` of admin tokens. */
  readonly issuer: string;
  /** Required `aud` of admin tokens. */
  readonly audience: string;
  /** One ACL entry per role: least privilege, each token can do one job. */
  readonly roles: readonly KbsAdminRole[];
}

export interface KbsAdminRole {
  /** `role` claim granted `allowedEndpoints`. */
  readonly role: string;
  /** Regex of admin request paths the role may call; KBS requires it anchored (`^/kbs...$`). */
  readonly allowedEndpoints: string;
}

export interface KbsTokenSigner {
  /** EC P-256 private key (PEM) the built-in attestation service signs tokens with. */
  readonly keyPath: string;
  /** Certificate chain (PEM) of that key, embedded in tokens as x5c. */
  readonly certChainPath: string;
  /** Root certificate (PEM) KBS verifies the chain against. */
  readonly caPath: string;
}

export interface KbsTls {
  readonly certificatePath: string;
  readonly privateKeyPath: string;
}

export interface KbsTomlInput {
  /** Port KBS listens on, on all addresses. */
  readonly port: number;
  /** HTTPS certificate and key; undefined: plain HTTP (`insecure_http = true`). */
  readonly tls?: KbsTls;
  readonly admin: KbsAdminAuth;
  /** Signing material of attestation tokens; undefined: ephemeral key, `insecure_header_jwk` (dev). */
  readonly tokenSigner?: KbsTokenSigner;
  /** LocalFs storage base folder (on the persistent volume). */
  readonly storageDir: string;
  /** Where the file comes from, for its header comment. */
  readonly source: string;
}

type TomlScalar = string | number | boolean;
type TomlValue = TomlScalar | readonly TomlScalar[] | readonly Readonly<Record<string, TomlScalar>>[];

function scalar(v: TomlScalar): string {
  if (typeof v === 'string') return JSON.stringify(v).replace(/\u007f/g, '\\u007f');
  if (typeof v === 'number' && !Number.isInteger(v)) throw new Error(`TOML renderer: only integers are rendered, got ${v}`);
  return String(v);
}

function value(v: TomlValue): string {
  if (!Array.isArray(v)) return scalar(v as TomlScalar);
  const items = (v as readonly (TomlScalar | Readonly<Record<string, TomlScalar>>)[]).map((item) =>
    typeof item === 'object' ? `{ ${Object.entries(item).map(([k, x]) => `${k} = ${scalar(x)}`).join(', ')} }` : scalar(item),
  );
  return `[${items.join(', ')}]`;
}

/** One `[table]` (or `[[array-table]]`) with a why-comment and its keys in order. */
interface Table {
  readonly header: string;
  readonly comment?: string;
  readonly entries: readonly (readonly [string, TomlValue])[];
}

function table(t: Table): string {
  const lines = [...(t.comment ? t.comment.split('\n').map((c) => `# ${c}`) : []), t.header, ...t.entries.map(([k, v]) => `${k} = ${value(v)}`)];
  return lines.join('\n');
}

/** Renders `kbs-config.toml`; throws when VERSIONS.trustee is not the release this renderer knows. */
export function renderKbsConfigToml(input: KbsTomlInput, release: string = VERSIONS.trustee): string {
  if (release !== KBS_CONFIG_FORMAT) {
    throw new Error(
      `src/k8s/kbs/kbs-config-toml.ts renders the Trustee ${KBS_CONFIG_FORMAT} config format, but VERSIONS.trustee is ${release}: review kbs/docs/config.md at ${release} and update the renderer`,
    );
  }
  const tables: Table[] = [
    {
      header: '[http_server]',
      comment: 'All addresses: the default 127.0.0.1:8080 is unreachable through the Service.',
      entries: [
        ['sockets', [`0.0.0.0:${input.port}`]],
        ['insecure_http', input.tls === undefined],
        ...(input.tls ? ([['private_key', input.tls.privateKeyPath], ['certificate', input.tls.certificatePath]] as const) : []),
      ],
    },
    {
      header: '[admin]',
      comment: 'Always rendered: without [admin], KBS allows every admin request.',
      entries: [['authorization_mode', 'AuthenticatedAuthorization']],
    },
    {
      header: '[admin.authentication.bearer_jwt]',
      entries: [['identity_providers', [{ public_key_uri: input.admin.publicKeyPath, issuer: input.admin.issuer, audience: input.admin.audience }]]],
    },
    {
      header: '[admin.authorization.regex_acl]',
      comment: 'One role per job: a token that uploads resources cannot change the policies that release them.',
      entries: [['acls', input.admin.roles.map((r) => ({ role: r.role, allowed_endpoints: r.allowedEndpoints }))]],
    },
    input.tokenSigner
      ? {
          header: '[attestation_token]',
          comment: 'Tokens must carry a certificate chain up to this root (x5c).',
          entries: [
            ['trusted_certs_paths', [input.tokenSigner.caPath]],
            ['insecure_header_jwk', false],
          ],
        }
      : {
          header: '[attestation_token]',
          comment: 'DEV ONLY: no token signer, so KBS trusts the key in each token header: anyone can mint tokens.',
          entries: [['insecure_header_jwk', true]],
        },
    { header: '[attestation_service]', entries: [['type', 'coco_as_builtin']] },
    { header: '[attestation_service.attestation_token_broker]', entries: [['duration_min', 5]] },
    ...(input.tokenSigner
      ? [
          {
            header: '[attestation_service.attestation_token_broker.signer]',
            entries: [
              ['key_path', input.tokenSigner.keyPath],
              ['cert_path', input.tokenSigner.certChainPath],
            ] as const,
          },
        ]
      : []),
    { header: '[attestation_service.rvps_config]', entries: [['type', 'BuiltIn']] },
    {
      header: '[storage_backend]',
      comment: 'Everything KBS keeps (resources, policies, reference values, sessions) on the persistent volume.',
      entries: [['storage_type', 'LocalFs']],
    },
    {
      header: '[storage_backend.backends.local_fs]',
      comment: 'A base folder: KBS adds repository/, kbs/, ... below it.',
      entries: [['dir_path', input.storageDir]],
    },
    {
      header: '[[plugins]]',
      entries: [
        ['name', 'resource'],
        ['storage_backend_type', 'kvstorage'],
      ],
    },
  ];
  const head = `# Trustee KBS ${KBS_CONFIG_FORMAT} configuration (kbs/docs/config.md at tag ${KBS_CONFIG_FORMAT}).\n# Generated from ${input.source}: do not edit.`;
  return `${head}\n\n${tables.map(table).join('\n\n')}\n`;
}
