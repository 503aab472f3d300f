/**
 * STS errors as the real service reports them: an HTTP status, a `Code`, a fixed `Message` and the
 * `Type` (`Sender` for the caller's fault, `Receiver` for ours). Messages never quote a signature, a
 * secret or a session token.
 */
export class StsError extends Error {
  override readonly name = 'StsError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /** `Sender` for 4xx answers, `Receiver` for 5xx, as STS reports them. */
  get type(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** The errors sts-local answers with; each builds a fresh `StsError`. */
export const stsErrors = {
  missingAuthentication: () => new StsError(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token'),
  incompleteSignature: (why: string) => new StsError(400, 'IncompleteSignature', why),
  signatureMismatch: () => new StsError(403, 'SignatureDoesNotMatch', SIGNATURE_MISMATCH),
  scopeMismatch: (why: string) => new StsError(403, 'SignatureDoesNotMatch', why),
  signatureExpired: (why: string) => new StsError(403, 'SignatureDoesNotMatch', why),
  invalidClientTokenId: () =>
    new StsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.'),
  expiredToken: () => new StsError(403, 'ExpiredToken', 'The security token included in the request is expired'),
  malformedQuery: (why: string) => new StsError(404, 'MalformedQueryString', why),
  missingAction: () => new StsError(400, 'MissingAction', 'Missing Action'),
  invalidAction: (action: string, version: string) =>
    new StsError(400, 'InvalidAction', `Could not find operation ${action} for version ${version}`),
  validation: (why: string) => new StsError(400, 'ValidationError', why),
  accessDenied: (why: string) => new StsError(403, 'AccessDenied', why),
  notFound: () => new StsError(404, 'NotFound', 'Only the path / is served by STS.'),
  methodNotAllowed: () => new StsError(405, 'MethodNotAllowed', 'STS accepts only GET and POST requests.'),
  tooLarge: () => new StsError(413, 'RequestEntityTooLarge', 'Request body is too large.'),
  badRequest: (why: string) => new StsError(400, 'InvalidRequest', why),
  throttling: () => new StsError(400, 'Throttling', 'Rate exceeded'),
  internalFailure: () => new StsError(500, 'InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.'),
  serviceUnavailable: () => new StsError(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.'),
} as const;
