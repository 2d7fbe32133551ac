// Package sarif writes reviews as a SARIF 2.1.0 log, the format of code
// scanning (GitHub's, Azure DevOps', editors'): the tool and every rule
// with its help, one result per finding with its place in the file, a
// fingerprint that follows it across commits, its suppression, and the
// suggested policy as a fix.
package sarif

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	gosarif "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/rules"
)

// FingerprintKey names the partial fingerprint of every result.
const FingerprintKey = "policycheck/v1"

// Tool describes the tool in the log.
type Tool struct {
	Name, Version  string
	InformationURI string
	// RulesURI is the page that documents the rules; a rule's help is
	// its section there, RulesURI#pc101-full-admin.
	RulesURI string
}

// Log collects the results of a run.
type Log struct {
	tool    Tool
	run     *gosarif.Run
	inv     *gosarif.Invocation
	indexes map[string]int // rule id -> index in the driver's rules
}

// New starts a log, listing every registered rule.
func New(t Tool) *Log {
	run := gosarif.NewRun()
	run.Tool = gosarif.NewTool()
	run.Tool.Driver = gosarif.NewToolComponent().WithName(t.Name).WithVersion(t.Version)
	if t.InformationURI != "" {
		run.Tool.Driver.WithInformationURI(t.InformationURI)
	}
	if semver(t.Version) {
		run.Tool.Driver.WithSemanticVersion(strings.TrimPrefix(t.Version, "v"))
	}
	run.WithColumnKind("unicodeCodePoints")
	inv := gosarif.NewInvocation().WithExecutionSuccessful(true)
	run.AddInvocation(inv)
	l := &Log{tool: t, run: run, inv: inv, indexes: map[string]int{}}
	for _, r := range rules.All() {
		l.addRule(r)
	}
	return l
}

