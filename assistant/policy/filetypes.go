package policy

import (
	"path"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// FileTypes reads a Terraform configuration for the policies it loads
// from other files (policy = file("${path.module}/scp.json"),
// templatefile(...)) and returns the type each of those files has there,
// by its path relative to the configuration's directory, in slashes. A
// directory run reviews those files with that type: an SCP kept in a
// JSON file of its own is an SCP, not an identity policy. A file that
// does not parse gives none.
func FileTypes(data []byte) map[string]Type {
	if len(data) > MaxInputBytes {
		return nil
	}
	f, diags := hclsyntax.ParseConfig(data, "", hcl.InitialPos)
	if diags.HasErrors() {
		return nil
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	t := &tfReader{r: &reader{}, src: string(data), vars: map[string]hclsyntax.Expression{}, declared: map[string]bool{},
		data: map[string]*hclsyntax.Block{}, locals: map[string]hclsyntax.Expression{}}
	t.o.loc = identityLoc{}
	t.r.loc = t.o.loc
	var out map[string]Type
	for _, b := range body.Blocks {
		if b.Type != "resource" || len(b.Labels) != 2 {
			continue
		}
		for _, a := range tfPolicies[b.Labels[0]] {
			attr := b.Body.Attributes[a.name]
			if attr == nil {
				continue
			}
			typ := a.typ
			if b.Labels[0] == "aws_organizations_policy" {
				if typ = t.orgPolicyType(b); typ == "" {
					continue
				}
			}
			if p, ok := fileArgument(attr.Expr); ok {
				if out == nil {
					out = map[string]Type{}
				}
				out[p] = typ
			}
		}
	}
	return out
}

// fileArgument is the path file() or templatefile() reads, relative to the
// configuration's directory, when it is written out.
func fileArgument(e hclsyntax.Expression) (string, bool) {
	call, ok := e.(*hclsyntax.FunctionCallExpr)
	if !ok || (call.Name != "file" && call.Name != "templatefile") || len(call.Args) == 0 {
		return "", false
	}
	tmpl, ok := call.Args[0].(*hclsyntax.TemplateExpr)
	if !ok {
		return "", false
	}
	var b strings.Builder
	for _, p := range tmpl.Parts {
		switch x := p.(type) {
		case *hclsyntax.LiteralValueExpr:
			if !x.Val.IsKnown() || x.Val.IsNull() || x.Val.Type() != cty.String {
				return "", false
			}
			b.WriteString(x.Val.AsString())
		case *hclsyntax.ScopeTraversalExpr:
			if tr := x.Traversal; len(tr) == 2 && tr.RootName() == "path" {
				if a, ok := tr[1].(hcl.TraverseAttr); ok && (a.Name == "module" || a.Name == "root") {
					b.WriteString(".")
					continue
				}
			}
			return "", false
		default:
			return "", false
		}
	}
	p := path.Clean(b.String())
	if path.IsAbs(p) {
		return "", false
	}
	return p, true
}

// identityLoc locates offsets nowhere: FileTypes reports no positions.
type identityLoc struct{}

func (identityLoc) pos(int) Pos { return Pos{} }
