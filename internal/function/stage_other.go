//go:build !unix

package function

import "errors"

// stageCode is for a function user, which needs Unix (New refuses one
// elsewhere).
func stageCode(src, dst string, gid uint32) error {
	return errors.New("function: copying code for a function user needs Unix")
}
