package review

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/rules"
)

// AccessAnalyzer names IAM Access Analyzer's ValidatePolicy in
// Report.Analyzers and is the Source of its findings.
const (
	AccessAnalyzer       = "IAM Access Analyzer"
	AccessAnalyzerSource = "access-analyzer"
)

// PolicyValidator runs IAM Access Analyzer's ValidatePolicy (package
// accessanalyzer).
type PolicyValidator interface {
	ValidatePolicy(ctx context.Context, policyJSON, policyType string) ([]ValidatorFinding, error)
}

// ValidatorFinding is one ValidatePolicy finding.
type ValidatorFinding struct {
	// Type is ERROR, SECURITY_WARNING, WARNING or SUGGESTION.
	Type string
	// IssueCode is AWS's, e.g. "PASS_ROLE_WITH_STAR_IN_RESOURCE".
	IssueCode string
	Message   string
	// Statement is the 0-based index of the statement it is about, -1
	// for the document or when AWS gives no location.
	Statement int
}

// ErrUnsupportedType is wrapped by a PolicyValidator's error for a policy
// type ValidatePolicy does not check.
var ErrUnsupportedType = errors.New("policy type not supported")

// accessIssues maps ValidatePolicy issue codes to a category and, where one
// matches, the name of the engine's rule for the same problem.
var accessIssues = map[string]struct {
	category report.Category
	rule     string
}{
	"PASS_ROLE_WITH_STAR_IN_RESOURCE":            {report.PassRole, "passrole-any-role"},
	"PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE": {report.PassRole, "passrole-any-role"},
	"INVALID_ACTION":                             {report.UnknownAction, "action-unknown"},
	"UNSUPPORTED_ACTION":                         {report.UnknownAction, "action-unknown"},
	"INVALID_SERVICE_IN_ACTION":                  {report.UnknownAction, "service-unknown"},
	"UNKNOWN_SERVICE_IN_ACTION":                  {report.UnknownAction, "service-unknown"},
	"INVALID_CONDITION_KEY":                      {report.UnknownConditionKey, "condition-key-unknown"},
	"UNSUPPORTED_GLOBAL_CONDITION_KEY":           {report.UnknownConditionKey, "condition-key-unknown"},
	"UNSUPPORTED_SERVICE_CONDITION_KEY":          {report.UnknownConditionKey, "condition-key-unknown"},
	"UNSUPPORTED_RESOURCE_ARN_IN_POLICY":         {report.ResourceMismatch, "resource-mismatch"},
	"UNSUPPORTED_ACTION_FOR_RESOURCE":            {report.ResourceMismatch, "resource-mismatch"},
	"ALLOW_WITH_NOT_ACTION":                      {report.NotAction, "notaction-every-resource"},
	"ALLOW_WITH_NOT_RESOURCE":                    {report.NotResource, "notresource"},
	"ALLOW_NOTACTION_NOTRESOURCE":                {report.NotAction, "notaction-every-resource"},
	"MISSING_PAIRED_CONDITION_KEYS":              {report.ConditionCategory, ""},
	"REDUNDANT_CONDITION_VALUE_NUM":              {report.ConditionCategory, ""},
	"MISSING_VERSION":                            {report.Syntax, "version-missing"},
	"REDUNDANT_ACTION":                           {report.Syntax, ""},
	"REDUNDANT_RESOURCE":                         {report.Syntax, ""},
	"REDUNDANT_STATEMENT":                        {report.Syntax, "statement-redundant"},
}

// accessSeverity ranks ValidatePolicy's finding types.
var accessSeverity = map[string]report.Severity{
	"ERROR": report.High, "SECURITY_WARNING": report.High, "WARNING": report.Medium, "SUGGESTION": report.Low,
}

// validate asks ValidatePolicy about one document and adds its findings,
// labelled, beside the engine's. They do not move the score, which stays
// the engine's. Their absence and a failure are both stated in a note.
func (rv *Reviewer) validate(ctx context.Context, doc *policy.Document, d *docReview) {
	fs, err := rv.validator.ValidatePolicy(ctx, string(doc.MinifiedJSON()), string(doc.Type))
	switch {
	case errors.Is(err, ErrUnsupportedType):
		d.notes = append(d.notes, fmt.Sprintf("IAM Access Analyzer's ValidatePolicy does not check %s policies%s.", doc.Type, d.of()))
		return
	case err != nil:
		d.notes = append(d.notes, fmt.Sprintf("IAM Access Analyzer's ValidatePolicy is unavailable%s (%v); its findings are not shown.", d.of(), err))
		return
	}
	d.validated = true
	if len(fs) == 0 {
		d.notes = append(d.notes, fmt.Sprintf("IAM Access Analyzer's ValidatePolicy found nothing%s.", d.of()))
		return
	}
	for i, f := range fs {
		issue, known := accessIssues[f.IssueCode]
		cat := issue.category
		if !known {
			cat = report.Syntax
			if f.Type == "SECURITY_WARNING" {
				cat = report.PermissionsMgmt
			}
		}
		sev, ok := accessSeverity[f.Type]
		if !ok {
			sev = report.Info
		}
		rf := report.Finding{
			ID:        fmt.Sprintf("access-analyzer-%d", i+1),
			Category:  cat,
			Severity:  sev,
			Document:  doc.Name,
			Statement: f.Statement,
			Line:      doc.Pos.Line,
			Title:     "Access Analyzer: " + strings.ToLower(strings.ReplaceAll(f.IssueCode, "_", " ")),
			Detail:    f.Message,
			Actions:   []string{},
			Source:    AccessAnalyzerSource,
		}
		if issue.rule != "" {
			if r, ok := rules.Lookup(issue.rule); ok {
				rf.Rule = r.ID
			}
		}
		if f.Statement >= 0 && f.Statement < len(doc.Statements) {
			st := doc.Statements[f.Statement]
			rf.Sid, rf.Line = st.Sid, st.Pos.Line
		} else {
			rf.Statement = -1
		}
		d.findings = append(d.findings, rf)
	}
}
