package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// tfAttribute is a resource attribute that holds a policy.
type tfAttribute struct {
	name string
	typ  Type
}

var tfPolicies = map[string][]tfAttribute{
	"aws_iam_policy":                     {{"policy", Identity}},
	"aws_iam_role_policy":                {{"policy", Identity}},
	"aws_iam_user_policy":                {{"policy", Identity}},
	"aws_iam_group_policy":               {{"policy", Identity}},
	"aws_iam_role":                       {{"assume_role_policy", Trust}},
	"aws_s3_bucket_policy":               {{"policy", Resource}},
	"aws_s3_bucket":                      {{"policy", Resource}},
	"aws_sqs_queue_policy":               {{"policy", Resource}},
	"aws_sqs_queue":                      {{"policy", Resource}},
	"aws_sns_topic_policy":               {{"policy", Resource}},
	"aws_sns_topic":                      {{"policy", Resource}},
	"aws_kms_key":                        {{"policy", Resource}},
	"aws_kms_key_policy":                 {{"policy", Resource}},
	"aws_ecr_repository_policy":          {{"policy", Resource}},
	"aws_secretsmanager_secret_policy":   {{"policy", Resource}},
	"aws_secretsmanager_secret":          {{"policy", Resource}},
	"aws_cloudwatch_log_resource_policy": {{"policy_document", Resource}},
	"aws_opensearch_domain_policy":       {{"access_policies", Resource}},
	"aws_organizations_policy":           {{"content", SCP}},
	"aws_vpc_endpoint":                   {{"policy", Endpoint}},
	"aws_vpc_endpoint_policy":            {{"policy", Endpoint}},
}

// readTerraform reads the policies of a Terraform configuration: resources
// with policy attributes and aws_iam_policy_document data sources.
func (r *reader) readTerraform(rg region) (err error) {
	src := r.text[rg.start:rg.end]
	t := &tfReader{r: r, src: src, o: origin{text: r.text, loc: r.loc}, base: rg.start,
		data: map[string]*hclsyntax.Block{}, locals: map[string]hclsyntax.Expression{}, used: map[string]bool{},
		vars: map[string]hclsyntax.Expression{}, declared: map[string]bool{}, iterators: map[string]bool{}, budget: localBudget}
	body, perr := t.parse()
	if perr != nil {
		return perr
	}
	for _, b := range body.Blocks {
		switch {
		case b.Type == "data" && len(b.Labels) == 2 && b.Labels[0] == "aws_iam_policy_document":
			t.data[b.Labels[1]] = b
		case b.Type == "locals":
			for name, a := range b.Body.Attributes {
				t.locals[name] = a.Expr
			}
		case b.Type == "variable" && len(b.Labels) == 1:
			t.vars[b.Labels[0]] = nil
			if a := b.Body.Attributes["default"]; a != nil {
				t.vars[b.Labels[0]] = a.Expr
			}
		case b.Type == "resource" && len(b.Labels) == 2:
			t.declared[b.Labels[0]+"."+b.Labels[1]] = true
		}
	}
	t.module(r.opts.Module)
	r.refs = t
	defer func() { r.refs = nil }()
	n := len(r.docs)
	var firstErr *Error
	es := newEntities(r)
	for _, b := range body.Blocks {
		first := len(r.docs)
		if b.Type == "resource" && len(b.Labels) == 2 {
			firstErr = firstError(firstErr, t.resource(b))
		}
		t.entity(es, b, r.docs[first:])
	}
	r.entities = append(r.entities, es.link()...)
	// Documents no resource in this file uses are reviewed on their own.
	for _, b := range body.Blocks {
		if b.Type == "data" && len(b.Labels) == 2 && b.Labels[0] == "aws_iam_policy_document" && !t.used[b.Labels[1]] {
			r.addDoc(found{doc: t.dataDoc(b, "data.aws_iam_policy_document."+b.Labels[1], "")})
		}
	}
	switch {
	case len(r.docs) > n && firstErr != nil:
		r.notes = append(r.notes, Note{Pos: firstErr.Pos, Message: "skipped a policy that could not be read: " + firstErr.Msg})
	case len(r.docs) == n && firstErr != nil:
		return firstErr
	case len(r.docs) == n:
		return errNoPolicy(`no IAM policy found in this Terraform: expected a resource such as aws_iam_policy or aws_iam_role, or a data "aws_iam_policy_document" block`)
	}
	return nil
}

