package procstat

import (
	"os"
	"testing"

	"github.com/tollgate/tollgate/internal/function/functest"
)

func TestCPU(t *testing.T) {
	functest.NeedLinux(t) // reads /proc
	if _, err := CPU(os.Getpid()); err != nil {
		t.Fatal(err)
	}
	if _, err := CPU(0); err == nil {
		t.Error("CPU(0) did not fail")
	}
}
