package template

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tollgate/tollgate/internal/config"
)

// Load reads a template file (JSON or YAML), or a cloud assembly directory
// as `cdk synth` writes it (cdk.out): its manifest.json names the stack's
// template, and the stack's assets manifest where each asset's files are.
// An assembly with several stacks needs stack to pick one; stack is
// ignored for a template file. The stack's name is returned for
// AWS::StackName.
func Load(path, stack string) (*Template, string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, "", config.Problems{{File: path, Message: fileError(err)}}
	}
	if !fi.IsDir() {
		t, err := loadFile(path)
		if err != nil {
			return nil, "", err
		}
		t.Dir = filepath.Dir(path)
		if err := t.readAssetMetadata(); err != nil {
			return nil, "", err
		}
		return t, "", nil
	}
	return loadAssembly(path, stack)
}

func loadFile(path string) (*Template, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, config.Problems{{File: path, Message: fileError(err)}}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, config.Problems{{File: path, Message: fileError(err)}}
	}
	return Parse(path, data)
}

func fileError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return "cannot " + pe.Op + " the file: " + pe.Err.Error()
	}
	return err.Error()
}

// manifest is the part of a cloud assembly's manifest.json Tollgate reads.
type manifest struct {
	Artifacts map[string]struct {
		Type        string `json:"type"`
		DisplayName string `json:"displayName"`
		Properties  struct {
			TemplateFile string `json:"templateFile"`
			File         string `json:"file"`
			StackName    string `json:"stackName"`
		} `json:"properties"`
		Dependencies []string `json:"dependencies"`
	} `json:"artifacts"`
}

// assetManifest is the part of a *.assets.json Tollgate reads.
type assetManifest struct {
	Files map[string]struct {
		Source struct {
			Path      string `json:"path"`
			Packaging string `json:"packaging"`
		} `json:"source"`
		Destinations map[string]struct {
			ObjectKey string `json:"objectKey"`
		} `json:"destinations"`
	} `json:"files"`
}

func loadAssembly(dir, stack string) (*Template, string, error) {
	mpath := filepath.Join(dir, "manifest.json")
	data, err := os.ReadFile(mpath)
	if err != nil {
		return nil, "", config.Problems{{File: mpath, Message: fileError(err) + " (is " + dir + " a cdk.out directory?)"}}
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, "", config.Problems{{File: mpath, Message: "invalid cloud assembly manifest: " + err.Error()}}
	}
	id, msg := m.pickStack(stack)
	if msg != "" {
		return nil, "", config.Problems{{File: mpath, Message: msg}}
	}
	a := m.Artifacts[id]
	file, err := inside(dir, a.Properties.TemplateFile)
	if err != nil {
		return nil, "", config.Problems{{File: mpath, Path: "artifacts." + id + ".properties.templateFile", Message: err.Error()}}
	}
	t, err := loadFile(file)
	if err != nil {
		return nil, "", err
	}
	t.Dir = dir
	t.s3Assets = map[string]string{}
	// The stack's assets manifest, a dependency of the stack artifact.
	for _, dep := range a.Dependencies {
		am := m.Artifacts[dep]
		if am.Type != "cdk:asset-manifest" {
			continue
		}
		apath, err := inside(dir, am.Properties.File)
		if err != nil {
			return nil, "", config.Problems{{File: mpath, Path: "artifacts." + dep + ".properties.file", Message: err.Error()}}
		}
		if err := t.readAssetManifest(apath); err != nil {
			return nil, "", err
		}
	}
	if err := t.readAssetMetadata(); err != nil {
		return nil, "", err
	}
	return t, cmp.Or(a.Properties.StackName, a.DisplayName, id), nil
}

// pickStack returns the id of the stack artifact to load: the one named,
// or the only one; or a message saying why there is none.
func (m *manifest) pickStack(stack string) (string, string) {
	var stacks []string
	for id, a := range m.Artifacts {
		if a.Type == "aws:cloudformation:stack" {
			stacks = append(stacks, id)
		}
	}
	slices.Sort(stacks)
	switch {
	case stack != "":
		if !slices.Contains(stacks, stack) {
			return "", fmt.Sprintf("the assembly has no stack %q (it has: %s)", stack, strings.Join(stacks, ", "))
		}
		return stack, ""
	case len(stacks) == 1:
		return stacks[0], ""
	case len(stacks) == 0:
		return "", "the assembly holds no CloudFormation stack"
	}
	return "", fmt.Sprintf("the assembly holds %d stacks (%s): pick one with --stack", len(stacks), strings.Join(stacks, ", "))
}

func (t *Template) readAssetManifest(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return config.Problems{{File: path, Message: fileError(err)}}
	}
	var am assetManifest
	if err := json.Unmarshal(data, &am); err != nil {
		return config.Problems{{File: path, Message: "invalid assets manifest: " + err.Error()}}
	}
	for hash, f := range am.Files {
		src, err := inside(t.Dir, f.Source.Path)
		if err != nil {
			return config.Problems{{File: path, Path: "files." + hash + ".source.path", Message: err.Error()}}
		}
		for _, d := range f.Destinations {
			if d.ObjectKey != "" {
				t.s3Assets[d.ObjectKey] = src
			}
		}
	}
	return nil
}

// readAssetMetadata reads the aws:asset:path metadata `cdk synth` puts on
// resources with file assets (a function's Code).
func (t *Template) readAssetMetadata() error {
	t.assets = map[string]string{}
	resources, _ := t.Body["Resources"].(map[string]any)
	for _, id := range slices.Sorted(maps.Keys(resources)) {
		r, _ := resources[id].(map[string]any)
		md, _ := r["Metadata"].(map[string]any)
		p, _ := md["aws:asset:path"].(string)
		if p == "" {
			continue
		}
		if prop, _ := md["aws:asset:property"].(string); prop != "" && prop != "Code" {
			continue
		}
		src, err := inside(t.Dir, p)
		if err != nil {
			return config.Problems{t.problem("Resources."+id+".Metadata.aws:asset:path", "%v", err)}
		}
		t.assets[id] = src
	}
	return nil
}

// inside resolves name against dir and refuses a path that leaves it: an
// assembly must not make Tollgate run code from elsewhere.
func inside(dir, name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("the path is missing")
	}
	if filepath.IsAbs(name) || !filepath.IsLocal(filepath.FromSlash(name)) {
		return "", fmt.Errorf("the path %q leaves the assembly directory", name)
	}
	abs, err := filepath.Abs(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		return "", err
	}
	return abs, nil
}
