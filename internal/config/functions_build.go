package config

import (
	"cmp"
	"maps"

	"github.com/tollgate/tollgate"
)

// BuildFunctions returns the functions the config declares, as the
// function runner runs them: Name is the functionName, CodeDir the
// absolute code directory, Region the config's region, ConfigKey the
// logical id, and the defaults filled. The config must be valid.
func (c *Config) BuildFunctions() []*tollgate.Function {
	out := make([]*tollgate.Function, 0, len(c.Functions))
	for i := range c.Functions {
		f := &c.Functions[i]
		out = append(out, &tollgate.Function{
			Name:                cmp.Or(f.FunctionName, f.ID),
			Runtime:             f.Runtime,
			Handler:             f.Handler,
			CodeDir:             f.Code,
			Timeout:             cmp.Or(f.Timeout, DefaultFunctionTimeout),
			MemorySize:          cmp.Or(f.MemorySize, DefaultMemorySize),
			Environment:         maps.Clone(f.Environment),
			ReservedConcurrency: f.ReservedConcurrency,
			Region:              cmp.Or(c.Region, DefaultRegion),
			ConfigKey:           f.ID,
		})
	}
	return out
}

// functionName returns the name of the function whose logical id is id.
func (c *Config) functionName(id string) string {
	for i := range c.Functions {
		if f := &c.Functions[i]; f.ID == id {
			return cmp.Or(f.FunctionName, f.ID)
		}
	}
	return id
}