// tfReader reads one Terraform text.
type tfReader struct {
	r      *reader
	src    string
	o      origin
	base   int // offset of src in r.text
	data   map[string]*hclsyntax.Block
	locals map[string]hclsyntax.Expression
	used   map[string]bool // data documents a resource refers to
	depth  int
	// vars are the variables declared, with their default (nil: none);
	// declared are the resources ("aws_s3_bucket.logs").
	vars     map[string]hclsyntax.Expression
	declared map[string]bool
	// iter is the element of a dynamic block being expanded: its
	// iterator's name and the key and value of the element (value nil:
	// computed when Terraform runs); iterators are the names of the
	// iterators met.
	iter      *iteration
	iterators map[string]bool
	// expanded counts the statements written by dynamic blocks.
	expanded int
	// budget is what reading locals through may still cost (see spend).
	budget int
}

// spend takes n from the budget of values read through locals, and
// reports whether there was enough: locals that refer to others several
// times over ("a = [local.b, local.b]", "b = [local.c, local.c]"...) grow
// exponentially, so past the budget a local stays a reference.
func (t *tfReader) spend(n int) bool {
	if t.budget < n {
		t.budget = 0
		return false
	}
	t.budget -= n
	return true
}

// localBudget is the budget of values read through locals in one
// configuration; maxLocalText is the longest text a local is read as.
const (
	localBudget  = 1 << 14
	maxLocalText = 1 << 14
)

// maxExpanded bounds the statements dynamic blocks write in one
// configuration: more than a policy within AWS's size quota can hold.
const maxExpanded = 200

// iteration is one element of a dynamic block's for_each.
type iteration struct {
	name       string
	key, value hclsyntax.Expression
}

// moduleFile names the expressions taken from the module's other files:
// they are plain values (see plain), placed where they are used.
const moduleFile = "(another file of the module)"

// module reads the variables and locals the module's other files declare
// and this one does not: a default or a local that is a plain value (a
// string, number, bool, or a list or map of them) is kept; any other is
// known only as declared. A file that does not parse is passed over, as
// Terraform would refuse the module rather than this file.
func (t *tfReader) module(files [][]byte) {
	if !strings.Contains(t.src, "var.") && !strings.Contains(t.src, "local.") {
		return // nothing here refers to them
	}
	for _, src := range files {
		f, diags := parseQuietly(src)
		if diags || f == nil {
			continue
		}
		for _, b := range f.Blocks {
			switch {
			case b.Type == "locals":
				for name, a := range b.Body.Attributes {
					if _, ok := t.locals[name]; ok {
						continue
					}
					if v, ok := plain(a.Expr, 0); ok {
						t.locals[name] = v
					}
				}
			case b.Type == "variable" && len(b.Labels) == 1:
				name := b.Labels[0]
				if _, ok := t.vars[name]; ok {
					continue
				}
				t.vars[name] = nil
				if a := b.Body.Attributes["default"]; a != nil {
					if v, ok := plain(a.Expr, 0); ok {
						t.vars[name] = v
					}
				}
			case b.Type == "resource" && len(b.Labels) == 2:
				t.declared[b.Labels[0]+"."+b.Labels[1]] = true
			}
		}
	}
}

// parseQuietly parses a file of the module, bounded and without a panic
// reaching the caller; bad reports any error.
func parseQuietly(src []byte) (body *hclsyntax.Body, bad bool) {
	defer func() {
		if recover() != nil {
			body, bad = nil, true
		}
	}()
	if len(src) > MaxInputBytes*8 {
		return nil, true
	}
	depth := 0
	for _, c := range src {
		switch c {
		case '{', '[', '(':
			if depth++; depth > maxDepth {
				return nil, true
			}
		case '}', ']', ')':
			depth = max(depth-1, 0)
		}
	}
	f, diags := hclsyntax.ParseConfig(src, moduleFile, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, true
	}
	b, ok := f.Body.(*hclsyntax.Body)
	return b, !ok
}

