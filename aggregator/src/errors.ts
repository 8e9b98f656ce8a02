/** Typed errors shared by both ends of the wire: a rejected payload carries an HTTP status and a machine-readable reason. */

/** Why a payload was refused, stable strings that clients and dashboards can switch on. */
export const RejectReason = {
  Malformed: 'malformed',
  BadMagic: 'bad_magic',
  UnsupportedVersion: 'unsupported_version',
  ShapeMismatch: 'shape_mismatch',
  NonFinite: 'non_finite',
  NormTooLarge: 'norm_too_large',
  StaleModel: 'stale_model',
  RoundClosed: 'round_closed',
  TooLarge: 'too_large',
  BadContentType: 'bad_content_type',
  Replay: 'replay',
  ParameterMismatch: 'parameter_mismatch',
  /** The norm is below what the announced noise makes all but impossible: the noise is missing. */
  NoiseTooSmall: 'noise_too_small',
  /** The adaptive-clipping bit is further from ±½ than its announced noise allows. */
  ClipBitOutOfRange: 'clip_bit_out_of_range',
  /** Secure aggregation: the message belongs to another step of the cohort's protocol. */
  WrongStep: 'wrong_step',
  /** Secure aggregation: the sender is not (or no longer) a member of the cohort. */
  UnknownMember: 'unknown_member',
  /** A query string or header the endpoint's schema does not allow. */
  BadRequest: 'bad_request',
  /** A cross-origin request from an origin that is not a configured shop. */
  OriginNotAllowed: 'origin_not_allowed',
  /** Too many requests from one origin / connection in the current window. */
  RateLimited: 'rate_limited',
} as const
export type RejectReason = (typeof RejectReason)[keyof typeof RejectReason]

/**
 * A payload that cannot be accepted. `status` is the HTTP status the edge answers with.
 * @example
 * throw new PayloadRejectedError(RejectReason.NonFinite, 'tensor 0 holds NaN at 17')
 */
export class PayloadRejectedError extends Error {
  override readonly name = 'PayloadRejectedError'
  constructor(
    readonly reason: RejectReason,
    message: string,
    readonly status: 400 | 409 | 413 | 415 | 422 = 400,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
