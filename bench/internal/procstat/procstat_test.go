package procstat

import (
	"os"
	"runtime"
	"testing"
)

func TestCPU(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	if _, err := CPU(os.Getpid()); err != nil {
		t.Fatal(err)
	}
	if _, err := CPU(0); err == nil {
		t.Error("CPU(0) did not fail")
	}
}
