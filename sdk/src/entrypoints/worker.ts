/** Worker chunk entry: exposes the worker API over comlink. tfjs is imported only from here down. */
import '@tensorflow/tfjs-core/dist/register_all_gradients'
import { expose } from 'comlink'
import { FedrecWorker } from '../worker/fedrec-worker.js'

expose(new FedrecWorker())
