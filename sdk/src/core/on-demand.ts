/** What the page loads only when asked: on-device scores, the preference profile, export and forget. */
export { computeScores } from '../scores/on-device-scores.js'
export { buildProfile } from '../profile/preference-profile.js'
export { deleteLocalData, exportLocalData } from '../privacy/local-data.js'
