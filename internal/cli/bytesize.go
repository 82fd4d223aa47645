package cli

import (
	"fmt"
	"strconv"
	"strings"
)

// byteSize is a flag holding a number of bytes, written with a unit:
// "64MiB", "512KiB", "1GiB" (powers of 1024), "100MB", "500kB" (powers of
// 1000), or a bare number of bytes ("0", "1048576").
type byteSize int64

// byteUnits are the units byteSize accepts, largest first.
var byteUnits = []struct {
	name string
	size int64
}{
	{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
	{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"kB", 1e3}, {"KB", 1e3}, {"B", 1},
}

func (b *byteSize) Set(s string) error {
	num, unit := strings.TrimSpace(s), int64(1)
	for _, u := range byteUnits {
		if n, ok := strings.CutSuffix(num, u.name); ok {
			num, unit = strings.TrimSpace(n), u.size
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/unit {
		return fmt.Errorf("%q is not a size: give a whole number of bytes with a unit, e.g. 64MiB, 512KiB, 1GiB, 100MB, or 0", s)
	}
	*b = byteSize(n * unit)
	return nil
}

// String writes the size with the largest binary unit that divides it.
func (b *byteSize) String() string {
	for _, u := range byteUnits[:4] {
		if *b != 0 && int64(*b)%u.size == 0 {
			return strconv.FormatInt(int64(*b)/u.size, 10) + u.name
		}
	}
	return strconv.FormatInt(int64(*b), 10)
}

func (b *byteSize) Type() string { return "size" }