// plain copies an expression of another file that is a plain value: a
// literal, a template without references, or a list or map of them. The
// copy has no place in this file's text (its ranges name moduleFile):
// what reads it places it where it is used.
func plain(e hclsyntax.Expression, depth int) (hclsyntax.Expression, bool) {
	if depth > 16 {
		return nil, false
	}
	rng := hcl.Range{Filename: moduleFile}
	switch x := e.(type) {
	case *hclsyntax.LiteralValueExpr:
		if x.Val.IsKnown() && (x.Val.IsNull() || x.Val.Type() == cty.String || x.Val.Type() == cty.Number || x.Val.Type() == cty.Bool) {
			return &hclsyntax.LiteralValueExpr{Val: x.Val, SrcRange: rng}, true
		}
	case *hclsyntax.TemplateExpr:
		var b strings.Builder
		for _, p := range x.Parts {
			lit, ok := p.(*hclsyntax.LiteralValueExpr)
			if !ok || !lit.Val.IsKnown() || lit.Val.IsNull() || lit.Val.Type() != cty.String {
				return nil, false
			}
			b.WriteString(lit.Val.AsString())
		}
		return &hclsyntax.LiteralValueExpr{Val: cty.StringVal(b.String()), SrcRange: rng}, true
	case *hclsyntax.TupleConsExpr:
		out := &hclsyntax.TupleConsExpr{SrcRange: rng, OpenRange: rng}
		for _, it := range x.Exprs {
			v, ok := plain(it, depth+1)
			if !ok {
				return nil, false
			}
			out.Exprs = append(out.Exprs, v)
		}
		return out, true
	case *hclsyntax.ObjectConsExpr:
		out := &hclsyntax.ObjectConsExpr{SrcRange: rng, OpenRange: rng}
		for _, it := range x.Items {
			key := it.KeyExpr
			if k, ok := key.(*hclsyntax.ObjectConsKeyExpr); ok {
				if name := hcl.ExprAsKeyword(k.Wrapped); name != "" && !k.ForceNonLiteral {
					key = &hclsyntax.LiteralValueExpr{Val: cty.StringVal(name), SrcRange: rng}
				} else {
					key = k.Wrapped
				}
			}
			kv, ok := plain(key, depth+1)
			if !ok {
				return nil, false
			}
			v, ok := plain(it.ValueExpr, depth+1)
			if !ok {
				return nil, false
			}
			out.Items = append(out.Items, hclsyntax.ObjectConsItem{KeyExpr: kv, ValueExpr: v})
		}
		return out, true
	case *hclsyntax.ParenthesesExpr:
		return plain(x.Expression, depth+1)
	}
	return nil, false
}

// sub reads e, which stands for the reference at ref: a value of another
// file of the module is placed at the reference.
func (t *tfReader) sub(ref *node, e hclsyntax.Expression) *node {
	v := t.value(e)
	if e.Range().Filename == moduleFile {
		v.place(ref.off, ref.end)
	}
	return v
}

// parse parses the configuration, turning a panic of the parser into a
// syntax error.
func (t *tfReader) parse() (body *hclsyntax.Body, err *Error) {
	defer func() {
		if p := recover(); p != nil {
			body, err = nil, &Error{Kind: ErrSyntax, Msg: fmt.Sprintf("invalid Terraform: %v", p)}
		}
	}()
	// The HCL parser recurses for each level of nesting: bound it first,
	// since running out of stack cannot be recovered from.
	depth := 0
	for i := 0; i < len(t.src); i++ {
		switch t.src[i] {
		case '{', '[', '(':
			if depth++; depth > maxDepth {
				return nil, t.r.errorAt(ErrSyntax, t.pos(i), fmt.Sprintf("invalid Terraform: nested more than %d levels deep", maxDepth))
			}
		case '}', ']', ')':
			depth = max(depth-1, 0)
		}
	}
	f, diags := hclsyntax.ParseConfig([]byte(t.src), t.r.opts.Name, hcl.InitialPos)
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		msg := "invalid Terraform: " + d.Summary
		if d.Detail != "" {
			msg += ": " + strings.TrimSuffix(d.Detail, ".")
		}
		if d.Subject == nil {
			return nil, &Error{Kind: ErrSyntax, Msg: msg}
		}
		return nil, t.r.errorAt(ErrSyntax, t.pos(d.Subject.Start.Byte), msg)
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return nil, &Error{Kind: ErrSyntax, Msg: "invalid Terraform"}
	}
	return body, nil
}

func (t *tfReader) off(b int) int { return t.base + min(max(b, 0), len(t.src)) }
func (t *tfReader) pos(b int) Pos { return t.r.loc.pos(t.off(b)) }
func (t *tfReader) note(b int, msg string) {
	t.r.notes = append(t.r.notes, Note{Pos: t.pos(b), Message: msg})
}

// text is the source of a range, on one line.
func (t *tfReader) text(rng hcl.Range) string {
	s := t.src[min(max(rng.Start.Byte, 0), len(t.src)):min(max(rng.End.Byte, 0), len(t.src))]
	return strings.Join(strings.Fields(s), " ")
}

