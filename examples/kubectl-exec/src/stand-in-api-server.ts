/**
 * A loopback HTTPS stand-in for an EKS API server, enough for `kubectl auth whoami` and
 * `callerid doctor --server`: it authenticates the bearer token as EKS does — verified with
 * @callerid/core against an STS (sts-local here), then the IAM principal mapped to a Kubernetes user,
 * aws-auth style — and answers `POST /apis/authentication.k8s.io/v1/selfsubjectreviews` with the
 * user. An unmapped principal gets 401 Unauthorized, as on EKS. Its certificate is a throwaway one
 * from `openssl`, which the kubeconfig trusts via `certificate-authority-data`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createAuthenticator, isCallerIdError, type MappingEntry } from '@callerid/core';

/** What the stand-in needs. */
export interface StandInApiServerOptions {
  /** The cluster name: the audience tokens must be minted for. */
  audience: string;
  /** The STS to verify tokens with (sts-local's URL). */
  stsEndpoint: string;
  /** aws-auth style mapping (mapUsers / mapRoles); principals it does not map are refused. */
  map: MappingEntry[];
  /** A directory for the throwaway key and certificate. */
  dir: string;
}

/** A running stand-in. */
export interface StandInApiServer {
  /** `https://127.0.0.1:<port>`. */
  url: string;
  /** The CA (its own certificate), base64 PEM, as a kubeconfig's `certificate-authority-data`. */
  caData: string;
  /** The same certificate as a PEM file. */
  caFile: string;
  close(): Promise<void>;
}

const SELF_SUBJECT_REVIEWS = '/apis/authentication.k8s.io/v1/selfsubjectreviews';

/** Starts the stand-in on a free loopback port. */
export async function startStandInApiServer(options: StandInApiServerOptions): Promise<StandInApiServer> {
  const { key, cert, certFile } = selfSignedCertificate(options.dir);
  const auth = createAuthenticator({ audience: options.audience, stsEndpoint: options.stsEndpoint, map: options.map });
  const server: Server = createServer({ key, cert }, (req, res) => {
    auth.authenticate(req.rawHeaders).then(
      (caller) => {
        if (!caller?.username) return status(res, 401, 'Unauthorized');
        if (req.method !== 'POST' || req.url !== SELF_SUBJECT_REVIEWS) return status(res, 404, 'NotFound');
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({
          kind: 'SelfSubjectReview',
          apiVersion: 'authentication.k8s.io/v1',
          metadata: { creationTimestamp: null },
          status: { userInfo: { username: caller.username, uid: caller.userId, groups: caller.groups, extra: { arn: [caller.arn] } } },
        }));
      },
      (err: unknown) => status(res, isCallerIdError(err) ? err.status : 500, isCallerIdError(err) && err.status === 401 ? 'Unauthorized' : 'InternalError'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    caData: Buffer.from(cert).toString('base64'),
    caFile: certFile,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await auth.close();
    },
  };
}

/** A Kubernetes `Status` failure, as the API server sends it. */
function status(res: ServerResponse, code: number, reason: string): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: reason, reason, code }));
}

/** An EC key and a certificate for 127.0.0.1, valid one day, that is its own CA; written into `dir`. */
function selfSignedCertificate(dir: string): { key: string; cert: string; certFile: string } {
  const keyFile = join(dir, 'api-server-key.pem');
  const certFile = join(dir, 'api-server-cert.pem');
  const result = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile,
    '-days', '1', '-subj', '/CN=callerid-stand-in', '-addext', 'subjectAltName=IP:127.0.0.1', '-addext', 'basicConstraints=critical,CA:TRUE',
  ], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl could not create the stand-in's certificate (is openssl installed?): ${result.stderr || String(result.error)}`);
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}
