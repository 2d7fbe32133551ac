// Package rules is the registry of the engine's checks. Each check is a
// Rule value with a stable id that is never reused, registered once by the
// package that implements it (as go vet's analyzers are): findings carry
// the id, the score ceiling comes from the rule, and documentation,
// suppressions, SARIF and translations are keyed by it.
package rules

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/policycheck/policycheck/assistant/report"
)

// Rule is one check.
type Rule struct {
	// ID is stable and never reused, e.g. "PC101".
	ID string
	// Name is a short kebab-case name, e.g. "full-admin".
	Name     string
	Category report.Category
	// Severity is the severity of its findings.
	Severity report.Severity
	// Ceiling is the highest score a policy with this finding can get;
	// 10 means the finding is reported without lowering the score.
	Ceiling int
	// Title, Detail and Fix are templates: "{name}" is replaced by the
	// finding's argument of that name.
	Title, Detail, Fix string
	// Why says why it matters; Example is a policy fragment that
	// triggers it. Both are for the documentation.
	Why, Example string
	// References are links to AWS documentation or public research.
	References []string
}

var (
	mu       sync.RWMutex
	registry = map[string]*Rule{}
)

var idPattern = regexp.MustCompile(`^PC[0-9]{3}$`)

// Register adds a rule to the registry and returns it. It panics on a
// malformed or duplicate id or name: both are programming errors.
func Register(r *Rule) *Rule {
	if !idPattern.MatchString(r.ID) {
		panic(fmt.Sprintf("rules: malformed id %q", r.ID))
	}
	if r.Ceiling < 1 || r.Ceiling > 10 {
		panic(fmt.Sprintf("rules: %s: ceiling %d out of 1-10", r.ID, r.Ceiling))
	}
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[r.ID]; dup {
		panic("rules: duplicate id " + r.ID)
	}
	for _, o := range registry {
		if o.Name == r.Name {
			panic("rules: duplicate name " + r.Name)
		}
	}
	registry[r.ID] = r
	return r
}

// Lookup returns the rule with an id or a name.
func Lookup(idOrName string) (*Rule, bool) {
	mu.RLock()
	defer mu.RUnlock()
	if r, ok := registry[idOrName]; ok {
		return r, true
	}
	for _, r := range registry {
		if r.Name == idOrName {
			return r, true
		}
	}
	return nil, false
}

// All returns every registered rule, by id.
func All() []*Rule {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]*Rule, 0, len(registry))
	for _, r := range registry {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Args are the values of a finding's template placeholders.
type Args map[string]string

// Expand fills a template's placeholders; an unknown one is left as it is.
func Expand(tmpl string, args Args) string {
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		name := tmpl[i+1 : i+j]
		b.WriteString(tmpl[:i])
		if v, ok := args[name]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(tmpl[i : i+j+1])
		}
		tmpl = tmpl[i+j+1:]
	}
}
