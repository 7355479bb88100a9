package gen

// Generation and compile time of the client of a synthetic backend with
// many models.
//
//	go test -run '^$' -bench . -benchtime 1x ./gen/
//
// The synthetic backend is the seed (examples/add-user-to-group) with its
// Todo model replicated N times by text substitution: Todo becomes Todo001
// ... TodoNNN in the model type, its enum (Todo001Priority), its connection
// and Model*/Create*/Update*/Delete* input types, its query, mutation and
// subscription fields, and its model_introspection entry. The shared
// Model*Input filter types and the custom operations (echo,
// addUserToGroup) stay once. The inputs and the generated packages live in
// a temporary folder under gen/testdata (inside the module, so the
// generator finds the package path; ignored by ./... patterns), removed at
// the end.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-amplify/data/schema"
	"github.com/go-amplify/data/schema/appsync"
)

const (
	seedSchema  = "../examples/add-user-to-group/amplify/schema.graphql"
	seedOutputs = "../examples/add-user-to-group/amplify_outputs.json"
	seedModel   = "Todo"
)

// benchTempDir makes a temporary folder under testdata, removed (with
// testdata itself when this created it and it is left empty) at the end of
// b.
func benchTempDir(b *testing.B) string {
	b.Helper()
	created := false
	if _, err := os.Stat("testdata"); os.IsNotExist(err) {
		if err := os.Mkdir("testdata", 0o755); err != nil {
			b.Fatal(err)
		}
		created = true
	}
	dir, err := os.MkdirTemp("testdata", "bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			b.Errorf("remove %s: %v", dir, err)
		}
		if created {
			_ = os.Remove("testdata") // only when empty
		}
	})
	return dir
}

// synthModelName is the name of the i-th copy of the seed model.
func synthModelName(i int) string { return fmt.Sprintf("%s%03d", seedModel, i) }

// synthSDL replicates the seed model's definitions and root fields n times.
// Top-level definitions of the seed are separated by blank lines.
func synthSDL(seed string, n int) (string, error) {
	var out []string
	roots := 0
	for _, block := range strings.Split(strings.TrimSpace(seed), "\n\n") {
		block = strings.TrimSpace(block)
		switch {
		case strings.HasPrefix(block, "type Query ") || strings.HasPrefix(block, "type Mutation ") || strings.HasPrefix(block, "type Subscription "):
			roots++
			lines := strings.Split(block, "\n")
			if len(lines) < 2 || lines[len(lines)-1] != "}" {
				return "", fmt.Errorf("root type is not laid out one field a line: %q", block)
			}
			var fields []string
			for i := 1; i <= n; i++ {
				for _, l := range lines[1 : len(lines)-1] {
					if strings.Contains(l, seedModel) {
						fields = append(fields, strings.ReplaceAll(l, seedModel, synthModelName(i)))
					}
				}
			}
			for _, l := range lines[1 : len(lines)-1] {
				if !strings.Contains(l, seedModel) {
					fields = append(fields, l)
				}
			}
			out = append(out, lines[0]+"\n"+strings.Join(fields, "\n")+"\n}")
		case strings.Contains(block, seedModel):
			for i := 1; i <= n; i++ {
				out = append(out, strings.ReplaceAll(block, seedModel, synthModelName(i)))
			}
		default:
			out = append(out, block)
		}
	}
	if roots != 3 {
		return "", fmt.Errorf("seed SDL has %d of the Query, Mutation and Subscription types, want 3", roots)
	}
	return strings.Join(out, "\n\n") + "\n", nil
}

