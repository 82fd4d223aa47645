package function

// MaxPayloadBytes is maxPayloadBytes, for the external tests' payloads at
// and over the limit.
const MaxPayloadBytes = maxPayloadBytes
