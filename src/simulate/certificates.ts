/**
 * Key material of one simulated control plane, made with the real openssl into its work folder:
 * a CA, the API server's serving certificate for 127.0.0.1, and the service-account key pair.
 * Throwaway: the folder is removed with the control plane.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binary } from './binaries';

export interface ControlPlaneCertificates {
  readonly caCert: string;
  readonly caKey: string;
  readonly servingCert: string;
  readonly servingKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
}

/** Paths of the files in a control plane's folder `dir`. */
export function certificateFiles(dir: string): ControlPlaneCertificates {
  return {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    servingCert: join(dir, 'apiserver.crt'),
    servingKey: join(dir, 'apiserver.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPub: join(dir, 'sa.pub'),
  };
}

/** Writes the files into `dir` and returns their paths. */
export function makeCertificates(dir: string): ControlPlaneCertificates {
  const openssl = binary('openssl');
  const run = (args: string[]) => execFileSync(openssl, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const files = certificateFiles(dir);
  // EC P-256 keys: generated in milliseconds, accepted by every component.
  run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=simulate-ca', '-keyout', files.caKey, '-out', files.caCert]);
  writeFileSync(join(dir, 'apiserver.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n');
  run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=kube-apiserver', '-keyout', files.servingKey, '-out', join(dir, 'apiserver.csr')]);
  run(['x509', '-req', '-in', join(dir, 'apiserver.csr'), '-CA', files.caCert, '-CAkey', files.caKey, '-CAcreateserial', '-days', '2', '-extfile', join(dir, 'apiserver.ext'), '-out', files.servingCert]);
  run(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', files.serviceAccountKey]);
  run(['ec', '-in', files.serviceAccountKey, '-pubout', '-out', files.serviceAccountPub]);
  return files;
}
