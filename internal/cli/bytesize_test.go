package cli

import "testing"

func TestByteSize(t *testing.T) {
	for in, want := range map[string]int64{
		"0": 0, "1048576": 1 << 20, "64MiB": 64 << 20, "512KiB": 512 << 10, "1GiB": 1 << 30, " 2 GiB ": 2 << 30,
		"100MB": 100e6, "500kB": 500e3, "10B": 10,
	} {
		var b byteSize
		if err := b.Set(in); err != nil || int64(b) != want {
			t.Errorf("%q: %d, %v; want %d", in, b, err, want)
		}
	}
	for _, in := range []string{"", "-1", "64mib", "1.5GiB", "MiB", "64 MiBs", "8EiB", "9223372036854775807KiB", "0x10"} {
		var b byteSize
		if err := b.Set(in); err == nil {
			t.Errorf("%q accepted as %d", in, b)
		}
	}
	for in, want := range map[byteSize]string{0: "0", 64 << 20: "64MiB", 1536: "1536", 3 << 30: "3GiB", 1000: "1000"} {
		if got := in.String(); got != want {
			t.Errorf("%d: %q, want %q", in, got, want)
		}
	}
}
