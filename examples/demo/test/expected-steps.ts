/** The six step lines `pnpm demo` prints when every step behaves (and the root README shows). */
export const EXPECTED_STEPS = [
  '✔ 1. No token → 401 with a Bearer challenge',
  '✔ 2. The fetch wrapper as IAM user alice → 200 and her identity',
  '✔ 3. As the assumed role (AssumeRole against sts-local) → 200, canonical role ARN and session name',
  '✔ 4. A token minted for another audience → 401',
  '✔ 5. A token with a tampered signature → 401',
  '✔ 6. One token used 1,000 times → one STS call',
];
