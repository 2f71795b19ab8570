/**
 * Admission webhooks that the simulation itself answers, for charts whose webhook server is a
 * stand-in (the peer-pods webhook): an HTTPS server on 127.0.0.1 with the control plane's own
 * serving certificate (its SAN is 127.0.0.1, its CA the control plane's), which the API server
 * calls through a `clientConfig.url` (kwok pods have no network behind a Service). Each handler
 * gets the AdmissionReview request and answers with a JSON patch (or none).
 * @see https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#request
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { certificateFiles } from './certificates';

/** One JSON patch operation (RFC 6902). */
export interface JsonPatchOp {
  readonly op: 'add' | 'replace' | 'remove';
  readonly path: string;
  readonly value?: unknown;
}

/** The `request` of an AdmissionReview (admission.k8s.io/v1). */
export interface AdmissionRequest {
  readonly uid: string;
  readonly operation: string;
  readonly object?: Record<string, unknown>;
}

export type AdmissionHandler = (request: AdmissionRequest) => readonly JsonPatchOp[];

export class AdmissionServer {
  private readonly handlers = new Map<string, AdmissionHandler>();
  private server: Server | undefined;
  private port = 0;
  /** Base64 PEM of the CA the API server checks the server certificate against (`clientConfig.caBundle`). */
  readonly caBundle: string;
  /** Errors of handlers, for the report (the API server sees a 500). */
  readonly errors: string[] = [];

  constructor(private readonly controlPlaneDir: string) {
    this.caBundle = readFileSync(certificateFiles(controlPlaneDir).caCert).toString('base64');
  }

  async start(): Promise<void> {
    const files = certificateFiles(this.controlPlaneDir);
    const server = createServer({ cert: readFileSync(files.servingCert), key: readFileSync(files.servingKey) }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const handler = this.handlers.get(new URL(req.url ?? '/', 'https://127.0.0.1').pathname);
        try {
          if (!handler) throw new Error(`no admission handler for ${req.url ?? ''}`);
          const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { apiVersion: string; request: AdmissionRequest };
          const patch = handler(review.request);
          const response = { uid: review.request.uid, allowed: true, ...(patch.length > 0 ? { patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') } : {}) };
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ apiVersion: review.apiVersion, kind: 'AdmissionReview', response }));
        } catch (e) {
          this.errors.push(e instanceof Error ? e.message : String(e));
          res.writeHead(500);
          res.end();
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Answers requests on `path` with `handler`; returns the URL for the webhook's clientConfig. */
  register(path: string, handler: AdmissionHandler): string {
    if (!this.server) throw new Error('admission server not started');
    this.handlers.set(path, handler);
    return `https://127.0.0.1:${this.port}${path}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