// semver reports whether a version is a semantic one, v1.2.3 or 1.2.3-rc.1.
func semver(v string) bool {
	v = strings.TrimPrefix(v, "v")
	core, _, _ := strings.Cut(strings.SplitN(v, "+", 2)[0], "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

// levels maps severities to SARIF's levels.
var levels = map[report.Severity]string{
	report.Critical: gosarif.LevelError, report.High: gosarif.LevelError,
	report.Medium: gosarif.LevelWarning, report.Low: gosarif.LevelNote, report.Info: gosarif.LevelNote,
}

// securitySeverity is the score code scanning reads to rank security
// findings (9.0 and over is critical, 7.0 high, 4.0 medium, under low).
var securitySeverity = map[report.Severity]string{
	report.Critical: "9.5", report.High: "8.0", report.Medium: "5.5", report.Low: "3.0",
}

func (l *Log) addRule(r *rules.Rule) {
	short := describe(r.Title)
	if short == "" {
		short = r.Name
	}
	help := short + "."
	md := "**" + short + "**"
	if r.Why != "" {
		help += "\n\n" + r.Why
		md += "\n\n" + r.Why
	}
	if fix := describe(r.Fix); fix != "" {
		help += "\n\nFix: " + fix
		md += "\n\n**Fix:** " + fix
	}
	if r.Example != "" {
		help += "\n\nExample: " + r.Example
		md += "\n\nExample:\n\n```json\n" + r.Example + "\n```"
	}
	props := gosarif.NewPropertyBag().WithTags([]string{"security", "iam", string(r.Category)})
	props.Add("category", string(r.Category))
	props.Add("ceiling", r.Ceiling)
	if s, ok := securitySeverity[r.Severity]; ok {
		props.Add("security-severity", s)
	}
	d := l.run.AddRule(r.ID).
		WithName(r.Name).
		WithShortDescription(gosarif.NewMultiformatMessageString().WithText(short)).
		WithHelp(gosarif.NewMultiformatMessageString().WithText(help).WithMarkdown(md)).
		WithDefaultConfiguration(gosarif.NewReportingConfiguration().WithLevel(levels[r.Severity])).
		WithProperties(props)
	if r.Why != "" {
		d.WithFullDescription(gosarif.NewMultiformatMessageString().WithText(r.Why))
	}
	if l.tool.RulesURI != "" {
		d.WithHelpURI(l.tool.RulesURI + "#" + anchor(r))
	}
	l.indexes[r.ID] = len(l.run.Tool.Driver.Rules) - 1
}

// anchor is the anchor of a rule's section in docs/rules.md, whose
// heading is "PC101 full-admin": GitHub's anchor for it is
// "pc101-full-admin".
func anchor(r *rules.Rule) string {
	return strings.ToLower(r.ID + "-" + r.Name)
}

// placeholder is a template's {name} left after expanding it without
// arguments.
var placeholder = regexp.MustCompile(`\{[A-Za-z0-9_]+\}`)

// describe turns a rule's template into a description: its conditional
// parts take their "else" branch and each placeholder becomes an
// ellipsis, "Service wildcard …".
func describe(tmpl string) string {
	return strings.TrimSpace(placeholder.ReplaceAllString(rules.Expand(tmpl, nil), "…"))
}

// ruleFor returns the index of a finding's rule, registering one named
// after its category for a finding of no known rule (a model's).
func (l *Log) ruleFor(f *report.Finding) (string, int) {
	id := f.Rule
	if id == "" {
		id = string(f.Category)
	}
	if i, ok := l.indexes[id]; ok {
		return id, i
	}
	if r, ok := rules.Lookup(id); ok {
		l.addRule(r)
		return id, l.indexes[id]
	}
	l.run.AddRule(id).
		WithName(id).
		WithShortDescription(gosarif.NewMultiformatMessageString().WithText("Findings of the category " + string(f.Category))).
		WithDefaultConfiguration(gosarif.NewReportingConfiguration().WithLevel(levels[f.Severity])).
		WithProperties(gosarif.NewPropertyBag().WithTags([]string{"security", "iam", string(f.Category)}))
	l.indexes[id] = len(l.run.Tool.Driver.Rules) - 1
	return id, l.indexes[id]
}

// Add adds the findings of a report as results. data is the input it was
// read from: it places the findings' columns and the suggested policy's
// fix.
func (l *Log) Add(r *report.Report, data []byte) {
	lines := strings.Split(string(data), "\n")
	fps := r.Fingerprints()
	fixed := false
	for i := range r.Findings {
		f := &r.Findings[i]
		id, index := l.ruleFor(f)
		text := f.Title
		if f.Detail != "" {
			text = strings.TrimSuffix(text, ".") + ". " + f.Detail
		}
		if f.Note != "" {
			text += " Note: " + f.Note
		}
		if f.Recommendation != "" {
			text += " Fix: " + f.Recommendation
		}
		res := gosarif.NewRuleResult(id).
			WithRuleIndex(index).
			WithLevel(levels[f.Severity]).
			WithMessage(gosarif.NewTextMessage(text)).
			WithPartialFingerprints(map[string]string{FingerprintKey: fps[i]})
		if loc := l.location(r.File, f.Line, lines); loc != nil {
			res.AddLocation(loc)
		}
		if f.Baseline != "" {
			res.WithBaselineState(f.Baseline)
		}
		if s := f.Suppressed; s != nil {
			kind := "external"
			if strings.HasPrefix(s.Source, r.File+":") {
				kind = "inSource"
			}
			res.WithSuppressions([]*gosarif.Suppression{gosarif.NewSuppression().
				WithKind(kind).WithStatus("accepted").
				WithJustification(s.Reason + " (" + s.Source + ")")})
		}
		if s := r.SuggestedPolicy; s != nil && !fixed && f.Document == s.Document {
			if fix := l.fix(r, data, lines); fix != nil {
				res.WithFixes([]*gosarif.Fix{fix})
				fixed = true
			}
		}
		l.run.AddResult(res)
	}
	for _, s := range r.SuppressionProblems {
		l.inv.AddToolConfigurationNotification(gosarif.NewNotification().
			WithLevel(gosarif.LevelWarning).
			WithMessage(gosarif.NewTextMessage(fmt.Sprintf("%s: suppression of %s not applied: %s", s.Source, s.Rule, s.Problem))))
	}
}

// AddError records an input that could not be reviewed.
func (l *Log) AddError(file string, err error) {
	n := gosarif.NewNotification().WithLevel(gosarif.LevelError).
		WithMessage(gosarif.NewTextMessage(file + ": " + err.Error()))
	line := 0
	var pe *policy.Error
	if errors.As(err, &pe) {
		line = pe.Pos.Line
	}
	if loc := l.location(file, line, nil); loc != nil {
		n.AddLocation(loc)
	}
	l.inv.AddToolExecutionNotification(n)
	l.inv.WithExecutionSuccessful(false)
}

// location places a finding: the file, and the line with its column (of
// its first character other than white space) when known.
func (l *Log) location(file string, line int, lines []string) *gosarif.Location {
	uri, ok := fileURI(file)
	if !ok {
		return nil
	}
	phys := gosarif.NewPhysicalLocation().
		WithArtifactLocation(gosarif.NewArtifactLocation().WithURI(uri).WithURIBaseID("%SRCROOT%"))
	if strings.Contains(uri, ":") {
		phys.ArtifactLocation.URIBaseID = nil // an absolute file: URI
	}
	if line > 0 {
		region := gosarif.NewRegion().WithStartLine(line)
		if line <= len(lines) {
			text := strings.TrimSuffix(lines[line-1], "\r")
			col := 1 + len([]rune(text)) - len([]rune(strings.TrimLeft(text, " \t")))
			region.WithStartColumn(col)
		}
		phys.WithRegion(region)
	}
	return gosarif.NewLocationWithPhysicalLocation(phys)
}

// fileURI is a file's name as a URI: relative to the working directory
// (which code scanning takes as the repository's root), or an absolute
// file: URI for a file outside it. Standard input has none.
func fileURI(file string) (string, bool) {
	if file == "-" || file == "" {
		return "", false
	}
	if filepath.IsAbs(file) {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, file); err == nil && !strings.HasPrefix(rel, "..") {
				file = rel
			}
		}
	}
	if filepath.IsAbs(file) {
		return (&url.URL{Scheme: "file", Path: filepath.ToSlash(file)}).String(), true
	}
	return (&url.URL{Path: filepath.ToSlash(filepath.Clean(file))}).String(), true
}

