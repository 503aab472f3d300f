/**
 * The kubeconfig file kube-apiserver's `--authentication-token-webhook-config-file` reads: the cluster is
 * this server (its `/authenticate` URL and the CA that signed its certificate), the user is the API
 * server itself (no client credentials unless the operator adds them).
 */
import { stringify } from 'yaml';

/** Options for {@link webhookKubeconfig}. */
export interface WebhookKubeconfigOptions {
  /** The URL kube-apiserver dials, e.g. `https://127.0.0.1:21362/authenticate`. Must be https. */
  server: string;
  /** PEM of the CA that signed the server's certificate (for a self-signed certificate: the certificate). */
  certificateAuthority: string | Buffer;
}

/**
 * The webhook kubeconfig as YAML.
 *
 * @example
 * ```ts
 * const yaml = webhookKubeconfig({ server: 'https://127.0.0.1:21362/authenticate', certificateAuthority: readFileSync('tls.crt') });
 * ```
 */
export function webhookKubeconfig(options: WebhookKubeconfigOptions): string {
  let url: URL;
  try {
    url = new URL(options.server);
  } catch {
    throw new TypeError('server must be a URL');
  }
  if (url.protocol !== 'https:') throw new TypeError('server must be https: kube-apiserver requires TLS for token webhooks');
  const pem = Buffer.from(options.certificateAuthority).toString('utf8');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new TypeError('certificateAuthority must be a PEM certificate');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'callerid', cluster: { server: url.href, 'certificate-authority-data': Buffer.from(pem).toString('base64') } }],
    users: [{ name: 'kube-apiserver', user: {} }],
    contexts: [{ name: 'webhook', context: { cluster: 'callerid', user: 'kube-apiserver' } }],
    'current-context': 'webhook',
  });
}
