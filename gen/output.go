package gen

// The last phase: putting the generated files in place without ever
// overwriting or removing a file the generator did not write.
//
// Ownership. A file of the output folder is the generator's when
//
//   - it is a Go file whose first line is generatedToken (client.go,
//     types.go), or
//   - graphql/.amplifygen-manifest, which the generator writes beside the
//     documents, lists it: the manifest names every file of the last run
//     (genqlient.go, which carries genqlient's own header, and the
//     documents, which carry none). A listed Go file must still carry a
//     "Code generated" header, so a hand-written client.go put in place of
//     the generated one is never overwritten.
//
// A folder the previous version of the generator wrote has no manifest. Its
// genqlient.go, graphql/schema.graphql and graphql/operations/*.graphql and
// graphql/fragments/*.graphql count as the generator's when, and only when,
// its client.go carries generatedToken: that header proves amplifygen wrote
// the folder, and those are the files that version wrote and removed. The
// next run writes the manifest, after which the rule no longer applies.
//
// Only the paths the generator ever writes can be its (see generatedPath): a
// manifest line naming anything else, graphql/custom/ above all, is ignored.
// Any other file the run would overwrite or remove, and any document in
// graphql/operations or graphql/fragments that is not the generator's
// (genqlient would read it), stops the run before anything is written, with
// an error naming each such file and the fix.
//
// Atomicity. Every file is first made in a temporary folder beside the
// output folder (on the same file system, named with a leading dot so the
// go command ignores it), genqlient reading its documents there; only when
// everything is made does each file move into place, by rename. A run that
// fails leaves the output folder as it was, and a folder that did not exist
// still does not.

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// manifestHeader is the first line of the manifest (and a line of the
// genqlient.yaml): generatedToken as a # comment.
var manifestHeader = "# " + strings.TrimPrefix(generatedToken, "// ")

// manifestDoc explains the manifest to whoever opens it.
const manifestDoc = `#
# The files amplifygen wrote in this package, one a line. amplifygen
# overwrites and removes only these, and Go files whose first line is its
# "// Code generated" line; graphql/custom/ and every other file are yours.
`

// generatedGo is Go's convention for the header of a generated file
// (https://go.dev/s/generatedcode).
var generatedGo = regexp.MustCompile(`^// Code generated .* DO NOT EDIT\.$`)

// output is the output folder as the run found it.
type output struct {
	dir   string // absolute
	shown string // as the user gave it, for messages
	// listed holds the files the manifest names; nil without a manifest.
	listed map[string]bool
	// previous is set when there is no manifest and client.go carries
	// generatedToken: the folder of the previous version of the generator.
	previous bool
}

// readOutput reads the manifest of the output folder dir, if any.
func readOutput(dir, shown string) (*output, error) {
	o := &output{dir: dir, shown: shown}
	if info, err := os.Stat(dir); err == nil && !info.IsDir() {
		return nil, fmt.Errorf("output directory %s: is a file, not a folder: choose another -out folder", shown)
	}
	src, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(manifestFile)))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		client, _ := os.ReadFile(filepath.Join(dir, facadeFile))
		o.previous = firstLine(client) == generatedToken
		return o, nil
	case err != nil:
		return nil, err
	case firstLine(src) != manifestHeader:
		return nil, fmt.Errorf("%s: exists and was not written by amplifygen: move it, or choose another -out folder", o.show(manifestFile))
	}
	o.listed = map[string]bool{}
	for _, line := range strings.Split(string(src), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") && generatedPath(line) {
			o.listed[line] = true
		}
	}
	return o, nil
}

// generatedPath reports whether the generator ever writes the file rel
// (slash-separated, relative to the output folder).
func generatedPath(rel string) bool {
	switch rel {
	case facadeFile, typesFile, genqlientFile, schemaFile:
		return true
	}
	dir, name := path.Split(rel)
	dir = strings.TrimSuffix(dir, "/")
	return (dir == operationsDir || dir == fragmentsDir) && strings.HasSuffix(name, ".graphql") && name != ".graphql"
}

