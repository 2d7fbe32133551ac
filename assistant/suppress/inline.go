package suppress

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"gopkg.in/yaml.v3"

	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
)

// inline is a suppression written in the file it applies to.
type inline struct {
	report.Suppression
	// What it covers: the documents of a CloudFormation resource or a
	// Terraform block, whose names start with prefix (its logical id or
	// address) or whose lines lie in [from, to]; or, when stmt is set, the statement starting on
	// that line.
	prefix   string
	from, to int
	stmt     int
}

func (in *inline) covers(f *report.Finding) bool {
	switch {
	case in.stmt > 0:
		return f.Line == in.stmt
	case in.prefix != "" && strings.HasPrefix(f.Document, in.prefix):
		// The resource's own documents: "AppRole.Policies[0] ...",
		// "aws_iam_role.app (assume_role_policy)", not "AppRole2...".
		if rest := f.Document[len(in.prefix):]; rest == "" || rest[0] == ' ' || rest[0] == '.' {
			return true
		}
	}
	return in.from > 0 && f.Line >= in.from && f.Line <= in.to
}

// marker is what every inline suppression holds; a file without it is
// not parsed again.
var marker = []byte("policycheck")

// inlineSuppressions finds the suppressions written in a file: in a
// CloudFormation template, Metadata: {policycheck: {ignore: [...]}} on a
// resource; in Terraform, a comment "# policycheck:ignore RULE REASON" on
// the line above a resource, a data block or a statement.
func inlineSuppressions(name string, data []byte) []inline {
	if !bytes.Contains(data, marker) {
		return nil
	}
	if kind, _ := policy.KindOf(name); kind == policy.KindTerraform {
		return terraformSuppressions(name, data)
	}
	return templateSuppressions(name, data)
}

// templateSuppressions reads the policycheck Metadata of a template's
// resources. Aliases are not followed: a suppression is written out.
func templateSuppressions(name string, data []byte) []inline {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil || root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return nil
	}
	var out []inline
	resources := get(root.Content[0], "Resources")
	if resources == nil || resources.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(resources.Content); i += 2 {
		logical, res := resources.Content[i].Value, resources.Content[i+1]
		ignore := get(get(get(res, "Metadata"), "policycheck"), "ignore")
		if ignore == nil {
			continue
		}
		items := []*yaml.Node{ignore}
		if ignore.Kind == yaml.SequenceNode {
			items = ignore.Content
		}
		for _, it := range items {
			s := report.Suppression{
				Rule:    strings.TrimSpace(scalar(get(it, "rule"))),
				Reason:  strings.TrimSpace(scalar(get(it, "reason"))),
				Expires: strings.TrimSpace(scalar(get(it, "expires"))),
				Source:  fmt.Sprintf("%s:%d (Metadata of %s)", name, it.Line, logical),
			}
			out = append(out, inline{Suppression: s, prefix: logical})
		}
	}
	return out
}

// get returns the value of a key of a mapping, or nil.
func get(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

var tfIgnore = regexp.MustCompile(`^\s*(?:#|//)\s*policycheck:ignore(?:\s+(\S+))?(?:\s+(.*?))?\s*$`)

// terraformSuppressions reads "# policycheck:ignore RULE REASON" comments.
// One applies to what starts on the next line that is neither blank nor
// a comment: a resource or data block (all its policies), or a statement.
func terraformSuppressions(name string, data []byte) []inline {
	lines := strings.Split(string(data), "\n")
	var out []inline
	var blocks hclsyntax.Blocks
	parsed := false
	for i, l := range lines {
		m := tfIgnore.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		target := 0
		for j := i + 1; j < len(lines); j++ {
			t := strings.TrimSpace(lines[j])
			if t != "" && !strings.HasPrefix(t, "#") && !strings.HasPrefix(t, "//") {
				target = j + 1
				break
			}
		}
		in := inline{Suppression: report.Suppression{Rule: m[1], Reason: m[2], Source: fmt.Sprintf("%s:%d", name, i+1)}, stmt: target}
		if !parsed {
			if f, diags := hclsyntax.ParseConfig(data, name, hcl.InitialPos); !diags.HasErrors() {
				if body, ok := f.Body.(*hclsyntax.Body); ok {
					blocks = body.Blocks
				}
			}
			parsed = true
		}
		for _, b := range blocks {
			if b.Range().Start.Line != target || len(b.Labels) != 2 {
				continue
			}
			in.stmt, in.from, in.to = 0, target, b.Range().End.Line
			switch b.Type {
			case "resource":
				in.prefix = b.Labels[0] + "." + b.Labels[1]
			case "data":
				in.prefix = "data." + b.Labels[0] + "." + b.Labels[1]
			}
		}
		out = append(out, in)
	}
	return out
}
