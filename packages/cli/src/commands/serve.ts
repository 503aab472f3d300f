/**
 * `callerid serve`: the authenticator server (@callerid/server) in the foreground, or, with
 * `--print-webhook-kubeconfig`, the kubeconfig kube-apiserver needs to call it. Loaded only for this
 * command: nothing here is on `callerid token`'s path.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, createServer, loadConfig, webhookKubeconfig, type ServerConfig } from '@callerid/server';
import { UsageError } from '../args.js';
import { commandArgs, errorCode, stopSignal } from '../command-args.js';
import { EXIT } from '../exit-codes.js';
import { writeStderr, writeStdout } from '../output.js';

const COMMAND = 'serve';

/** Runs `callerid serve` with the arguments after the command name; resolves once stopped. */
export async function run(args: string[]): Promise<number> {
  const parsed = commandArgs(COMMAND, args, {
    config: { type: 'string' },
    listen: { type: 'string' },
    'sts-endpoint': { type: 'string' },
    'log-level': { type: 'string' },
    'print-webhook-kubeconfig': { type: 'boolean' },
    'server-url': { type: 'string' },
    ca: { type: 'string' },
  }, 0);
  if (!parsed) return EXIT.ok;
  const { values } = parsed;
  const file = values.config ?? (process.env.CALLERID_CONFIG || undefined);
  if (file === undefined) throw new UsageError('--config is required', COMMAND);
  const printing = values['print-webhook-kubeconfig'] === true;
  if (!printing && (values['server-url'] !== undefined || values.ca !== undefined)) {
    throw new UsageError('--server-url and --ca go with --print-webhook-kubeconfig', COMMAND);
  }

  let config: ServerConfig;
  try {
    config = loadConfig(file, {
      listen: values.listen ?? (process.env.CALLERID_LISTEN || undefined),
      stsEndpoint: values['sts-endpoint'] ?? (process.env.CALLERID_STS_ENDPOINT || undefined),
      logLevel: values['log-level'],
    });
  } catch (error) {
    return configFailure(error);
  }
  return printing ? printKubeconfig(config, values['server-url'], values.ca) : serve(config);
}

async function serve(config: ServerConfig): Promise<number> {
  let server;
  try {
    server = await createServer(config);
    await server.listen();
  } catch (error) {
    if (server) await server.close();
    if (error instanceof ConfigError) return configFailure(error);
    writeStderr(`callerid serve: cannot start (${errorCode(error)})\n`);
    return EXIT.failed;
  }
  const reload = () => server.reload();
  process.on('SIGHUP', reload);
  await stopSignal();
  process.off('SIGHUP', reload);
  // close() cuts connections still busy after shutdownTimeoutMs; this is the backstop for anything else.
  const backstop = setTimeout(() => process.exit(EXIT.failed), config.shutdownTimeoutMs + 5_000);
  backstop.unref();
  await server.close();
  // Anything still open now (an STS call of a request that was cut) must not hold the exit.
  setTimeout(() => process.exit(EXIT.ok), 500).unref();
  return EXIT.ok;
}

function printKubeconfig(config: ServerConfig, serverUrl: string | undefined, caFile: string | undefined): number {
  const ca = caFile ?? config.tls?.cert;
  if (ca === undefined) throw new UsageError('--print-webhook-kubeconfig needs tls in the configuration, or --ca', COMMAND);
  const { host, port } = config.listen;
  const dialled = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  let pem: Buffer;
  try {
    pem = readFileSync(ca);
  } catch (error) {
    writeStderr(`callerid serve: cannot read the CA certificate (${String((error as NodeJS.ErrnoException).code ?? 'error')})\n`);
    return EXIT.failed;
  }
  try {
    writeStdout(webhookKubeconfig({ server: serverUrl ?? `https://${dialled}:${port}/authenticate`, certificateAuthority: pem }));
  } catch (error) {
    throw new UsageError(error instanceof TypeError ? error.message : 'cannot write the kubeconfig', COMMAND);
  }
  return EXIT.ok;
}

function configFailure(error: unknown): number {
  if (!(error instanceof ConfigError)) throw error;
  writeStderr(`callerid serve: ${error.message}\n`);
  return EXIT.usage;
}