// resource adds the policies of one resource block.
func (t *tfReader) resource(b *hclsyntax.Block) *Error {
	kind, name := b.Labels[0], b.Labels[1]
	var firstErr *Error
	for _, a := range tfPolicies[kind] {
		attr := b.Body.Attributes[a.name]
		if attr == nil {
			continue
		}
		typ := a.typ
		if kind == "aws_organizations_policy" {
			if typ = t.orgPolicyType(b); typ == "" {
				continue
			}
		}
		firstErr = firstError(firstErr, t.policy(attr.Expr, fmt.Sprintf("%s.%s (%s)", kind, name, a.name), typ))
	}
	if kind == "aws_iam_role" {
		for i, blk := range b.Body.Blocks {
			if blk.Type != "inline_policy" || blk.Body.Attributes["policy"] == nil {
				continue
			}
			label := fmt.Sprintf("inline_policy[%d]", i)
			if n := blk.Body.Attributes["name"]; n != nil {
				if s := t.value(n.Expr); s.isString() {
					label += fmt.Sprintf(" %q", s.str)
				}
			}
			firstErr = firstError(firstErr, t.policy(blk.Body.Attributes["policy"].Expr, fmt.Sprintf("%s.%s (%s)", kind, name, label), Identity))
		}
	}
	return firstErr
}

func (t *tfReader) orgPolicyType(b *hclsyntax.Block) Type {
	a := b.Body.Attributes["type"]
	if a == nil {
		return SCP // the provider's default
	}
	return orgPolicyType(t.value(a.Expr))
}

// policy adds the document an attribute holds: jsonencode({...}), JSON in
// a string or heredoc, or a data source's json.
func (t *tfReader) policy(e hclsyntax.Expression, name string, typ Type) *Error {
	if t.depth++; t.depth > 8 {
		t.depth--
		return nil
	}
	defer func() { t.depth-- }()
	switch x := e.(type) {
	case *hclsyntax.ParenthesesExpr:
		return t.policy(x.Expression, name, typ)
	case *hclsyntax.TemplateWrapExpr:
		// "${data.aws_iam_policy_document.x.json}", as Terraform 0.11 wrote.
		return t.policy(x.Wrapped, name, typ)
	case *hclsyntax.FunctionCallExpr:
		if x.Name == "jsonencode" && len(x.Args) == 1 {
			v := t.value(x.Args[0])
			if v.kind != kindObject {
				t.note(x.Range().Start.Byte, fmt.Sprintf("%s: jsonencode of %s is not a policy; skipped it", name, v.kind))
				return nil
			}
			t.r.addDoc(found{doc: t.r.build(v, t.o, docSpec{name: name, source: "terraform", hint: typ})})
			return nil
		}
	case *hclsyntax.TemplateExpr:
		v := t.template(x)
		d, o, err := t.r.embedded(v, t.r.loc)
		if err != nil {
			return err
		}
		if d.kind != kindObject {
			return t.r.errorAt(ErrSyntax, t.pos(x.SrcRange.Start.Byte), name+": the policy is not a JSON object")
		}
		t.r.addDoc(found{doc: t.r.build(d, o, docSpec{name: name, source: "terraform", hint: typ})})
		return nil
	case *hclsyntax.ScopeTraversalExpr:
		tr := x.Traversal
		if len(tr) >= 3 && tr.RootName() == "data" {
			if kind, ok := tr[1].(hcl.TraverseAttr); ok && kind.Name == "aws_iam_policy_document" {
				if id, ok := tr[2].(hcl.TraverseAttr); ok && t.data[id.Name] != nil {
					t.used[id.Name] = true
					t.r.addDoc(found{doc: t.dataDoc(t.data[id.Name], name, typ)})
					return nil
				}
			}
		}
		if len(tr) == 2 && tr.RootName() == "local" {
			// A policy held by a local of this file (one of another file
			// has no place here to show).
			if a, ok := tr[1].(hcl.TraverseAttr); ok && t.locals[a.Name] != nil && t.locals[a.Name].Range().Filename != moduleFile {
				return t.policy(t.locals[a.Name], name, typ)
			}
		}
	}
	t.note(e.Range().Start.Byte, fmt.Sprintf("%s: the policy is %s, which is not in this input; skipped it", name, t.text(e.Range())))
	return nil
}

