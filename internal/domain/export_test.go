package domain

import "sync/atomic"

// CountPasswordHashes counts the argon2id hashes made from now on until
// the test ends.
func CountPasswordHashes(t interface{ Cleanup(func()) }) *atomic.Int64 {
	var n atomic.Int64
	orig := idKey
	idKey = func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
		n.Add(1)
		return orig(password, salt, time, memory, threads, keyLen)
	}
	t.Cleanup(func() { idKey = orig })
	return &n
}
