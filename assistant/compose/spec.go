package compose

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// MaxSpecBytes is the largest spec read.
const MaxSpecBytes = 64 << 10

// Spec is policy_sentry's CRUD template, as its users write it, with
// policycheck's extensions (Actions, Conditions). Lists may hold empty
// strings, as the template policy_sentry writes does; they are ignored.
type Spec struct {
	// Mode is "crud" (the default) or "actions", policy_sentry's template
	// of a list of actions (Actions).
	Mode string `json:"mode" yaml:"mode"`
	Name string `json:"name" yaml:"name"`

	// ARNs granted the actions of each access level that act on their
	// resource type.
	Read                  []string `json:"read" yaml:"read"`
	Write                 []string `json:"write" yaml:"write"`
	List                  []string `json:"list" yaml:"list"`
	Tagging               []string `json:"tagging" yaml:"tagging"`
	PermissionsManagement []string `json:"permissions-management" yaml:"permissions-management"`

	// WildcardOnly grants actions that take no resource ("*").
	WildcardOnly WildcardOnly `json:"wildcard-only" yaml:"wildcard-only"`
	// SkipResourceConstraints are actions granted on "*" although they
	// take resources, each named (no wildcards).
	SkipResourceConstraints []string `json:"skip-resource-constraints" yaml:"skip-resource-constraints"`
	// ExcludeActions are removed from the result; wildcards such as
	// "kms:Delete*" are allowed.
	ExcludeActions []string `json:"exclude-actions" yaml:"exclude-actions"`
	// STS grants role assumption on role ARNs.
	STS STS `json:"sts" yaml:"sts"`

	// Actions (policycheck's extension, and policy_sentry's "actions"
	// mode) are actions named one by one; each is granted on the ARNs of
	// the spec that fit its resource types, or on placeholders.
	Actions []string `json:"actions" yaml:"actions"`
	// Conditions (policycheck's extension) are added to the statements
	// whose every action the condition key applies to.
	Conditions []Condition `json:"conditions" yaml:"conditions"`
}

// WildcardOnly is the template's wildcard-only section.
type WildcardOnly struct {
	SingleActions                []string `json:"single-actions" yaml:"single-actions"`
	ServiceRead                  []string `json:"service-read" yaml:"service-read"`
	ServiceWrite                 []string `json:"service-write" yaml:"service-write"`
	ServiceList                  []string `json:"service-list" yaml:"service-list"`
	ServiceTagging               []string `json:"service-tagging" yaml:"service-tagging"`
	ServicePermissionsManagement []string `json:"service-permissions-management" yaml:"service-permissions-management"`
}

// STS is the template's sts section: role ARNs per assume-role action.
type STS struct {
	AssumeRole                []string `json:"assume-role" yaml:"assume-role"`
	AssumeRoleWithSAML        []string `json:"assume-role-with-saml" yaml:"assume-role-with-saml"`
	AssumeRoleWithWebIdentity []string `json:"assume-role-with-web-identity" yaml:"assume-role-with-web-identity"`
}

// Condition is a condition added to statements: Operator (e.g.
// "StringEquals"), Key (e.g. "aws:ResourceAccount") and Values. With
// Service set, only statements of that service get it.
type Condition struct {
	Service  string   `json:"service" yaml:"service"`
	Operator string   `json:"operator" yaml:"operator"`
	Key      string   `json:"key" yaml:"key"`
	Values   []string `json:"values" yaml:"values"`
}

// ParseSpec reads a spec written in YAML or JSON. Unknown keys are
// refused: a misspelt section would otherwise grant less than meant
// without a word.
func ParseSpec(data []byte) (*Spec, error) {
	if len(data) > MaxSpecBytes {
		return nil, fmt.Errorf("the spec is %d KB; the limit is %d KB", len(data)>>10, MaxSpecBytes>>10)
	}
	var s Spec
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the spec is empty")
		}
		return nil, fmt.Errorf("read the spec: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("read the spec: it holds more than one YAML document")
	}
	s.Mode = strings.ToLower(strings.TrimSpace(s.Mode))
	switch s.Mode {
	case "", "crud", "actions":
	default:
		return nil, fmt.Errorf("mode %q: policycheck reads the crud and actions templates", s.Mode)
	}
	return &s, nil
}

// YAML writes the spec in the template's form, leaving out empty sections,
// so that it can be saved, reviewed and compiled again.
func (s *Spec) YAML() []byte {
	var b strings.Builder
	mode := s.Mode
	if mode == "" {
		mode = "crud"
	}
	fmt.Fprintf(&b, "mode: %s\n", mode)
	if s.Name != "" {
		fmt.Fprintf(&b, "name: %s\n", quote(s.Name))
	}
	list := func(indent, key string, vs []string) {
		var kept []string
		for _, v := range vs {
			if strings.TrimSpace(v) != "" {
				kept = append(kept, v)
			}
		}
		if len(kept) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s%s:\n", indent, key)
		for _, v := range kept {
			fmt.Fprintf(&b, "%s- %s\n", indent, quote(v))
		}
	}
	list("", "read", s.Read)
	list("", "write", s.Write)
	list("", "list", s.List)
	list("", "tagging", s.Tagging)
	list("", "permissions-management", s.PermissionsManagement)
	w := s.WildcardOnly
	if !empty(w.SingleActions, w.ServiceRead, w.ServiceWrite, w.ServiceList, w.ServiceTagging, w.ServicePermissionsManagement) {
		b.WriteString("wildcard-only:\n")
		list("  ", "single-actions", w.SingleActions)
		list("  ", "service-read", w.ServiceRead)
		list("  ", "service-write", w.ServiceWrite)
		list("  ", "service-list", w.ServiceList)
		list("  ", "service-tagging", w.ServiceTagging)
		list("  ", "service-permissions-management", w.ServicePermissionsManagement)
	}
	list("", "skip-resource-constraints", s.SkipResourceConstraints)
	list("", "exclude-actions", s.ExcludeActions)
	if !empty(s.STS.AssumeRole, s.STS.AssumeRoleWithSAML, s.STS.AssumeRoleWithWebIdentity) {
		b.WriteString("sts:\n")
		list("  ", "assume-role", s.STS.AssumeRole)
		list("  ", "assume-role-with-saml", s.STS.AssumeRoleWithSAML)
		list("  ", "assume-role-with-web-identity", s.STS.AssumeRoleWithWebIdentity)
	}
	if len(s.Actions) > 0 {
		b.WriteString("# policycheck: actions named one by one\n")
		list("", "actions", s.Actions)
	}
	if len(s.Conditions) > 0 {
		b.WriteString("# policycheck: conditions added to the statements they apply to\nconditions:\n")
		for _, c := range s.Conditions {
			first := "- "
			if c.Service != "" {
				fmt.Fprintf(&b, "%sservice: %s\n", first, quote(c.Service))
				first = "  "
			}
			fmt.Fprintf(&b, "%soperator: %s\n  key: %s\n", first, quote(c.Operator), quote(c.Key))
			list("  ", "values", c.Values)
		}
	}
	return []byte(b.String())
}

func empty(lists ...[]string) bool {
	for _, l := range lists {
		for _, v := range l {
			if strings.TrimSpace(v) != "" {
				return false
			}
		}
	}
	return true
}

// quote writes a YAML scalar in single quotes, as the template does.
func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