// template is the string a template stands for, references kept as
// ${...}. A heredoc is taken as written, so that positions in it are exact.
func (t *tfReader) template(x *hclsyntax.TemplateExpr) *node {
	start, end := x.SrcRange.Start.Byte, x.SrcRange.End.Byte
	raw := t.src[min(max(start, 0), len(t.src)):min(max(end, 0), len(t.src))]
	if strings.HasPrefix(raw, "<<") {
		first := strings.IndexByte(raw, '\n')
		last := strings.LastIndexByte(strings.TrimRight(raw, "\r\n"), '\n')
		if first >= 0 && last > first {
			body := raw[first+1 : last+1]
			return &node{kind: kindString, off: t.off(start), str: body,
				inner: shiftLoc{delta: t.off(start + first + 1), base: t.r.loc}}
		}
	}
	var b strings.Builder
	for _, p := range x.Parts {
		if lit, ok := p.(*hclsyntax.LiteralValueExpr); ok && lit.Val.Type() == cty.String && lit.Val.IsKnown() && !lit.Val.IsNull() {
			b.WriteString(lit.Val.AsString())
			continue
		}
		b.WriteString(t.refText(p))
	}
	return &node{kind: kindString, off: t.off(start), str: b.String()}
}

// value evaluates an expression inside jsonencode into nodes; references
// and anything computed become ${...} placeholders.
func (t *tfReader) value(e hclsyntax.Expression) *node {
	rng := e.Range()
	n := &node{kind: kindString, off: t.off(rng.Start.Byte), end: t.off(rng.End.Byte)}
	if t.depth++; t.depth > maxDepth {
		t.depth--
		n.str = "${...}"
		return n
	}
	defer func() { t.depth-- }()
	switch x := e.(type) {
	case *hclsyntax.ParenthesesExpr:
		return t.value(x.Expression)
	case *hclsyntax.LiteralValueExpr:
		v := x.Val
		switch {
		case v.IsNull():
			n.kind = kindNull
		case !v.IsKnown():
		case v.Type() == cty.String:
			n.str = v.AsString()
		case v.Type() == cty.Bool:
			n.kind, n.str = kindBool, fmt.Sprint(v.True())
		case v.Type() == cty.Number:
			n.kind, n.str = kindNumber, v.AsBigFloat().Text('f', -1)
		}
		return n
	case *hclsyntax.TemplateExpr:
		s := t.template(x)
		s.end, s.inner = n.end, nil
		return s
	case *hclsyntax.TemplateWrapExpr:
		n.str = t.refText(x.Wrapped)
		return n
	case *hclsyntax.ScopeTraversalExpr:
		if el := t.bound(x); el != nil {
			return t.sub(n, el)
		}
		if tr := x.Traversal; len(tr) == 2 && tr.RootName() == "local" {
			if a, ok := tr[1].(hcl.TraverseAttr); ok {
				switch l := t.locals[a.Name].(type) {
				case *hclsyntax.TupleConsExpr:
					// local.actions standing for a list: the list.
					if t.spend(len(l.Exprs)) {
						return t.sub(n, l)
					}
				case *hclsyntax.ObjectConsExpr:
					if t.spend(len(l.Items)) {
						return t.sub(n, l)
					}
				}
			}
		}
		n.str = t.refText(x)
		return n
	case *hclsyntax.ObjectConsExpr:
		n.kind = kindObject
		for _, it := range x.Items {
			key, ok := t.key(it.KeyExpr)
			if !ok {
				continue
			}
			v := t.value(it.ValueExpr)
			m := member{key: key, keyOff: t.off(it.KeyExpr.Range().Start.Byte), val: v}
			if prev := n.get(key); prev != nil {
				t.r.note(t.r.loc, m.keyOff, fmt.Sprintf("duplicate key %q: the last value is used; AWS may reject the policy", key))
				for i := range n.members {
					if n.members[i].key == key {
						n.members[i] = m
					}
				}
				continue
			}
			n.members = append(n.members, m)
		}
		return n
	case *hclsyntax.TupleConsExpr:
		n.kind = kindArray
		for _, it := range x.Exprs {
			n.items = append(n.items, t.value(it))
		}
		return n
	case *hclsyntax.FunctionCallExpr:
		if x.Name == "jsonencode" && len(x.Args) == 1 {
			// A policy inside a policy is a string; keep it readable.
			n.str = "${" + t.text(rng) + "}"
			return n
		}
	}
	n.str = "${" + t.text(rng) + "}"
	return n
}

// key reads an object key: a bare name or a string.
func (t *tfReader) key(e hclsyntax.Expression) (string, bool) {
	if k, ok := e.(*hclsyntax.ObjectConsKeyExpr); ok {
		if !k.ForceNonLiteral {
			if name := hcl.ExprAsKeyword(k.Wrapped); name != "" {
				return name, true
			}
		}
		e = k.Wrapped
	}
	v := t.value(e)
	if v.scalar() {
		return v.str, true
	}
	return "", false
}