// synthOutputs replicates the seed model's model_introspection entry and
// its enum n times; the rest of amplify_outputs.json is kept.
func synthOutputs(seed []byte, n int) ([]byte, error) {
	var top, data, intro, models, enums map[string]json.RawMessage
	if err := json.Unmarshal(seed, &top); err != nil {
		return nil, fmt.Errorf("outputs: %w", err)
	}
	if err := json.Unmarshal(top["data"], &data); err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	if err := json.Unmarshal(data["model_introspection"], &intro); err != nil {
		return nil, fmt.Errorf("data.model_introspection: %w", err)
	}
	if err := json.Unmarshal(intro["models"], &models); err != nil {
		return nil, fmt.Errorf("models: %w", err)
	}
	if err := json.Unmarshal(intro["enums"], &enums); err != nil {
		return nil, fmt.Errorf("enums: %w", err)
	}
	if len(models) != 1 || models[seedModel] == nil {
		return nil, fmt.Errorf("seed outputs have models %v, want just %s", sortedKeys(models), seedModel)
	}
	// replicate writes the members of src without the seed model in their
	// names once, then those with it once per copy, in model order.
	replicate := func(src map[string]json.RawMessage) json.RawMessage {
		var b bytes.Buffer
		b.WriteByte('{')
		first := true
		for _, k := range sortedKeys(src) {
			if strings.Contains(k, seedModel) {
				continue
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			fmt.Fprintf(&b, "%q:%s", k, src[k])
		}
		for i := 1; i <= n; i++ {
			for _, k := range sortedKeys(src) {
				if !strings.Contains(k, seedModel) {
					continue
				}
				if !first {
					b.WriteByte(',')
				}
				first = false
				name := synthModelName(i)
				fmt.Fprintf(&b, "%q:%s", strings.ReplaceAll(k, seedModel, name), bytes.ReplaceAll(src[k], []byte(seedModel), []byte(name)))
			}
		}
		b.WriteByte('}')
		return b.Bytes()
	}
	intro["models"] = replicate(models)
	intro["enums"] = replicate(enums)
	var err error
	if data["model_introspection"], err = json.Marshal(intro); err != nil {
		return nil, err
	}
	if top["data"], err = json.Marshal(data); err != nil {
		return nil, err
	}
	out, err := json.MarshalIndent(top, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// synthBackend is the generator input of one synthetic backend.
type synthBackend struct {
	Models          int
	Outputs, Schema string
}

// writeSynth writes the synthetic backend with n models under dir and
// checks that it loads and has what is expected.
func writeSynth(b *testing.B, dir string, n int) *synthBackend {
	b.Helper()
	seedSDL, err := os.ReadFile(seedSchema)
	if err != nil {
		b.Fatal(err)
	}
	seedOut, err := os.ReadFile(seedOutputs)
	if err != nil {
		b.Fatal(err)
	}
	sdl, err := synthSDL(string(seedSDL), n)
	if err != nil {
		b.Fatal(err)
	}
	outs, err := synthOutputs(seedOut, n)
	if err != nil {
		b.Fatal(err)
	}
	in := filepath.Join(dir, fmt.Sprintf("input-m%d", n))
	if err := os.MkdirAll(in, 0o755); err != nil {
		b.Fatal(err)
	}
	s := &synthBackend{Models: n, Schema: filepath.Join(in, "schema.graphql"), Outputs: filepath.Join(in, "amplify_outputs.json")}
	if err := os.WriteFile(s.Schema, []byte(sdl), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(s.Outputs, outs, 0o644); err != nil {
		b.Fatal(err)
	}

	sch, err := appsync.LoadSchema(s.Schema)
	if err != nil {
		b.Fatalf("synthetic schema with %d models: %v", n, err)
	}
	o, err := schema.LoadOutputs(s.Outputs)
	if err != nil {
		b.Fatalf("synthetic outputs with %d models: %v", n, err)
	}
	mi := o.Data.ModelIntrospection
	if len(mi.Models) != n || len(mi.Enums) != n {
		b.Fatalf("synthetic outputs have %d models and %d enums, want %d each", len(mi.Models), len(mi.Enums), n)
	}
	for i := 1; i <= n; i++ {
		name := synthModelName(i)
		if m := mi.Models[i-1]; m.Name != name || m.PluralName != name+"s" {
			b.Fatalf("model %d is %s (plural %s), want %s", i, m.Name, m.PluralName, name)
		}
		for _, t := range []string{name, name + "Priority", "Model" + name + "Connection", "Model" + name + "FilterInput",
			"Model" + name + "ConditionInput", "Create" + name + "Input", "Update" + name + "Input", "Delete" + name + "Input",
			"ModelSubscription" + name + "FilterInput", "Model" + name + "PriorityInput"} {
			if sch.Types[t] == nil {
				b.Fatalf("synthetic schema has no type %s", t)
			}
		}
		for _, f := range []struct {
			root  string
			field string
		}{{"Query", "get" + name}, {"Query", "list" + name + "s"}, {"Mutation", "create" + name}, {"Mutation", "update" + name},
			{"Mutation", "delete" + name}, {"Subscription", "onCreate" + name}} {
			if sch.Types[f.root].Fields.ForName(f.field) == nil {
				b.Fatalf("synthetic schema has no %s.%s", f.root, f.field)
			}
		}
	}
	if sch.Types[seedModel] != nil || sch.Types["ModelStringInput"] == nil || sch.Query.Fields.ForName("echo") == nil {
		b.Fatalf("synthetic schema does not keep the shared types and custom operations once")
	}
	return s
}

// generateSynth generates s's client into dir/amplifydata.
func generateSynth(b *testing.B, s *synthBackend, dir string) string {
	b.Helper()
	pkg := filepath.Join(dir, "amplifydata")
	if err := Generate(Config{Outputs: s.Outputs, Schema: s.Schema, Dir: pkg, Package: "amplifydata"}); err != nil {
		b.Fatalf("generate %d models: %v", s.Models, err)
	}
	return pkg
}

func BenchmarkGenerate(b *testing.B) {
	root := benchTempDir(b)
	backends := map[int]*synthBackend{}
	for _, n := range []int{1, 10, 100} {
		backends[n] = writeSynth(b, root, n)
	}
	// Warm-up: the first generation of the process pays for go list's
	// first look at the module and for the lazy initialisations.
	generateSynth(b, backends[1], filepath.Join(root, "warmup"))

	for _, n := range []int{1, 10, 100} {
		s := backends[n]
		b.Run(fmt.Sprintf("models=%d", n), func(b *testing.B) {
			i := 0
			var total time.Duration
			for b.Loop() {
				// A fresh folder each time: regenerating in place would
				// skip writing unchanged files.
				dir := filepath.Join(root, fmt.Sprintf("gen-m%d-%d", n, i))
				i++
				start := time.Now()
				pkg := generateSynth(b, s, dir)
				total += time.Since(start)
				b.StopTimer()
				if i == 1 {
					b.ReportMetric(float64(dirSize(b, pkg))/(1<<20), "out-MiB")
				}
				if err := os.RemoveAll(dir); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(total.Seconds()/float64(i), "sec/op")
		})
	}
}

// dirSize is the total size of the files under dir.
func dirSize(b *testing.B, dir string) int64 {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			n += fi.Size()
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// copyGoFiles copies the .go files of the package in src to dst: the same
// source under a new import path, which the build cache has not seen.
func copyGoFiles(b *testing.B, src, dst string) {
	b.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		b.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(src, "*.go"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no Go files in %s: %v", src, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// goBuild runs `go build ./pkg` in the gen folder and returns its wall time
// and its rusage (which covers the compiler, a child the go command waits
// for).
func goBuild(b *testing.B, pkg string) (time.Duration, *syscall.Rusage) {
	b.Helper()
	cmd := exec.Command("go", "build", "./"+filepath.ToSlash(pkg))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		b.Fatalf("go build ./%s: %v\n%s", pkg, err, out.Bytes())
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return wall, ru
}

func BenchmarkCompileGenerated(b *testing.B) {
	if _, err := exec.LookPath("go"); err != nil {
		b.Skip("no go command:", err)
	}
	root := benchTempDir(b)
	pkgs := map[int]string{}
	for _, n := range []int{1, 100} {
		s := writeSynth(b, root, n)
		pkgs[n] = generateSynth(b, s, filepath.Join(root, fmt.Sprintf("src-m%d", n)))
	}
	// Warm-up: compiles (or finds in the cache) the dependencies, client
	// and genqlient's graphql, so that the timed builds compile only the
	// generated package.
	goBuild(b, pkgs[1])

	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("models=%d", n), func(b *testing.B) {
			i := 0
			var wall, cpu time.Duration
			var peakKiB int64
			for b.Loop() {
				b.StopTimer()
				dst := filepath.Join(root, fmt.Sprintf("build-m%d-%d", n, i), "amplifydata")
				i++
				copyGoFiles(b, pkgs[n], dst)
				b.StartTimer()
				w, ru := goBuild(b, dst)
				wall += w
				if ru != nil {
					cpu += time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime))
					peakKiB = max(peakKiB, ru.Maxrss) // KiB on Linux
				}
			}
			b.ReportMetric(wall.Seconds()/float64(i), "wall-sec/op")
			if peakKiB > 0 {
				b.ReportMetric(cpu.Seconds()/float64(i), "cpu-sec/op")
				b.ReportMetric(float64(peakKiB)/1024, "peak-RSS-MiB")
			}
		})
	}
}
