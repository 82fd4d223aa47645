// Command tollgate runs Tollgate: OAuth 2 for APIs, in one binary.
package main

import (
	"os"

	"github.com/tollgate/tollgate/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}