// dataDoc builds the document of a data "aws_iam_policy_document" block as
// Terraform renders it: lists of one value as a bare string, principals
// and conditions grouped by type and test.
func (t *tfReader) dataDoc(b *hclsyntax.Block, name string, typ Type) *Document {
	start, end := t.off(b.TypeRange.Start.Byte), t.off(b.CloseBraceRange.End.Byte)
	doc := &node{kind: kindObject, off: start, end: end}
	attrs := sortedAttributes(b.Body)
	for _, a := range attrs {
		switch a.Name {
		case "version":
			doc.members = append(doc.members, t.attrMember("Version", a))
		case "policy_id":
			doc.members = append(doc.members, t.attrMember("Id", a))
		case "source_policy_documents", "override_policy_documents", "source_json", "override_json":
			t.note(a.NameRange.Start.Byte, fmt.Sprintf("%s: %s merges other documents into this one; only its own statements are reviewed", name, a.Name))
		}
	}
	if doc.get("Version") == nil {
		doc.members = append([]member{{key: "Version", keyOff: start, val: &node{kind: kindString, off: start, str: "2012-10-17"}}}, doc.members...)
	}
	stmts := &node{kind: kindArray, off: t.off(b.OpenBraceRange.Start.Byte)}
	for _, sb := range b.Body.Blocks {
		switch sb.Type {
		case "statement":
			stmts.items = append(stmts.items, t.dataStatement(sb))
		case "dynamic":
			if len(sb.Labels) == 1 && sb.Labels[0] == "statement" {
				stmts.items = append(stmts.items, t.dynamicStatements(sb, name)...)
				continue
			}
			t.note(sb.TypeRange.Start.Byte, fmt.Sprintf("%s: dynamic blocks are computed when Terraform runs; skipped one", name))
		}
	}
	doc.members = append(doc.members, member{key: "Statement", keyOff: stmts.off, val: stmts})
	d := t.r.build(doc, t.o, docSpec{name: name, source: "terraform", hint: typ})
	return d
}

// dynamicStatements expands a dynamic "statement" block: a statement per
// element of a for_each written in the configuration (a list, a set, a
// map, or a local or a variable's default holding one); when for_each is
// computed when Terraform runs, one statement whose iterator values are
// unknown references, judged as possibly broad like any other.
func (t *tfReader) dynamicStatements(b *hclsyntax.Block, name string) []*node {
	var content *hclsyntax.Block
	for _, c := range b.Body.Blocks {
		if c.Type == "content" {
			content = c
		}
	}
	forEach := b.Body.Attributes["for_each"]
	if content == nil || forEach == nil {
		t.note(b.TypeRange.Start.Byte, fmt.Sprintf("%s: a dynamic block that cannot be expanded here; skipped it", name))
		return nil
	}
	iter := "statement"
	if a := b.Body.Attributes["iterator"]; a != nil {
		if kw := hcl.ExprAsKeyword(a.Expr); kw != "" {
			iter = kw
		}
	}
	t.iterators[iter] = true
	defer func() { t.iter = nil }()
	keys, values, ok := t.elements(forEach.Expr, 0)
	switch {
	case !ok:
		t.note(forEach.NameRange.Start.Byte, fmt.Sprintf("%s: the for_each of a dynamic statement is computed when Terraform runs; its statement is judged with unknown values", name))
	case t.expanded+len(values) > maxExpanded:
		// A hostile for_each of thousands of elements would cost that
		// many statements: past the budget, one statement judged with
		// unknown values stands for them all.
		t.note(forEach.NameRange.Start.Byte, fmt.Sprintf("%s: the dynamic statements would be more than %d; this one is judged once, with unknown values", name, maxExpanded))
		ok = false
	}
	if !ok {
		t.iter = &iteration{name: iter}
		return []*node{t.dataStatement(content)}
	}
	t.expanded += len(values)
	out := make([]*node, 0, len(values))
	for i := range values {
		t.iter = &iteration{name: iter, key: keys[i], value: values[i]}
		out = append(out, t.dataStatement(content))
	}
	return out
}

