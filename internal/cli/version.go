package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate/internal/buildinfo"
)

// versionCommand is `tollgate version`; `tollgate --version` prints the
// same (rootCommand sets it as the version template).
func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, build date, Go version and platform of this binary",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprint(a.stdout, buildinfo.Read())
			return err
		},
	}
}

// setVersion makes `tollgate --version` print what `tollgate version` does.
func setVersion(root *cobra.Command) {
	info := buildinfo.Read()
	root.Version = info.Version
	// The template is the text itself: a build's strings hold no "{{".
	root.SetVersionTemplate(info.String())
}