// fix is the suggested policy as a replacement of the whole file, when
// the file is the policy as JSON and nothing else (a policy inside a
// template cannot be replaced by JSON in place).
func (l *Log) fix(r *report.Report, data []byte, lines []string) *gosarif.Fix {
	s := r.SuggestedPolicy
	trimmed := strings.TrimSpace(string(data))
	if len(r.Documents) != 1 || s.Document != r.File || !strings.HasPrefix(trimmed, "{") || !json.Valid(data) {
		return nil
	}
	uri, ok := fileURI(r.File)
	if !ok {
		return nil
	}
	var b strings.Builder
	var ind bytes.Buffer
	if err := json.Indent(&ind, s.Policy, "", "  "); err != nil {
		return nil
	}
	b.Write(ind.Bytes())
	if strings.HasSuffix(string(data), "\n") {
		b.WriteString("\n")
	}
	last := len(lines)
	endCol := 1 + len([]rune(lines[last-1]))
	region := gosarif.NewRegion().WithStartLine(1).WithStartColumn(1).WithEndLine(last).WithEndColumn(endCol)
	loc := gosarif.NewArtifactLocation().WithURI(uri).WithURIBaseID("%SRCROOT%")
	if strings.Contains(uri, ":") {
		loc.URIBaseID = nil
	}
	change := gosarif.NewArtifactChange().WithArtifactLocation(loc).
		AddReplacement(gosarif.NewReplacement().WithDeletedRegion(region).
			WithInsertedContent(gosarif.NewArtifactContent().WithText(b.String())))
	desc := fmt.Sprintf("Suggested policy (%d/10), proven no broader than the original: %d changes. Replace the <placeholders> with your resources.", s.Score, len(s.Changes))
	return gosarif.NewFix().WithDescription(gosarif.NewTextMessage(desc)).AddArtifactChange(change)
}

// Write writes the log, indented.
func (l *Log) Write(w io.Writer) error {
	rep := gosarif.NewReport()
	rep.Schema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	rep.AddRun(l.run)
	return rep.PrettyWrite(w)
}
