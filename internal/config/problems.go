package config

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"weak"
)

// Problem is one thing wrong with a config file.
type Problem struct {
	File   string
	Line   int // 1-based; 0 when the problem has no place in the file
	Column int // 1-based; 0 when unknown
	// Path locates the offending value in the schema, for example
	// "userPools[0].clients[1].oAuth.scopes[0]". It is empty for problems
	// with the file as a whole (unreadable, empty, not YAML).
	Path    string
	Message string
}

// String formats the problem as "file:line:col: path: message", leaving out
// the parts that are unknown.
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		b.WriteString(":")
	}
	if p.Line > 0 {
		b.WriteString(strconv.Itoa(p.Line))
		b.WriteString(":")
		if p.Column > 0 {
			b.WriteString(strconv.Itoa(p.Column))
			b.WriteString(":")
		}
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem found in a config file, in file order. It is
// the error Load and Parse return when the file is not valid; its Error
// method prints one problem per line.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// maxProblems caps how many problems one run reports, so that a pathological
// file cannot make validation produce an unbounded list.
const maxProblems = 1000

// position is a place in the file.
type position struct{ line, col int }

// positions maps schema paths to where their nodes are in the file. The
// decoder fills it; the validator asks it where to point a problem.
type positions struct {
	values map[string]position // path → the value node
	keys   map[string]position // path → the mapping key that names it
}

func newPositions() *positions {
	return &positions{values: map[string]position{}, keys: map[string]position{}}
}

// located holds, for each Config that Parse decoded, where its values are
// in its file, so that Apply can point a conflict with the store at the
// value that causes it. It sits beside the Config rather than in it, so
// that a Config stays plain data that can be copied and compared whole; an
// entry goes when its Config is garbage collected.
var located sync.Map // weak.Pointer[Config] → *positions

// locate records the positions of cfg's values.
func locate(cfg *Config, pos *positions) {
	k := weak.Make(cfg)
	located.Store(k, pos)
	runtime.AddCleanup(cfg, func(k weak.Pointer[Config]) { located.Delete(k) }, k)
}

// positionsOf returns the positions of cfg's values, or nil for a Config
// built in code.
func positionsOf(cfg *Config) *positions {
	if pos, ok := located.Load(weak.Make(cfg)); ok {
		return pos.(*positions)
	}
	return nil
}

// has reports whether the file holds a value at path.
func (ix *positions) has(path string) bool {
	_, ok := ix.values[path]
	return ok
}

// value returns the position of the node at path or, when the file has no
// node there (a missing field, a default), of its nearest ancestor that it
// has.
func (ix *positions) value(path string) position {
	for {
		if p, ok := ix.values[path]; ok {
			return p
		}
		if path == "" {
			return position{}
		}
		path = parentPath(path)
	}
}

// key returns the position of the mapping key that names path, or the
// value's position when there is no key (a sequence item).
func (ix *positions) key(path string) position {
	if p, ok := ix.keys[path]; ok {
		return p
	}
	return ix.value(path)
}

// parentPath returns the path one level up: "a.b[2]" → "a.b", "a.b" → "a",
// "a" → "".
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// field and index build paths.
func field(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// Origins places the problems found in a Config: for a path of the Config
// ("restApis[0].resources[1].methods[0].httpMethod"), they return where the
// value there came from, as a Problem without its Message: the file, line
// and column, and the path to show. Key returns the place of the mapping
// key that names the value, for a problem with a whole list or mapping. A
// config file's origins are its own positions (Parse); a Config mapped
// from another file, such as a CloudFormation template, passes the
// mapper's to ValidateFrom, so that its problems point at that file.
//
// Has reports whether the file wrote a value at path itself: the rules
// that tell a value left out (given its default) from one written as zero
// (a problem: a rate of 0, a timeout of 0) ask it, so a mapped file's
// explicit zeros are refused as a config file's are.
type Origins interface {
	Value(path string) Problem
	Key(path string) Problem
	Has(path string) bool
}

// fileOrigins are the Origins of a config file: each path is its own,
// placed at its value (or key) or the nearest ancestor the file has.
type fileOrigins struct {
	file string
	pos  *positions
}

func (o fileOrigins) Value(path string) Problem { return o.at(path, o.pos.value(path)) }
func (o fileOrigins) Key(path string) Problem   { return o.at(path, o.pos.key(path)) }
func (o fileOrigins) Has(path string) bool      { return o.pos.has(path) }

func (o fileOrigins) at(path string, p position) Problem {
	return Problem{File: o.file, Line: p.line, Column: p.col, Path: path}
}

// report accumulates problems. Both the decoder and the validator write to
// it; the decoder records the positions, and the validator's problems are
// placed by origin (the positions', unless the Config came from elsewhere).
type report struct {
	file     string
	pos      *positions
	origin   Origins
	problems Problems
	full     bool // maxProblems reached; later problems are dropped
	// broken holds the paths whose values could not be decoded (a wrong
	// type, say). Problems under them are consequences, not news: a
	// client that is a string has no id, but saying so helps nobody.
	broken map[string]bool
	// at holds the config path of each problem recorded ("" for one with
	// the file as a whole), so that clean can tell the parts of the config
	// whose own checks passed.
	at []string
}

func newReport(file string) *report {
	r := &report{file: file, pos: newPositions(), broken: map[string]bool{}}
	r.origin = fileOrigins{file, r.pos}
	return r
}

// add records a problem at the value node of path, unless the value at
// path or above it could not be decoded.
func (r *report) add(path, format string, args ...any) {
	if !r.isBroken(path) {
		r.at = append(r.at, path)
		r.record(r.origin.Value(path), fmt.Sprintf(format, args...))
	}
}

// addKey records a problem at the mapping key of path: for a problem with
// a whole list or mapping, the key names it better than its first item.
func (r *report) addKey(path, format string, args ...any) {
	if !r.isBroken(path) {
		r.at = append(r.at, path)
		r.record(r.origin.Key(path), fmt.Sprintf(format, args...))
	}
}

// has reports whether the file the Config came from wrote a value at path
// (not a default, not a value left out).
func (r *report) has(path string) bool { return r.origin.Has(path) }

// where names the place of path for a message about another value: its
// path as the origin shows it and its line, "routes[0].path (line 12)" in
// a config file, "Resources.R1.Properties.RouteKey (line 15)" in a
// template a Config was mapped from.
func (r *report) where(path string) string {
	p := r.origin.Value(path)
	if p.Line == 0 {
		return p.Path
	}
	return fmt.Sprintf("%s (line %d)", p.Path, p.Line)
}

// isBroken reports whether the value at path, or one above it, could not be
// decoded.
func (r *report) isBroken(path string) bool {
	for p := path; ; p = parentPath(p) {
		if r.broken[p] {
			return true
		}
		if p == "" {
			return false
		}
	}
}

// clean reports whether no problem has been recorded at path, under it
// or above it (the file as a whole included), nor a value there found
// broken: the part of the config at path passed its own checks, and may
// be built.
func (r *report) clean(path string) bool {
	for _, p := range r.at {
		if p == "" || within(p, path) || within(path, p) {
			return false
		}
	}
	for p := range r.broken {
		if within(p, path) || within(path, p) {
			return false
		}
	}
	return true
}

// within reports whether path is base or a path under it:
// "httpApis[0].routes[1]" is within "httpApis[0]", "httpApis[10]" is not.
func within(path, base string) bool {
	rest, ok := strings.CutPrefix(path, base)
	return ok && (rest == "" || rest[0] == '.' || rest[0] == '[')
}

// fail records a problem with the value at path and marks it broken.
func (r *report) fail(path, format string, args ...any) {
	r.add(path, format, args...)
	r.broken[path] = true
}

// addAt records a problem the decoder found at p, a place in the file.
func (r *report) addAt(p position, path, msg string) {
	r.at = append(r.at, path)
	r.record(Problem{File: r.file, Line: p.line, Column: p.col, Path: path}, msg)
}

// record adds the problem at, placed, with its message.
func (r *report) record(at Problem, msg string) {
	if len(r.problems) == maxProblems {
		r.full = true
		return
	}
	at.Message = msg
	r.problems = append(r.problems, at)
}

// err returns the problems sorted by position, each once, or nil when
// there are none. Origins may place problems of several paths at one
// place: an integration of a template shared by several routes is a copy
// in each route of the Config, and its problem is said once.
func (r *report) err() error {
	if len(r.problems) == 0 {
		return nil
	}
	seen := make(map[Problem]bool, len(r.problems))
	ps := make(Problems, 0, len(r.problems))
	for _, p := range r.problems {
		if !seen[p] {
			seen[p] = true
			ps = append(ps, p)
		}
	}
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	if r.full {
		ps = append(ps, Problem{File: r.file, Message: fmt.Sprintf("too many problems: stopped after %d", maxProblems)})
	}
	return ps
}
