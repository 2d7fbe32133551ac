package slackbot

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestDependencies: the bot and its cards depend on the records of the
// store and on the review's own types, never on a database driver or on
// the Bedrock SDK; the program wires those in (bot/config, serve.go).
func TestDependencies(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	cmd := exec.Command(goCmd, "list", "-deps", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", ".", "../card")
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("go list -deps: %v\n%s", err, stderr)
	}
	forbidden := []string{
		"modernc.org/sqlite",
		"github.com/aws/aws-sdk-go-v2/service/bedrockruntime",
	}
	importers := map[string][]string{} // package → the listed packages importing it
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if _, ok := importers[fields[0]]; !ok {
			importers[fields[0]] = nil // listed
		}
		for _, imp := range fields[1:] {
			importers[imp] = append(importers[imp], fields[0])
		}
	}
	if _, ok := importers["github.com/slack-go/slack"]; !ok {
		t.Fatalf("go list printed nothing like the bot's dependencies:\n%s", out)
	}
	for _, f := range forbidden {
		if by, ok := importers[f]; ok {
			slices.Sort(by)
			t.Errorf("bot/slackbot or bot/card depends on %s (imported by %s)", f, strings.Join(by, ", "))
		}
	}
}