// elements are the keys and values of a for_each written in the
// configuration: a list or set (the key is the value, as Terraform has
// it), a map, toset() of either, or a local or a variable's default
// holding one. ok is false when they are computed when Terraform runs.
func (t *tfReader) elements(e hclsyntax.Expression, depth int) (keys, values []hclsyntax.Expression, ok bool) {
	if depth > 8 {
		return nil, nil, false
	}
	switch x := e.(type) {
	case *hclsyntax.TupleConsExpr:
		return x.Exprs, x.Exprs, true
	case *hclsyntax.ObjectConsExpr:
		for _, it := range x.Items {
			k, ok := t.key(it.KeyExpr)
			if !ok {
				return nil, nil, false
			}
			keys = append(keys, &hclsyntax.LiteralValueExpr{Val: cty.StringVal(k), SrcRange: it.KeyExpr.Range()})
			values = append(values, it.ValueExpr)
		}
		return keys, values, true
	case *hclsyntax.FunctionCallExpr:
		if (x.Name == "toset" || x.Name == "tolist" || x.Name == "tomap") && len(x.Args) == 1 {
			return t.elements(x.Args[0], depth+1)
		}
	case *hclsyntax.ScopeTraversalExpr:
		if len(x.Traversal) != 2 {
			break
		}
		a, isAttr := x.Traversal[1].(hcl.TraverseAttr)
		if !isAttr {
			break
		}
		switch x.Traversal.RootName() {
		case "local":
			if l := t.locals[a.Name]; l != nil {
				return t.elements(l, depth+1)
			}
		case "var":
			if d := t.vars[a.Name]; d != nil {
				t.note(x.SrcRange.Start.Byte, fmt.Sprintf("the for_each of a dynamic statement is read as the declared default of Terraform variable %s: another value given at deployment may grant more", a.Name))
				return t.elements(d, depth+1)
			}
		}
	}
	return nil, nil, false
}

// bound is what a reference to the iterator of the dynamic block being
// expanded stands for (statement.value, statement.key,
// statement.value.actions); nil when x is not one, or is computed.
func (t *tfReader) bound(x *hclsyntax.ScopeTraversalExpr) hclsyntax.Expression {
	tr := x.Traversal
	if t.iter == nil || len(tr) < 2 || tr.RootName() != t.iter.name {
		return nil
	}
	a, ok := tr[1].(hcl.TraverseAttr)
	if !ok {
		return nil
	}
	var e hclsyntax.Expression
	switch a.Name {
	case "value":
		e = t.iter.value
	case "key":
		e = t.iter.key
	}
	for _, step := range tr[2:] {
		obj, ok := e.(*hclsyntax.ObjectConsExpr)
		attr, isAttr := step.(hcl.TraverseAttr)
		if !ok || !isAttr {
			return nil
		}
		e = nil
		for _, it := range obj.Items {
			if k, ok := t.key(it.KeyExpr); ok && k == attr.Name {
				e = it.ValueExpr
			}
		}
	}
	return e
}

func (t *tfReader) dataStatement(b *hclsyntax.Block) *node {
	s := &node{kind: kindObject, off: t.off(b.TypeRange.Start.Byte)}
	elements := []struct{ attr, key string }{
		{"sid", "Sid"}, {"effect", "Effect"}, {"actions", "Action"}, {"not_actions", "NotAction"},
		{"resources", "Resource"}, {"not_resources", "NotResource"},
	}
	hasEffect := false
	for _, el := range elements {
		a := b.Body.Attributes[el.attr]
		if a == nil {
			continue
		}
		m := t.attrMember(el.key, a)
		if m.val.kind == kindArray && len(m.val.items) == 1 {
			m.val = m.val.items[0]
		}
		hasEffect = hasEffect || el.key == "Effect"
		s.members = append(s.members, m)
	}
	if !hasEffect {
		s.members = append(s.members, member{key: "Effect", keyOff: s.off, val: &node{kind: kindString, off: s.off, str: "Allow"}})
	}
	for _, kind := range []struct{ block, key string }{{"principals", "Principal"}, {"not_principals", "NotPrincipal"}} {
		if p := t.principals(b.Body, kind.block); p != nil {
			s.members = append(s.members, member{key: kind.key, keyOff: p.off, val: p})
		}
	}
	if c := t.conditions(b.Body); c != nil {
		s.members = append(s.members, member{key: "Condition", keyOff: c.off, val: c})
	}
	sort.SliceStable(s.members, func(i, j int) bool { return s.members[i].keyOff < s.members[j].keyOff })
	return s
}

func (t *tfReader) attrMember(key string, a *hclsyntax.Attribute) member {
	return member{key: key, keyOff: t.off(a.NameRange.Start.Byte), val: t.value(a.Expr)}
}

