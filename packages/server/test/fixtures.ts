/** Mapping files shaped like the ones aws-iam-authenticator's tests and docs use. */
import { ACCT, PARTNER } from './helpers.js';

export const CLUSTER = 'test-cluster';

/** An aws-auth ConfigMap as `kubectl get configmap aws-auth -o yaml` prints it. */
export const AWS_AUTH = `apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
data:
  mapRoles: |
    - rolearn: arn:aws:iam::${ACCT}:role/KubernetesAdmin
      username: admin:{{SessionName}}
      groups:
        - system:masters
    - rolearn: arn:aws:iam::${ACCT}:role/KubernetesNode
      username: system:node:{{EC2PrivateDNSName}}
      groups:
        - system:bootstrappers
        - system:nodes
    - rolearn: arn:aws:iam::${ACCT}:role/platform/PlatformAdmin
      username: platform-admin
      groups:
        - platform
  mapUsers: |
    - userarn: arn:aws:iam::${ACCT}:user/admin
      username: admin
      groups:
        - system:masters
    - userarn: arn:aws:iam::${ACCT}:user/bob
      username: bob:{{AccessKeyID}}
  mapAccounts: |
    - ${PARTNER}
`;

/** The same mapping in aws-iam-authenticator's own config file format. */
export const AIA_CONFIG = `clusterID: ${CLUSTER}
server:
  port: 21362
  mapRoles:
  - rolearn: arn:aws:sts::${ACCT}:assumed-role/KubernetesAdmin/any-session
    username: admin:{{SessionNameRaw}}
    groups:
    - system:masters
  mapUsers:
  - userARN: arn:aws:iam::${ACCT}:user/admin
    username: admin
    groups:
    - system:masters
  mapAccounts:
  - "${PARTNER}"
`;
