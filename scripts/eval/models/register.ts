/** Registers the neural models (tfjs) with the evaluation harness; listed in scripts/eval/plugins.ts. */

import { registerModel } from '../registry.js'
import { FedrecCentral } from './fedrec-central.js'
import { FederatedSim } from './federated.js'
import { Gru } from './gru.js'

registerModel('fedrec-central', () => new FedrecCentral(), 'the on-device session model, trained centrally')
registerModel('gru', () => new Gru(), 'GRU4Rec-style GRU over the session, tfjs')
registerModel('fedrec-federated', () => new FederatedSim('fedrec-federated', null), 'simulated FedAvg, no DP')
for (const eps of [1, 4, 8]) {
  registerModel(`fedrec-dp-eps${eps}`, () => new FederatedSim(`fedrec-dp-eps${eps}`, eps), `DP-FedAvg at ε = ${eps}, δ = 1e-6`)
}
