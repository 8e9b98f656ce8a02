/** Worker chunk entry: exposes the worker API over comlink. tfjs loads lazily (worker/tf-runtime.ts). */
import { expose } from 'comlink'
import { FedrecWorker } from '../worker/fedrec-worker.js'

expose(new FedrecWorker())
