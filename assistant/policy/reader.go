package policy

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
)

// Read reads the policies in data: IAM JSON as pasted from Slack or an
// editor, YAML, a CloudFormation template or Terraform. It returns at least
// one document, or an *Error.
func Read(data []byte, opts Options) (*Result, error) {
	if limit := cmp.Or(opts.MaxBytes, MaxInputBytes); len(data) > limit {
		return nil, tooLarge(len(data), limit)
	}
	input, order := fromUTF16(data)
	switch {
	case order != "":
		// Positions, notes and the lines of errors refer to the decoded
		// text: the characters an editor shows.
	case looksUTF16(data):
		return nil, &Error{Kind: ErrSyntax, Msg: "the file looks like UTF-16; save it as UTF-8"}
	default:
		input = string(data)
	}
	r := &reader{opts: opts, lines: newLineIndex(input), arena: arenas.Get().(*arena)}
	defer r.arena.release()
	r.text, r.loc = input, r.lines
	if order != "" {
		r.notes = append(r.notes, Note{Pos: Pos{Line: 1, Col: 1}, Message: "read the input as UTF-16 text (" + order + ")"})
	}
	if text, orig := r.clean(input); orig != nil {
		r.text, r.loc = text, mapLoc{orig: orig, base: r.lines}
	}
	if strings.TrimSpace(r.text) == "" {
		return nil, &Error{Kind: ErrNoPolicy, Msg: "the input is empty: expected an IAM policy (a JSON object with a Statement element)"}
	}

	var firstErr error
	for _, rg := range r.regions(r.text) {
		mark, n := len(r.notes), len(r.docs)
		err := r.readRegion(rg)
		if err == nil {
			continue
		}
		if len(r.docs) == n {
			r.notes = r.notes[:mark]
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if len(r.docs) == 0 {
		if firstErr == nil {
			firstErr = errNoPolicy("")
		}
		return nil, notIAM(firstErr, r.text)
	}
	if firstErr != nil {
		var e *Error
		if errors.As(firstErr, &e) {
			r.notes = append(r.notes, Note{Pos: e.Pos, Message: "skipped a part of the input that could not be read: " + e.Msg})
		}
	}
	return r.result(), nil
}

// reader holds the state of one Read.
type reader struct {
	opts Options
	// arena is what the JSON values read are made from; Read releases
	// it when it returns.
	arena *arena
	// branches counts the Fn::If read as their true branch.
	branches int
	lines    *lineIndex // over the input as the user supplied it
	text     string     // input after clean
	loc      locator    // locates offsets of text
	notes    []Note
	docs     []found
	// refs tells what the references of the template or Terraform being
	// read stand for; nil elsewhere. defaultNoted are those whose
	// default a note has already named.
	refs         refResolver
	defaultNoted map[string]bool
	// mappings are the Mappings of the template being read.
	mappings *node
	// entities are those of the input; managed are the AWS managed
	// policies read for them, by ARN.
	entities []*Entity
	managed  map[string]*Document
	// unused are the customer managed policies of an account that
	// nothing in it uses.
	unused []*Document
}

// found is a document and, for a policy found inside other JSON or YAML,
// the path to it ("PolicyVersion.Document").
type found struct {
	doc  *Document
	path string
}

func (r *reader) note(loc locator, off int, msg string) {
	r.notes = append(r.notes, Note{Pos: loc.pos(off), Message: msg})
}

func (r *reader) addNotes(loc locator, notes []offNote) {
	for _, n := range notes {
		r.note(loc, n.off, n.msg)
	}
}

// syntaxErr turns a parse failure into an *Error naming the user's line.
func (r *reader) syntaxErr(loc locator, e *syntaxError) *Error {
	return r.errorAt(ErrSyntax, loc.pos(e.off), e.msg)
}

func (r *reader) errorAt(kind ErrorKind, pos Pos, msg string) *Error {
	return &Error{Kind: kind, Pos: pos, Msg: msg, Line: r.lines.line(pos.Line)}
}

// tooLarge says how large the input is and what the limit is, in KB when
// that tells them apart.
func tooLarge(n, limit int) *Error {
	kb, limitKB := (n+512)/1024, (limit+512)/1024
	msg := fmt.Sprintf("the input is %d KB; the limit is %d KB", kb, limitKB)
	if kb <= limitKB {
		msg = fmt.Sprintf("the input is %d bytes; the limit is %d bytes", n, limit)
	}
	return &Error{Kind: ErrTooLarge, Msg: msg}
}

func errNoPolicy(msg string) *Error {
	if msg == "" {
		msg = "no IAM policy found: expected a JSON object with a Statement element, a YAML policy, a CloudFormation template or Terraform"
	}
	return &Error{Kind: ErrNoPolicy, Msg: msg}
}

// iamWords are what text that holds a policy, even a broken one, cannot
// do without: a statement, a policy property of a template, an IAM
// resource type, or the keys of a statement. A Kubernetes manifest's
// imagePullPolicy or a workflow's permissions are none of them.
var iamWords = regexp.MustCompile(`(?i)statement|policydocument|assumerolepolicy|aws::iam::|aws_iam_|"(effect|action|notaction|principal)"\s*:`)

// MentionsIAM reports whether a text holds anything that a policy, even
// a broken one, cannot do without: the test that tells a broken policy
// from a file that is not one.
func MentionsIAM(text io.RuneReader) bool {
	return iamWords.MatchReader(text)
}

// notIAM turns a syntax error into a no-policy one when nothing in the
// text looks like IAM: a broken package.json or a Helm template (YAML with
// {{ }} in it) is not a broken policy, and a directory search skips it.
// The error keeps its position, so the user still sees where the text
// does not parse. Text that mentions a statement and does not parse is a
// policy with a syntax error.
func notIAM(err error, text string) error {
	var e *Error
	if !errors.As(err, &e) || e.Kind != ErrSyntax || iamWords.MatchString(text) {
		return err
	}
	return &Error{Kind: ErrNoPolicy, Pos: e.Pos, Line: e.Line,
		Msg: "nothing here looks like an IAM policy (no Statement, PolicyDocument, AWS::IAM:: or aws_iam_), and it does not parse: " + e.Msg}
}

const msgNoStatement = "this JSON has no Statement element; it does not look like an IAM policy"

// result names the documents that have no name of their own, applies a
// forced type and orders the notes.
func (r *reader) result() *Result {
	base := r.opts.Name
	if base == "" {
		base = "policy"
	}
	plain := 0
	for _, f := range r.docs {
		if f.doc.Name == "" && f.path == "" {
			plain++
		}
	}
	res := &Result{Notes: r.notes, Entities: r.entities, Unused: r.unused, input: r.lines}
	k := 0
	for _, f := range r.docs {
		d := f.doc
		switch {
		case d.Name != "":
		case f.path != "":
			d.Name = base + " (" + f.path + ")"
		case plain > 1:
			k++
			d.Name = fmt.Sprintf("%s #%d", base, k)
		default:
			d.Name = base
		}
		if r.opts.Type != "" && !d.TypeKnown {
			// A type given by the user is a fallback for the documents
			// whose source does not say theirs.
			d.Type = r.opts.Type
		}
		res.Documents = append(res.Documents, d)
	}
	res.Format = res.Documents[0].Source
	sort.SliceStable(res.Notes, func(i, j int) bool {
		a, b := res.Notes[i].Pos, res.Notes[j].Pos
		return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
	})
	return res
}

// Line returns line n (1-based) of the input as the user supplied it,
// without its line ending: the line a Pos points at.
func (r *Result) Line(n int) string {
	if r.input == nil {
		return ""
	}
	return r.input.line(n)
}

var (
	hclBlock   = regexp.MustCompile(`(?m)^[ \t]*(resource|data|variable|provider|module|output)[ \t]+"|^[ \t]*(locals|terraform)[ \t]*\{`)
	yamlPolicy = regexp.MustCompile(`(?m)^[ \t]*(- )?(Version|Statement|Resources|AWSTemplateFormatVersion|PolicyDocument)[ \t]*:`)
	yamlTop    = regexp.MustCompile(`(?m)^(Version|Statement|Resources|AWSTemplateFormatVersion|---)`)
)

// format guesses how a region is written: "terraform", "yaml" or "json".
func (r *reader) format(s, lang string) string {
	switch lang {
	case "json", "javascript", "js", "jsonc", "json5":
		return "json"
	case "yaml", "yml":
		return "yaml"
	case "hcl", "tf", "terraform":
		return "terraform"
	}
	first := strings.TrimLeft(s, " \t\r\n")
	object := strings.HasPrefix(first, "{") || strings.HasPrefix(first, "[")
	switch kind, _ := KindOf(r.opts.Name); kind {
	case KindTerraform:
		return "terraform"
	case KindYAML:
		if !object {
			return "yaml"
		}
	}
	switch {
	case object:
		return "json"
	case hclBlock.MatchString(s):
		return "terraform"
	case yamlPolicy.MatchString(s):
		return "yaml"
	}
	return "json"
}

// readRegion reads the documents of one region into r.docs.
func (r *reader) readRegion(rg region) error {
	s := r.text[rg.start:rg.end]
	switch r.format(s, rg.lang) {
	case "terraform":
		return r.readTerraform(rg)
	case "yaml":
		mark, n := len(r.notes), len(r.docs)
		read, yerr := r.readYAML(rg)
		if yerr == nil || len(r.docs) > n || read {
			return yerr
		}
		r.notes = r.notes[:mark]
		jerr := r.findJSON(rg)
		if jerr != nil && len(r.docs) == n {
			return yerr
		}
		return jerr
	}
	if ok, err := r.quoted(rg); ok {
		return err
	}
	err := r.findJSON(rg)
	var e *Error
	if errors.As(err, &e) && e.Kind == ErrSyntax && strings.HasPrefix(strings.TrimSpace(s), "{") && strings.Contains(s, "tatement") {
		// JSON as JavaScript or Python write it ({Effect: "Allow"},
		// True) is often YAML: take that reading when it finds
		// statements.
		mark, n := len(r.notes), len(r.docs)
		if _, yerr := r.readYAML(rg); yerr == nil && r.hasStatements(n) {
			r.notes = append(r.notes, Note{Pos: e.Pos, Message: "read the policy as YAML, since it is not valid JSON: " + e.Msg})
			return nil
		}
		r.notes, r.docs = r.notes[:mark], r.docs[:n]
	}
	return err
}

// hasStatements reports whether the documents read since the first n have
// statements.
func (r *reader) hasStatements(n int) bool {
	for _, f := range r.docs[n:] {
		if len(f.doc.Statements) > 0 {
			return true
		}
	}
	return false
}

// quoted reads a policy pasted as a JSON string, "{\"Version\": ...}", as
// logs and Terraform state show them. It reports false when the region is
// not one.
func (r *reader) quoted(rg region) (bool, error) {
	s := r.text[rg.start:rg.end]
	start := rg.start + len(s) - len(strings.TrimLeft(s, " \t\r\n"))
	if start >= rg.end || r.text[start] != '"' {
		return false, nil
	}
	v, err := parseJSON(r.values(), r.text, start, rg.end, r.loc)
	if err != nil || strings.TrimSpace(r.text[v.end:rg.end]) != "" || !strings.HasPrefix(strings.TrimSpace(v.n.str), "{") {
		return false, nil
	}
	n, o, perr := r.embedded(v.n, r.loc)
	switch {
	case perr != nil:
		return true, perr
	case n.kind != kindObject || !hasStatement(n):
		return true, errNoPolicy(msgNoStatement)
	}
	r.note(r.loc, start, "read the policy from a JSON string")
	r.addDoc(found{doc: r.build(n, o, docSpec{source: "json"})})
	return true, nil
}

// findJSON reads every JSON object of a region that is or holds a policy,
// skipping the prose around them.
func (r *reader) findJSON(rg region) error {
	type failure struct {
		start int
		err   *syntaxError
	}
	var (
		failures  []failure
		successes []int // starts of objects read
		noPolicy  bool
		treeErr   *Error // why a template held no policy
		mark      = len(r.docs)
	)
	text := r.text
	p := &jsonParser{s: text, end: rg.end, loc: r.loc, a: r.values()}
	first := rg.start + len(text[rg.start:rg.end]) - len(strings.TrimLeft(text[rg.start:rg.end], " \t\r\n"))
	for i := rg.start; i < rg.end; {
		k := strings.IndexByte(text[i:rg.end], '{')
		if k < 0 {
			break
		}
		start := i + k
		v, err := p.parse(start)
		if err != nil {
			failures = append(failures, failure{start, err})
			i = max(err.off, start+1)
			continue
		}
		successes = append(successes, start)
		before := len(r.docs)
		r.addNotes(r.loc, v.notes)
		if err := r.fromTree(v.n, origin{text: text, loc: r.loc, json: true, root: v.n, blank: v.blank}, "json"); err != nil && treeErr == nil {
			treeErr = err
		}
		if len(r.docs) == before {
			noPolicy = true
		} else if before == mark {
			if strings.Trim(text[first:start], " \t\r\n[,") != "" {
				r.note(r.loc, first, "ignored the text before the policy")
			}
		}
		i = v.end
	}
	// A failure matters when the text from it to the next object read
	// mentions a Statement: that was meant to be a policy.
	var relevant []failure
	var statements []int
	if len(failures) > 0 {
		statements = allIndexes(text[rg.start:rg.end], "Statement")
	}
	for _, f := range failures {
		limit := rg.end
		if k := sort.SearchInts(successes, f.start); k < len(successes) {
			limit = successes[k]
		}
		k := sort.SearchInts(statements, f.start-rg.start)
		if k < len(statements) && rg.start+statements[k] < limit || f.start == first {
			relevant = append(relevant, f)
		}
	}
	if len(r.docs) > mark {
		for _, f := range relevant[:min(len(relevant), 3)] {
			e := r.syntaxErr(r.loc, f.err)
			r.notes = append(r.notes, Note{Pos: e.Pos, Message: "skipped text that is not valid JSON: " + e.Msg})
		}
		return nil
	}
	if len(relevant) > 0 {
		return r.syntaxErr(r.loc, relevant[0].err)
	}
	if treeErr != nil {
		return treeErr
	}
	if noPolicy {
		return errNoPolicy(msgNoStatement)
	}
	return errNoPolicy("")
}

// values is the arena JSON values are made from: Read's, or for a reader
// made otherwise, one of its own.
func (r *reader) values() *arena {
	if r.arena == nil {
		r.arena = new(arena)
	}
	return r.arena
}

// origin is the text nodes were read from and how to locate its offsets.
type origin struct {
	text string
	loc  locator
	json bool // text is JSON as the user wrote it
	// root is the value parsed, and blank the characters of white space
	// and comments in it: its size without them is known at no cost.
	root  *node
	blank int
}

// fromTree adds the documents of a JSON or YAML value read whole: a
// policy, a CloudFormation template, or other JSON holding policies (the
// output of the AWS CLI, say; aws iam get-account-authorization-details
// is read as an account). The error says why a template or account gave
// none.
func (r *reader) fromTree(n *node, o origin, source string) *Error {
	switch {
	case n.kind != kindObject:
	case hasStatement(n):
		r.addDoc(found{doc: r.build(n, o, docSpec{source: source})})
	case isTemplate(n):
		return r.cloudFormation(n, o)
	case isAccount(n):
		return r.account(n, o)
	default:
		r.nested(n, o, source, "", 0)
	}
	return nil
}

func (r *reader) addDoc(f found) { r.docs = append(r.docs, f) }

// allIndexes returns the offsets of every sub in s.
func allIndexes(s, sub string) []int {
	var out []int
	for i := 0; ; {
		k := strings.Index(s[i:], sub)
		if k < 0 {
			return out
		}
		out = append(out, i+k)
		i += k + len(sub)
	}
}

func hasStatement(n *node) bool {
	for _, m := range n.members {
		if strings.EqualFold(m.key, "Statement") {
			return true
		}
	}
	return false
}

// nested looks for policies inside a value that is not one.
func (r *reader) nested(n *node, o origin, source, at string, depth int) {
	if n == nil || depth > 32 {
		return
	}
	switch n.kind {
	case kindObject:
		if depth > 0 && hasStatement(n) {
			r.addDoc(found{path: at, doc: r.build(n, o, docSpec{source: source, hint: hintFromKey(at)})})
			return
		}
		for _, m := range n.members {
			p := m.key
			if at != "" {
				p = at + "." + m.key
			}
			r.nested(m.val, o, source, p, depth+1)
		}
	case kindArray:
		for i, it := range n.items {
			r.nested(it, o, source, fmt.Sprintf("%s[%d]", at, i), depth+1)
		}
	case kindString:
		if depth == 0 || !strings.Contains(n.str, "Statement") || !strings.HasPrefix(strings.TrimSpace(n.str), "{") {
			return
		}
		if v, vo, err := r.embedded(n, o.loc); err == nil && v.kind == kindObject && hasStatement(v) {
			r.addDoc(found{path: at, doc: r.build(v, vo, docSpec{source: source, hint: hintFromKey(at)})})
		}
	}
}

func hintFromKey(path string) Type {
	if strings.Contains(strings.ToLower(path), "assumerolepolicy") {
		return Trust
	}
	return ""
}

// embedded parses a policy written as a JSON string inside JSON, YAML or
// HCL.
func (r *reader) embedded(n *node, loc locator) (*node, origin, *Error) {
	inner := n.inner
	if inner == nil {
		inner = fixedLoc(loc.pos(n.off))
	}
	s := n.str
	start := len(s) - len(strings.TrimLeft(s, " \t\r\n"))
	if start == len(s) {
		return nil, origin{}, r.errorAt(ErrNoPolicy, loc.pos(n.off), "the policy is an empty string")
	}
	v, err := parseJSON(r.values(), s, start, len(s), inner)
	if err != nil {
		return nil, origin{}, r.syntaxErr(inner, err)
	}
	r.addNotes(inner, v.notes)
	return v.n, origin{text: s, loc: inner, json: true, root: v.n, blank: v.blank}, nil
}
