/** What the tests that run the real kubectl need: finding it, and a loopback HTTPS certificate it trusts. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const works = (command: string) => spawnSync(command, ['version', '--client'], { stdio: 'ignore' }).status === 0;

/** The kubectl on this machine, or `undefined` (CI installs Debian's kubernetes-client when it is missing). */
export const KUBECTL: string | undefined = ['/usr/bin/kubectl', '/usr/local/bin/kubectl', 'kubectl'].find(works);

/** An EC key and a certificate for `127.0.0.1`, valid one day, that is its own CA; written into `dir`. */
export function selfSignedCertificate(dir: string): { key: string; cert: string } {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const result = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', '/CN=callerid-test', '-addext', 'subjectAltName=IP:127.0.0.1', '-addext', 'basicConstraints=critical,CA:TRUE',
  ], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl could not create a test certificate (is openssl installed?): ${result.stderr || String(result.error)}`);
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}
