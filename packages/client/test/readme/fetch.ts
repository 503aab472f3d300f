import { withCallerId } from '@callerid/client';

const PAYMENTS_URL = process.env.PAYMENTS_URL ?? 'https://payments.internal';

// Credentials come from the default AWS chain (env, profile, SSO, ECS/EKS/EC2 roles, …).
const payments = withCallerId(fetch, { audience: 'payments-api' });

const res = await payments(`${PAYMENTS_URL}/whoami`);
console.log(res.status, await res.json()); // 200 { arn: 'arn:aws:iam::111122223333:user/alice', … }
