/** Public surface of the privacy accountant: subsampled-Gaussian RDP, composition, (ε, δ), inverse. */
export {
  ACCOUNTANT_DEFAULTS,
  computeEpsilon,
  computeEpsilonForSteps,
  computeRdp,
  perStepRdp,
} from './epsilon.js'
export type { AccountantOptions, EpsilonQuery, MechanismParams, MechanismStep } from './epsilon.js'
export {
  computeNoiseMultiplier,
  NOISE_SEARCH_DEFAULTS,
  UnreachableTargetError,
} from './noise-multiplier.js'
export type { NoiseQuery } from './noise-multiplier.js'
export { Conversion, epsilonAtOrder, epsilonFromRdp } from './convert.js'
export type { EpsilonResult } from './convert.js'
export { rdpSubsampledGaussian } from './rdp.js'
export { DEFAULT_ORDERS, EXTENDED_ORDERS, FRACTIONAL_ORDERS, INTEGER_ORDERS } from './orders.js'