// owns reports whether the generator wrote rel, whose content is src.
func (o *output) owns(rel string, src []byte) bool {
	isGo := strings.HasSuffix(rel, ".go")
	if isGo && firstLine(src) == generatedToken {
		return true
	}
	listed := generatedPath(rel) && (o.listed[rel] || o.listed == nil && o.previous)
	return listed && (!isGo || hasGeneratedHeader(src))
}

// plan checks that the run may write every file of files (by path relative
// to the output folder) and returns the files of the generator's that it
// must remove: documents of operations and fragments the backend no longer
// has. Every file that stops the run is named in the error.
func (o *output) plan(files map[string][]byte) (stale []string, err error) {
	var refused []error
	for _, rel := range sortedKeys(files) {
		if rel == manifestFile {
			continue // readOutput checked it
		}
		p := filepath.Join(o.dir, filepath.FromSlash(rel))
		info, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return nil, err
		case !info.Mode().IsRegular():
			refused = append(refused, fmt.Errorf("%s: is not a regular file, and amplifygen writes a file there: move it, or choose another -out folder", o.show(rel)))
			continue
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if o.owns(rel, src) {
			continue
		}
		switch {
		case isDocument(rel):
			refused = append(refused, o.notOurDocument(rel))
		case strings.HasSuffix(rel, ".go") && hasGeneratedHeader(src):
			refused = append(refused, fmt.Errorf("%s: exists and was not written by amplifygen (its \"Code generated\" header is another tool's): move it, or choose another -out folder", o.show(rel)))
		case strings.HasSuffix(rel, ".go"):
			refused = append(refused, fmt.Errorf("%s: exists and was not written by amplifygen (no \"Code generated\" header): move it, or choose another -out folder", o.show(rel)))
		default:
			refused = append(refused, fmt.Errorf("%s: exists and was not written by amplifygen: move it, or choose another -out folder", o.show(rel)))
		}
	}
	// genqlient reads every document of these folders: one the generator
	// did not write would become part of the package, or be removed.
	for _, d := range []string{operationsDir, fragmentsDir} {
		entries, err := os.ReadDir(filepath.Join(o.dir, filepath.FromSlash(d)))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		for _, e := range entries {
			rel := d + "/" + e.Name()
			if _, ok := files[rel]; ok || !isDocument(rel) || !e.Type().IsRegular() {
				continue // genqlient reads regular files only
			}
			src, err := os.ReadFile(filepath.Join(o.dir, filepath.FromSlash(rel)))
			if err != nil {
				return nil, err
			}
			if o.owns(rel, src) {
				stale = append(stale, rel)
			} else {
				refused = append(refused, o.notOurDocument(rel))
			}
		}
	}
	return stale, errors.Join(refused...)
}

func (o *output) notOurDocument(rel string) error {
	return fmt.Errorf("%s: was not written by amplifygen: hand-written documents belong in %s/: move it there (amplifygen owns %s/)", o.show(rel), customDir, path.Dir(rel))
}

// isDocument reports whether rel is a document of operations or fragments.
func isDocument(rel string) bool {
	return generatedPath(rel) && strings.HasPrefix(rel, "graphql/") && rel != schemaFile
}

// show is rel as the user would spell it: below the -out folder they gave.
func (o *output) show(rel string) string { return filepath.Join(o.shown, filepath.FromSlash(rel)) }

// stage makes a temporary folder for the files of the run, beside the output
// folder (or beside its nearest existing ancestor), so renaming a file from
// it into place stays on one file system.
func (o *output) stage() (string, error) {
	parent := filepath.Dir(o.dir)
	for {
		if _, err := os.Stat(parent); err == nil || filepath.Dir(parent) == parent {
			break
		}
		parent = filepath.Dir(parent)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(o.dir)+".amplifygen-")
	if err != nil {
		// A parent we may not write: inside the folder itself, then.
		if _, serr := os.Stat(o.dir); serr == nil {
			return os.MkdirTemp(o.dir, ".amplifygen-")
		}
	}
	return tmp, err
}

