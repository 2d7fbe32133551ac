package suppress

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/internal/gitignore"
)

// ConfigName is the configuration file looked for at the root of a
// directory that is checked.
const ConfigName = ".policycheck.yaml"

// maxConfigBytes bounds a configuration file: it is a few lines.
const maxConfigBytes = 1 << 20

// Config is a repository's configuration.
type Config struct {
	// Path is the file it was read from; Dir the directory its paths
	// are relative to (the file's).
	Path, Dir string
	// Exclude are patterns, in .gitignore's syntax, of paths not to
	// check.
	Exclude []string
	// FailOn is the severity at or above which an unsuppressed finding
	// fails the run; empty: none.
	FailOn report.Severity
	// FailUnder fails the run when a score is below it; 0: never.
	FailUnder int
	// Ignore are the suppressions.
	Ignore []Ignore
}

// Ignore is one suppression of the configuration file.
type Ignore struct {
	// Rule is a rule id or name, or a category.
	Rule string
	// Path is a pattern, in .gitignore's syntax, of the files it
	// applies to, relative to the configuration's directory; empty:
	// every file.
	Path    string
	Reason  string
	Expires string // YYYY-MM-DD, or empty
	Line    int    // where it was written
}

// fileConfig is the file as written.
type fileConfig struct {
	Exclude   []string `yaml:"exclude"`
	FailOn    string   `yaml:"fail_on"`
	FailUnder int      `yaml:"fail_under"`
	Ignore    []struct {
		Rule    string `yaml:"rule"`
		Path    string `yaml:"path"`
		Reason  string `yaml:"reason"`
		Expires string `yaml:"expires"`
	} `yaml:"ignore"`
}

// Find reads the configuration file in dir, if there is one: a nil
// Config and no error when there is none.
func Find(dir string) (*Config, error) {
	path := filepath.Join(dir, ConfigName)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return Load(path)
}

// Load reads a configuration file.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read configuration %s: %w", path, err)
	}
	if len(data) > maxConfigBytes {
		return nil, fmt.Errorf("%s: over %d bytes; a configuration is a few lines", path, maxConfigBytes)
	}
	c, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	c.Dir = filepath.Dir(path)
	return c, nil
}

var datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// Parse reads a configuration from its text; name names it in errors. A
// key it does not know, a severity or date it cannot read, or a
// suppression that names no rule is an error: a mistyped setting must not
// silently let findings through. A suppression without a reason is not an
// error here: it is reported where it would apply (see Suppressor).
func Parse(name string, data []byte) (*Config, error) {
	c := &Config{Path: name, Dir: filepath.Dir(name)}
	if len(bytes.TrimSpace(data)) == 0 {
		return c, nil
	}
	var fc fileConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&fc); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	// The lines of the suppressions, for saying where each was declared.
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	lines := ignoreLines(&root)

	for _, p := range fc.Exclude {
		if !gitignore.Valid(p) {
			return nil, fmt.Errorf("%s: exclude: %q is not a valid pattern", name, p)
		}
	}
	c.Exclude = fc.Exclude
	if fc.FailOn != "" {
		sev, ok := ParseSeverity(fc.FailOn)
		if !ok {
			return nil, fmt.Errorf("%s: fail_on must be critical, high, medium or low, not %q", name, fc.FailOn)
		}
		c.FailOn = sev
	}
	if fc.FailUnder < 0 || fc.FailUnder > 10 {
		return nil, fmt.Errorf("%s: fail_under must be between 0 and 10, not %d", name, fc.FailUnder)
	}
	c.FailUnder = fc.FailUnder
	for i, ig := range fc.Ignore {
		line := 0
		if i < len(lines) {
			line = lines[i]
		}
		at := fmt.Sprintf("%s:%d", name, line)
		switch {
		case strings.TrimSpace(ig.Rule) == "":
			return nil, fmt.Errorf("%s: the suppression names no rule: write rule: <rule id, rule name or category>", at)
		case !knownRule(strings.TrimSpace(ig.Rule)):
			return nil, fmt.Errorf("%s: no rule or category is named %q (see docs/rules.md)", at, ig.Rule)
		case ig.Path != "" && !gitignore.Valid(ig.Path):
			return nil, fmt.Errorf("%s: path %q is not a valid pattern", at, ig.Path)
		case ig.Expires != "" && !validDate(ig.Expires):
			return nil, fmt.Errorf("%s: expires must be a date written YYYY-MM-DD, not %q", at, ig.Expires)
		}
		c.Ignore = append(c.Ignore, Ignore{Rule: strings.TrimSpace(ig.Rule), Path: ig.Path,
			Reason: strings.TrimSpace(ig.Reason), Expires: ig.Expires, Line: line})
	}
	return c, nil
}

// ignoreLines returns the line of each item of the top-level ignore list.
func ignoreLines(root *yaml.Node) []int {
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != "ignore" || m.Content[i+1].Kind != yaml.SequenceNode {
			continue
		}
		var out []int
		for _, it := range m.Content[i+1].Content {
			out = append(out, it.Line)
		}
		return out
	}
	return nil
}

func validDate(s string) bool {
	if !datePattern.MatchString(s) {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// ParseSeverity reads a gate's severity: critical, high, medium or low,
// in any case.
func ParseSeverity(s string) (report.Severity, bool) {
	switch sev := report.Severity(strings.ToLower(strings.TrimSpace(s))); sev {
	case report.Critical, report.High, report.Medium, report.Low:
		return sev, true
	}
	return "", false
}