// principals groups principals blocks by type; type "*" with identifiers
// ["*"] is the bare "*".
func (t *tfReader) principals(body *hclsyntax.Body, block string) *node {
	var p *node
	for _, b := range body.Blocks {
		if b.Type != block {
			continue
		}
		typ, ids := b.Body.Attributes["type"], b.Body.Attributes["identifiers"]
		if typ == nil || ids == nil {
			continue
		}
		if p == nil {
			p = &node{kind: kindObject, off: t.off(b.TypeRange.Start.Byte)}
		}
		kind, vals := t.value(typ.Expr), t.value(ids.Expr)
		if kind.str == "*" {
			p.kind, p.str = kindString, "*"
			continue
		}
		items := []*node{vals}
		if vals.kind == kindArray {
			items = vals.items
		}
		if prev := p.get(kind.str); prev != nil {
			prev.items = append(prev.items, items...)
			continue
		}
		p.members = append(p.members, member{key: kind.str, keyOff: kind.off,
			val: &node{kind: kindArray, off: vals.off, items: items}})
	}
	if p != nil {
		for i := range p.members {
			if v := p.members[i].val; len(v.items) == 1 {
				p.members[i].val = v.items[0]
			}
		}
	}
	return p
}

// conditions groups condition blocks by test, then variable.
func (t *tfReader) conditions(body *hclsyntax.Body) *node {
	var c *node
	for _, b := range body.Blocks {
		if b.Type != "condition" {
			continue
		}
		test, variable, values := b.Body.Attributes["test"], b.Body.Attributes["variable"], b.Body.Attributes["values"]
		if test == nil || variable == nil || values == nil {
			continue
		}
		off := t.off(b.TypeRange.Start.Byte)
		if c == nil {
			c = &node{kind: kindObject, off: off}
		}
		op := t.value(test.Expr)
		v := t.value(values.Expr)
		if v.kind == kindArray && len(v.items) == 1 {
			v = v.items[0]
		}
		ops := c.get(op.str)
		if ops == nil {
			ops = &node{kind: kindObject, off: op.off}
			c.members = append(c.members, member{key: op.str, keyOff: off, val: ops})
		}
		key := t.value(variable.Expr)
		ops.members = append(ops.members, member{key: key.str, keyOff: key.off, val: v})
	}
	return c
}

func sortedAttributes(body *hclsyntax.Body) []*hclsyntax.Attribute {
	out := make([]*hclsyntax.Attribute, 0, len(body.Attributes))
	for _, a := range body.Attributes {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SrcRange.Start.Byte < out[j].SrcRange.Start.Byte })
	return out
}

// refText writes a reference as "${...}"; a local value that is a
// reference, a string or a template of them is written out, so that
// "${local.account_id}" reads as what it stands for.
func (t *tfReader) refText(e hclsyntax.Expression) string {
	if s, ok := t.localValue(e, 0); ok {
		return s
	}
	if x, ok := e.(*hclsyntax.ScopeTraversalExpr); ok {
		if v := t.bound(x); v != nil && t.depth < maxDepth {
			t.depth++
			defer func() { t.depth-- }()
			if n := t.value(v); n.scalar() {
				return n.str
			}
		}
	}
	return "${" + t.text(e.Range()) + "}"
}

// localValue is the text of local.NAME when its expression is a string,
// a reference or a template made of them.
func (t *tfReader) localValue(e hclsyntax.Expression, depth int) (string, bool) {
	x, ok := e.(*hclsyntax.ScopeTraversalExpr)
	if !ok || depth > 8 || len(x.Traversal) != 2 || x.Traversal.RootName() != "local" {
		return "", false
	}
	a, ok := x.Traversal[1].(hcl.TraverseAttr)
	if !ok || t.locals[a.Name] == nil || !t.spend(1) {
		return "", false
	}
	var text func(e hclsyntax.Expression) (string, bool)
	text = func(e hclsyntax.Expression) (string, bool) {
		switch v := e.(type) {
		case *hclsyntax.ScopeTraversalExpr:
			if s, ok := t.localValue(v, depth+1); ok {
				return s, true
			}
			return "${" + t.text(v.Range()) + "}", true
		case *hclsyntax.TemplateWrapExpr:
			return text(v.Wrapped)
		case *hclsyntax.LiteralValueExpr:
			if v.Val.Type() == cty.String && v.Val.IsKnown() && !v.Val.IsNull() {
				return v.Val.AsString(), true
			}
		case *hclsyntax.TemplateExpr:
			var b strings.Builder
			for _, p := range v.Parts {
				s, ok := text(p)
				if !ok || b.Len()+len(s) > maxLocalText {
					return "", false
				}
				b.WriteString(s)
			}
			return b.String(), true
		}
		return "", false
	}
	return text(t.locals[a.Name])
}