// commit moves the files made in tmp into the output folder and removes the
// stale ones. The manifest is written first listing both the old files and
// the new, and last listing the new only, so a run interrupted half-way
// leaves no file of the generator's that its manifest does not list.
func (o *output) commit(tmp string, files map[string][]byte, stale []string) error {
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return err
	}
	both := slices.Concat(sortedKeys(files), stale)
	for rel := range o.listed {
		if _, err := os.Stat(filepath.Join(o.dir, filepath.FromSlash(rel))); err == nil {
			both = append(both, rel)
		}
	}
	if err := o.put(tmp, manifestFile, manifest(both)); err != nil {
		return err
	}
	for _, rel := range sortedKeys(files) {
		if rel != manifestFile {
			if err := o.put(tmp, rel, files[rel]); err != nil {
				return err
			}
		}
	}
	emptied := map[string]bool{}
	for _, rel := range stale {
		if err := os.Remove(filepath.Join(o.dir, filepath.FromSlash(rel))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		emptied[path.Dir(rel)] = true
	}
	for d := range emptied {
		// Only succeeds when the folder is empty: a folder the run emptied
		// goes with its last document.
		_ = os.Remove(filepath.Join(o.dir, filepath.FromSlash(d)))
	}
	return o.put(tmp, manifestFile, files[manifestFile])
}

// put moves src into place as rel, unless rel already holds it (so
// regeneration leaves timestamps alone): written under tmp, then renamed,
// so no reader ever sees half a file. A file it replaces keeps its
// permissions.
func (o *output) put(tmp, rel string, src []byte) error {
	dst := filepath.Join(o.dir, filepath.FromSlash(rel))
	if old, err := os.ReadFile(dst); err == nil && bytes.Equal(old, src) {
		return nil
	}
	staged := filepath.Join(tmp, ".put", filepath.FromSlash(rel))
	if err := writeFile(staged, src); err != nil {
		return err
	}
	if info, err := os.Stat(dst); err == nil {
		if err := os.Chmod(staged, info.Mode().Perm()); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if err := os.Rename(staged, dst); err != nil {
		// tmp on another file system (the folder is a mount point):
		// write in place.
		return os.WriteFile(dst, src, 0o644)
	}
	return nil
}

// manifest lists names, sorted and once each.
func manifest(names []string) []byte {
	names = slices.Clone(names)
	slices.Sort(names)
	var b bytes.Buffer
	b.WriteString(manifestHeader + "\n" + manifestDoc)
	for _, n := range slices.Compact(names) {
		if n != manifestFile {
			b.WriteString(n + "\n")
		}
	}
	return b.Bytes()
}

// checkGenqlientConfig refuses a -genqlient-config path that holds anything
// but a genqlient.yaml the generator wrote.
func checkGenqlientConfig(p string) error {
	info, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case !info.Mode().IsRegular():
		return fmt.Errorf("%s: is not a regular file, and amplifygen writes the genqlient.yaml there: choose another -genqlient-config path", p)
	}
	src, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	for _, line := range strings.Split(string(src), "\n") {
		if strings.TrimRight(line, "\r") == manifestHeader {
			return nil
		}
	}
	return fmt.Errorf("%s: exists and was not written by amplifygen (no %q line): move it, or choose another -genqlient-config path", p, manifestHeader)
}

// firstLine is the first line of src, without its line ending.
func firstLine(src []byte) string {
	line, _, _ := bytes.Cut(src, []byte("\n"))
	return string(bytes.TrimSuffix(line, []byte("\r")))
}

// hasGeneratedHeader reports whether the Go source src is marked generated,
// by Go's convention: a "// Code generated ... DO NOT EDIT." line before the
// package clause.
func hasGeneratedHeader(src []byte) bool {
	for _, line := range strings.Split(string(src), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.HasPrefix(line, "package ") {
			return false
		}
		if generatedGo.MatchString(line) {
			return true
		}
	}
	return false
}

// sortedKeys returns m's keys, sorted.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
