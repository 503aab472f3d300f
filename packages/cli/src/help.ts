/** Usage texts. Kept in one small module so `--help` needs no command code. */

export const TOP_HELP = `callerid — AWS IAM identity tokens from the command line

Usage: callerid <command> [options]

Commands:
  token       Mint a k8s-aws-v1 token (kubectl exec credential plugin; drop-in for aws eks get-token)
  verify      Verify a token against STS and print the caller's identity
  decode      Show what a token holds and which local checks it passes (offline)
  sts-local   Run a local STS for tests and demos

Options:
  -h, --help     Show help (also: callerid <command> --help)
  --version      Show the version

Exit codes: 0 success, 1 rejected or failed, 2 usage error, 3 STS unavailable.`;

export const COMMAND_HELP: Record<string, string> = {
  token: `Usage: callerid token --audience <id> [options]

Mint a presigned STS GetCallerIdentity token (k8s-aws-v1.) bound to an audience.

Options:
  --audience <id>          The audience (EKS: the cluster name). Alias: --cluster-name
  --cluster-name <id>      Same as --audience, as in aws eks get-token
  --region <region>        Signing region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region, us-east-1)
  --global-endpoint        Sign for the global endpoint sts.amazonaws.com instead of the regional one
  --role-arn <arn>         Assume this role first
  --session-name <name>    Role session name (with --role-arn; default callerid)
  --external-id <id>       External id for the role (with --role-arn)
  --profile <name>         AWS profile (default: AWS_PROFILE, then the standard credential chain)
  --format <format>        exec-credential (default), token, or json
  --cache                  Reuse a still-valid token from the on-disk cache (0600 file under
                           $XDG_CACHE_HOME/callerid or ~/.cache/callerid)
  -h, --help               Show this help

ExecCredential apiVersion follows KUBERNETES_EXEC_INFO (v1 or v1beta1; v1beta1 when absent).`,
  verify: `Usage: callerid verify [<token>|-] --audience <id> [options]

Verify a token with STS and print the verified identity. The token is read from stdin when it is
omitted or "-" (prefer stdin: arguments are visible to other users in the process list).

Options:
  --audience <id>          The audience this server accepts (required)
  --sts-endpoint <url>     Send the token to this STS endpoint (env: CALLERID_STS_ENDPOINT)
  --now <iso-time>         Check the token's time as if it were this instant
  --partition <p>          Accept only this partition (repeatable; default: every partition)
  --json                   Print the identity (or {"error":{"code","message"}}) as JSON
  -h, --help               Show this help

Exit codes: 0 verified, 1 rejected, 2 usage error, 3 STS unavailable.`,
  decode: `Usage: callerid decode [<token>|-] [options]

Show what a token holds — host, region, partition, access key id, signed headers, signing time,
expiry, freshness — and every local check it passes or fails. Offline: nothing is sent anywhere.
Never prints the signature or the session token. Reads stdin when the token is omitted or "-".

Options:
  --now <iso-time>         Judge freshness as of this instant
  --json                   Print the report as JSON
  -h, --help               Show this help

Exit codes: 0 every local check passes, 1 a check fails, 2 usage error.`,
  'sts-local': `Usage: callerid sts-local [options]

Run the local STS (@callerid/sts-local) in the foreground. Prints its URL on the first line of stdout;
stops on SIGINT or SIGTERM. For tests and demos only: it holds fake principals.

Options:
  --port <n>               Port to listen on (default 0: any free port)
  --host <address>         Address to listen on (default 127.0.0.1)
  --principals <file>      JSON file of principals (a list, or an object with a "principals" list)
  --now <iso-time>         Run the STS clock from this instant
  --latency <ms>           Delay every answer by this many milliseconds
  -h, --help               Show this help`,
};
