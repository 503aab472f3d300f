/** Usage texts. Kept in one small module so `--help` needs no command code. */

export const TOP_HELP = `callerid — AWS IAM identity tokens from the command line

Usage: callerid <command> [options]

Commands:
  token       Mint a k8s-aws-v1 token (kubectl exec credential plugin; drop-in for
              aws-iam-authenticator token), or an AWS web identity JWT (--type web-identity)
  eks         eks get-token: the AWS CLI's arguments and output, verbatim (kubeconfig: command: callerid)
  kubeconfig  kubeconfig add: write a cluster, user and context that run callerid (offline);
              kubeconfig migrate: switch aws / aws-iam-authenticator exec users to callerid
  doctor      When kubectl says Unauthorized: credentials, identity, token, clock, region, API server
  verify      Verify a token (with STS, or a JWT against its issuer's keys) and print the caller
  decode      Show what a token (presigned or JWT) holds and which local checks it passes (offline)
  sts-local   Run a local STS for tests and demos
  serve       Run the authenticator server: a Kubernetes TokenReview webhook and /auth for proxies

Options:
  -h, --help     Show help (also: callerid <command> --help)
  --version      Show the version

Exit codes: 0 success, 1 rejected or failed, 2 usage error, 3 STS unavailable.`;

export const COMMAND_HELP: Record<string, string> = {
  token: `Usage: callerid token --audience <id> [options]

Mint a presigned STS GetCallerIdentity token (k8s-aws-v1.) bound to an audience.

Options:
  --audience <id>          The audience (EKS: the cluster name)
  --cluster-name <id>      Same as --audience, as in aws eks get-token
  -i, --cluster-id <id>    Same as --audience, as in aws-iam-authenticator token
  --region <region>        Signing region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region,
                           then us-east-1; no network request)
  --imds-region            When nothing names a region, ask the EC2 instance metadata service first
  --global-endpoint        Sign for the global endpoint sts.amazonaws.com instead of the regional one
  --role-arn <arn>         Assume this role first. Alias: -r, --role
  -s, --session-name <n>   Role session name (with --role-arn; default callerid)
  --forward-session-name   Name the role session after the caller's own session (with --role-arn;
                           one GetCallerIdentity call first, as aws-iam-authenticator does)
  -e, --external-id <id>   External id for the role (with --role-arn)
  --profile <name>         AWS profile (default: AWS_PROFILE, then the standard credential chain)
  --format <format>        exec-credential (default), token, or json
  --token-only             Same as --format token
  --cache                  Reuse a still-valid token from the on-disk cache (0600 file under
                           $XDG_CACHE_HOME/callerid or ~/.cache/callerid)
  --type <type>            presigned (default), or web-identity: an AWS web identity JWT from
                           sts:GetWebIdentityToken (one STS call; outbound identity federation must
                           be enabled in the account)
  --signing-algorithm <a>  web-identity: RS256 (default) or ES384
  --duration-seconds <n>   web-identity: token lifetime, 60-3600 (default 300)
  --tag <key=value>        web-identity: a request tag (repeatable)
  --sts-endpoint <url>     web-identity: call this STS origin (env: CALLERID_STS_ENDPOINT)
  -h, --help               Show this help

ExecCredential apiVersion follows KUBERNETES_EXEC_INFO (v1 or v1beta1; v1beta1 when absent).`,
  eks: `Usage: callerid [--region <r>] [--profile <p>] eks get-token (--cluster-name <name> | --cluster-id <id>)
                [--role-arn <arn>] [--output json] [--cache] [--imds-region]

The AWS CLI's aws eks get-token, verbatim: the arguments aws eks update-kubeconfig writes into a
kubeconfig (global options before or after "eks get-token"), and the same ExecCredential on stdout.
Switch a kubeconfig by changing "command: aws" to "command: callerid".

Options:
  --cluster-name <name>    The cluster name (the token's audience)
  --cluster-id <id>        The cluster id (EKS local clusters on Outposts), instead of --cluster-name
  --role-arn <arn>         Assume this role first (also --role, as update-kubeconfig writes it)
  --region <region>        Signing region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region,
                           then us-east-1; no network request)
  --profile <name>         AWS profile (default: AWS_PROFILE, then the standard credential chain)
  --output json            The only output (kubectl reads JSON)
  --cache                  callerid's on-disk token cache (see callerid token --help)
  --imds-region            When nothing names a region, ask the EC2 instance metadata service first
  -h, --help               Show this help

Accepted and ignored: --no-cli-pager, --no-paginate, --no-cli-auto-prompt, --color. Refused with the
reason: --query, --endpoint-url, --no-sign-request, --debug, --no-verify-ssl, --ca-bundle,
--cli-read-timeout, --cli-connect-timeout, --cli-binary-format, --cli-auto-prompt.`,
  kubeconfig: `Usage: callerid kubeconfig add --cluster-name <name> --server <url> [options]
       callerid kubeconfig migrate [--kubeconfig <file>] [--dry-run]

add: write (or replace) a cluster, a user whose exec plugin runs "callerid token", and a context, and
make the context current — as aws eks update-kubeconfig does, but offline (the server and CA are given).
migrate: switch every user whose exec plugin runs "aws eks get-token" or "aws-iam-authenticator token"
to callerid with the same arguments and env, print what changed, leave everything else alone.
Running it again changes nothing.

Options (add):
  --cluster-name <name>            The cluster name: the token's audience, and the cluster entry's name
  --server <url>                   The API server endpoint (https://…)
  --certificate-authority <file>   The cluster CA certificate (PEM), stored as certificate-authority-data
  --certificate-authority-data <b> The CA as base64 (what aws eks describe-cluster prints)
  --region <region>                Pin the signing region in the exec arguments
  --role-arn <arn>                 Assume this role to sign
  --profile <name>                 Pin AWS_PROFILE in the exec block's env
  --alias <name>                   The context's name (default: the user's name)
  --user-alias <name>              The user's name (default: the cluster name)
  --cache                          Add --cache to the exec arguments

Options (both):
  --kubeconfig <file>      The file to edit (default: the first file in KUBECONFIG, else ~/.kube/config)
  --command <path>         The command kubectl runs (default: callerid, found on kubectl's PATH)
  --dry-run                Print instead of writing: add prints the whole kubeconfig, migrate the changes
  -h, --help               Show this help

Exit codes: 0 written (or nothing to do), 1 migrate left a user it could not convert, 2 usage error.`,
  doctor: `Usage: callerid doctor [--cluster-name <name>] [--server <url> [--certificate-authority <file>]]
                       [--region <r>] [--profile <p>] [--role-arn <arn>] [--sts-endpoint <url>] [--json]

Run the EKS "Unauthorized" triage and say what it found, each step with its evidence and the next thing
to try: where the credentials come from and whether they load; who they are (a real GetCallerIdentity
call); for a role session, the role ARN to map; whether a token mints and passes callerid's own checks;
clock skew against STS's Date header; the region and STS endpoint; and with --server, whether the API
server accepts the token (a SelfSubjectReview, as kubectl auth whoami sends) — with the likely causes
when it answers 401 or 403. Never prints a token or a secret.

Options:
  --cluster-name <name>    The cluster the token is for (required with --server)
  --server <url>           The API server endpoint (https://…), to ask whether it accepts the token
  --certificate-authority <file>  The cluster CA (PEM) to trust for --server
  --region <r>             As for callerid token (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's, us-east-1)
  --profile <p>            As for callerid token (default: AWS_PROFILE, then the standard chain)
  --role-arn <arn>         Assume this role first, as the kubeconfig's exec arguments do
  --sts-endpoint <url>     Ask this STS (env: CALLERID_STS_ENDPOINT, then AWS_ENDPOINT_URL_STS)
  --json                   {"ok", "checks": [{"name", "status", "summary", "evidence", "next"}]}
  -h, --help               Show this help

Exit codes: 0 every step passed (warnings allowed), 1 a step failed, 2 usage error.`,
  verify: `Usage: callerid verify [<token>|-] --audience <id> [options]

Verify a token and print the verified identity: a presigned token with STS, an AWS web identity JWT
offline against the JWKS of an --issuer you trust. The token is read from stdin when it is omitted or
"-" (prefer stdin: arguments are visible to other users in the process list).

Options:
  --audience <id>          The audience this server accepts (required)
  --sts-endpoint <url>     Send the token to this STS endpoint (env: CALLERID_STS_ENDPOINT)
  --now <iso-time>         Check the token's time as if it were this instant
  --partition <p>          Accept only this partition (repeatable; default: every partition)
  --issuer <url>           Accept web identity JWTs from this issuer (exact; repeatable), e.g.
                           https://<id>.tokens.sts.global.api.aws; --audience is their audience
  --json                   Print the identity (or {"error":{"code","message"}}) as JSON
  -h, --help               Show this help

Exit codes: 0 verified, 1 rejected, 2 usage error, 3 STS or issuer keys unavailable.`,
  decode: `Usage: callerid decode [<token>|-] [options]

Show what a token holds — host, region, partition, access key id, signed headers, signing time,
expiry, freshness — and every local check it passes or fails. Offline: nothing is sent anywhere.
Never prints the signature or the session token. Reads stdin when the token is omitted or "-".
An AWS web identity JWT shows its algorithm, key id, issuer, subject, audience, times and claims;
its signature is not checked (use callerid verify --issuer).

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
  serve: `Usage: callerid serve --config <callerid.yaml> [options]

Run the authenticator server (@callerid/server) in the foreground: POST /authenticate (a Kubernetes
TokenReview webhook, drop-in for aws-iam-authenticator) and /auth (forward authentication for nginx,
Traefik, Envoy, Caddy), with /healthz, /readyz and /metrics. JSON logs on stdout. SIGTERM or SIGINT:
stop accepting, finish in-flight requests, exit 0. SIGHUP: reload the mapping and TLS files now.

Options:
  --config <file>              The configuration (or CALLERID_CONFIG)
  --listen <host:port>         Overrides listen (or CALLERID_LISTEN)
  --sts-endpoint <url>         Overrides stsEndpoint (or CALLERID_STS_ENDPOINT)
  --log-level <level>          Overrides logLevel (fatal, error, warn, info, debug, trace, silent)
  --print-webhook-kubeconfig   Print the kubeconfig for kube-apiserver's
                               --authentication-token-webhook-config-file, then exit
  --server-url <url>           With --print-webhook-kubeconfig: the URL kube-apiserver dials
                               (default: https://<listen>/authenticate)
  --ca <file>                  With --print-webhook-kubeconfig: the CA certificate (default: tls.cert)
  -h, --help                   Show this help`,
};
