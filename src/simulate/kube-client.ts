/**
 * A small Kubernetes API client over HTTPS (bearer token, the simulation's CA): discovery, get,
 * list, server-side apply, create and status patches. Enough for the simulated Argo CD, the
 * simulated provisioner and the checks; everything else is the real API server's behaviour.
 */
import { request, Agent } from 'node:https';

/** A Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    uid?: string;
    generation?: number;
    creationTimestamp?: string;
    ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

/** An API error: the server's Status message and HTTP code. */
export class KubeError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

interface ResourceInfo {
  readonly plural: string;
  readonly namespaced: boolean;
}

export interface KubeClientOptions {
  /** `https://127.0.0.1:<port>`. */
  readonly server: string;
  readonly token: string;
  /** PEM of the CA that signed the API server certificate. */
  readonly ca: string;
}

/** Field manager of every apply, as Argo CD's server-side apply uses. */
export const FIELD_MANAGER = 'argocd-controller';

export class KubeClient {
  private readonly agent: Agent;
  private readonly resources = new Map<string, ResourceInfo>();

  constructor(private readonly opts: KubeClientOptions) {
    this.agent = new Agent({ ca: opts.ca, keepAlive: true, maxSockets: 8 });
  }

  /** One HTTP request; JSON in and out. Throws KubeError on a non-2xx answer. */
  async request<T = KubeObject>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const url = new URL(path, this.opts.server);
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            authorization: `Bearer ${this.opts.token}`,
            accept: 'application/json',
            ...(payload !== undefined ? { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) } : {}),
          },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const code = res.statusCode ?? 0;
            if (code >= 200 && code < 300) {
              // /readyz and friends answer plain text.
              const json = (res.headers['content-type'] ?? '').includes('json');
              resolve((json && text ? JSON.parse(text) : text ? { text } : {}) as T);
              return;
            }
            let message = text;
            try {
              message = (JSON.parse(text) as { message?: string }).message ?? text;
            } catch {
              // not a Status object: keep the raw text
            }
            reject(new KubeError(code, message));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** Forgets discovery (after CRDs were installed). */
  resetDiscovery(): void {
    this.resources.clear();
  }

  private async resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const key = `${apiVersion}/${kind}`;
    const known = this.resources.get(key);
    if (known) return known;
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let list: { resources: { name: string; kind: string; namespaced: boolean }[] };
    try {
      list = await this.request(`GET`, base);
    } catch (e) {
      if (e instanceof KubeError && e.code === 404) throw new KubeError(404, `no matches for kind "${kind}" in version "${apiVersion}" (the cluster has no such API: is its CRD installed?)`);
      throw e;
    }
    for (const r of list.resources) {
      if (!r.name.includes('/')) this.resources.set(`${apiVersion}/${r.kind}`, { plural: r.name, namespaced: r.namespaced });
    }
    const found = this.resources.get(key);
    if (!found) throw new KubeError(404, `no matches for kind "${kind}" in version "${apiVersion}" (the cluster has no such API: is its CRD installed?)`);
    return found;
  }

  /** Whether a kind is namespaced (discovery). */
  async isNamespaced(apiVersion: string, kind: string): Promise<boolean> {
    return (await this.resource(apiVersion, kind)).namespaced;
  }

  /** Collection path of a kind (namespaced kinds: in `namespace`, or across all when undefined). */
  async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    const info = await this.resource(apiVersion, kind);
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return info.namespaced && namespace !== undefined ? `${base}/namespaces/${namespace}/${info.plural}` : `${base}/${info.plural}`;
  }

  async objectPath(obj: Pick<KubeObject, 'apiVersion' | 'kind'> & { metadata: { name: string; namespace?: string } }): Promise<string> {
    return `${await this.collectionPath(obj.apiVersion, obj.kind, obj.metadata.namespace)}/${encodeURIComponent(obj.metadata.name)}`;
  }

  /** Server-side apply, forced, with Argo CD's field manager. */
  async apply(obj: KubeObject): Promise<KubeObject> {
    const path = `${await this.objectPath(obj)}?fieldManager=${FIELD_MANAGER}&force=true`;
    return this.request('PATCH', path, obj, 'application/apply-patch+yaml');
  }

  async create(obj: KubeObject): Promise<KubeObject> {
    return this.request('POST', await this.collectionPath(obj.apiVersion, obj.kind, obj.metadata.namespace), obj);
  }

  /** The object, or undefined when it does not exist. */
  async get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubeObject | undefined> {
    try {
      return await this.request('GET', await this.objectPath({ apiVersion, kind, metadata: { name, namespace } }));
    } catch (e) {
      if (e instanceof KubeError && e.code === 404) return undefined;
      throw e;
    }
  }

  async list(apiVersion: string, kind: string, namespace?: string, query = ''): Promise<KubeObject[]> {
    const path = await this.collectionPath(apiVersion, kind, namespace);
    const res = await this.request<{ items: KubeObject[] }>('GET', `${path}${query ? `?${query}` : ''}`);
    return res.items.map((item) => ({ ...item, apiVersion, kind }));
  }

  async delete(obj: KubeObject, propagation: 'Foreground' | 'Background' = 'Background'): Promise<void> {
    try {
      await this.request('DELETE', await this.objectPath(obj), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: propagation });
    } catch (e) {
      if (!(e instanceof KubeError && e.code === 404)) throw e;
    }
  }

  /** Merge-patches the status subresource. */
  async patchStatus(obj: KubeObject, status: Record<string, unknown>): Promise<KubeObject> {
    return this.request('PATCH', `${await this.objectPath(obj)}/status`, { status }, 'application/merge-patch+json');
  }

  /** Merge-patches the object. */
  async patch(obj: KubeObject, patch: Record<string, unknown>): Promise<KubeObject> {
    return this.request('PATCH', await this.objectPath(obj), patch, 'application/merge-patch+json');
  }

  close(): void {
    this.agent.destroy();
  }
}
