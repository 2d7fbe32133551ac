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
	// Title, Detail and Fix are templates (see Expand) filled with the
	// finding's arguments.
	Title, Detail, Fix string
	// Phrase is a template of the few words that name the problem in
	// the one-sentence summary of a score; empty: the title, starting
	// in lower case.
	Phrase string
	// Why says why it matters; Example is a policy fragment that
	// triggers it: a statement, a JSON array of statements, or a whole
	// policy document (an object with a Statement). Both are for the
	// documentation, and a test runs every example.
	Why, Example string
	// ExampleType is the policy type the example is reviewed as
	// ("identity", "resource", "trust", "scp", "rcp", "endpoint"); empty: detected
	// from its content.
	ExampleType string
	// References are links to AWS documentation or public research.
	References []string
	// Retired, when set, says why and since when the rule no longer
	// reports anything. A retired rule stays registered so that its id
	// is never given to another check.
	Retired string
}

// Finding returns a finding of the rule, its texts rendered from the
// rule's templates with args. The caller says where it is.
func (r *Rule) Finding(args Args) report.Finding {
	return report.Finding{
		Rule:           r.ID,
		Category:       r.Category,
		Severity:       r.Severity,
		Title:          Expand(r.Title, args),
		Detail:         Expand(r.Detail, args),
		Recommendation: Expand(r.Fix, args),
		Args:           args,
	}
}

var (
	mu       sync.RWMutex
	registry = map[string]*Rule{}
)

var (
	idPattern   = regexp.MustCompile(`^PC[0-9]{3}$`)
	namePattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// Register adds a rule to the registry and returns it. It panics on a
// malformed or duplicate id or name: both are programming errors.
func Register(r *Rule) *Rule {
	if !idPattern.MatchString(r.ID) {
		panic(fmt.Sprintf("rules: malformed id %q", r.ID))
	}
	if !namePattern.MatchString(r.Name) {
		panic(fmt.Sprintf("rules: %s: name %q is not kebab-case", r.ID, r.Name))
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

// Args are the values of a finding's template placeholders, as they are
// displayed (quoted where the text quotes them). A flag is set with any
// non-empty value and unset when empty or absent.
type Args map[string]string

// Expand fills a template with args. "{name}" is replaced by the argument
// of that name and left as it is when there is none; "{name?then|else}"
// is then when the argument is non-empty and else otherwise ("|else" may
// be left out); both branches are templates, and braces inside them must
// balance. A brace that does not start a placeholder, as in the JSON
// text {"Bool": ...}, is literal, and argument values are never expanded.
func Expand(tmpl string, args Args) string {
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	// Sized once: the template and every argument, at most.
	n := len(tmpl)
	for _, v := range args {
		n += len(v)
	}
	var b strings.Builder
	b.Grow(n)
	expand(&b, tmpl, args)
	return b.String()
}

func expand(b *strings.Builder, tmpl string, args Args) {
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return
		}
		b.WriteString(tmpl[:i])
		tmpl = tmpl[i:]
		name, cond, then, alt, n := placeholder(tmpl)
		switch {
		case n == 0:
			b.WriteByte('{')
			tmpl = tmpl[1:]
			continue
		case !cond:
			if v, ok := args[name]; ok {
				b.WriteString(v)
			} else {
				b.WriteString(tmpl[:n])
			}
		case args[name] != "":
			expand(b, then, args)
		default:
			expand(b, alt, args)
		}
		tmpl = tmpl[n:]
	}
}

// placeholder parses the placeholder that tmpl starts with and returns
// its name, whether it is a conditional and then its branches, and its
// length; n is 0 when tmpl does not start with one.
func placeholder(tmpl string) (name string, cond bool, then, alt string, n int) {
	i := 1
	for i < len(tmpl) && nameByte(tmpl[i]) {
		i++
	}
	if i == 1 || i == len(tmpl) {
		return "", false, "", "", 0
	}
	name = tmpl[1:i]
	switch tmpl[i] {
	case '}':
		return name, false, "", "", i + 1
	case '?':
	default:
		return "", false, "", "", 0
	}
	start, bar, depth := i+1, -1, 0
	for j := start; j < len(tmpl); j++ {
		switch tmpl[j] {
		case '{':
			depth++
		case '}':
			if depth > 0 {
				depth--
				continue
			}
			then = tmpl[start:j]
			if bar >= 0 {
				then, alt = tmpl[start:bar], tmpl[bar+1:j]
			}
			return name, true, then, alt, j + 1
		case '|':
			if depth == 0 && bar < 0 {
				bar = j
			}
		}
	}
	return "", false, "", "", 0
}

func nameByte(c byte) bool {
	return c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
