package report

import "encoding/json"

// Category is the stable kind of a finding; scripts rely on these values.
type Category string

const (
	Syntax              Category = "syntax"
	UnknownAction       Category = "unknown-action"
	UnknownConditionKey Category = "unknown-condition-key"
	ResourceMismatch    Category = "resource-mismatch"
	FullAdmin           Category = "full-admin"
	ServiceWildcard     Category = "service-wildcard"
	NotAction           Category = "not-action"
	NotResource         Category = "not-resource"
	WildcardResource    Category = "wildcard-resource"
	PrivilegeEscalation Category = "privilege-escalation"
	DataExfiltration    Category = "data-exfiltration"
	CredentialsExposure Category = "credentials-exposure"
	PermissionsMgmt     Category = "permissions-management"
	PassRole            Category = "pass-role"
	PublicAccess        Category = "public-access"
	ConditionCategory   Category = "condition"
)

// Categories lists every category in a stable order.
var Categories = []Category{
	Syntax, UnknownAction, UnknownConditionKey, ResourceMismatch, FullAdmin,
	ServiceWildcard, NotAction, NotResource, WildcardResource,
	PrivilegeEscalation, DataExfiltration, CredentialsExposure,
	PermissionsMgmt, PassRole, PublicAccess, ConditionCategory,
}

// Severity orders findings; Critical is the worst.
type Severity string

const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
	Info     Severity = "info"
)

// Rank is 0 for Critical up to 4 for Info, so that sorting by Rank puts
// the worst first.
func (s Severity) Rank() int {
	switch s {
	case Critical:
		return 0
	case High:
		return 1
	case Medium:
		return 2
	case Low:
		return 3
	}
	return 4
}

// Finding is one problem, tied to the statement it comes from.
type Finding struct {
	ID string `json:"id"` // unique within a report
	// Rule is the id of the rule that found it (assistant/rules), e.g.
	// "PC101"; empty for a model's finding that matches no rule.
	Rule     string   `json:"rule,omitempty"`
	Category Category `json:"category"`
	Severity Severity `json:"severity"`
	Document string   `json:"document"`
	// Principal is the user, role or group of the input the finding is
	// about, when it was judged with the policies attached to it.
	Principal      string `json:"principal,omitempty"`
	Statement      int    `json:"statement"` // 0-based index; -1 for the whole document
	Sid            string `json:"sid"`
	Line           int    `json:"line"` // 0 when unknown
	Title          string `json:"title"`
	Detail         string `json:"detail"`
	Recommendation string `json:"recommendation"`
	// Note qualifies the finding: a reading it rests on, such as a
	// reference of a template the input does not resolve.
	Note    string   `json:"note,omitempty"`
	Actions []string `json:"actions"`
	// Source says who found it: "engine" or "model".
	Source string `json:"source,omitempty"`
	// Count is how many similar findings this one stands for (grouping);
	// 0 or 1 means itself only.
	Count int `json:"count,omitempty"`
	// Implies counts, by rule, the findings this one makes redundant and
	// that were folded into it: the escalation paths and service
	// wildcards that full administrator access already grants. Absent
	// when it folds none.
	Implies []Implied `json:"implies,omitempty"`
	// Args are the values the rule's templates were filled with (see
	// assistant/rules), so that the texts can be rendered again, in
	// another language for instance. They are kept in the reviews the bot
	// stores; they are not part of the JSON contract of policycheck check,
	// which leaves them out (AppendJSON).
	Args map[string]string `json:"args,omitempty"`
	// Suppressed is the suppression that accepts this finding, with its
	// reason: the finding is reported but does not lower the score nor
	// count for a gate.
	Suppressed *Suppression `json:"suppressed,omitempty"`
	// Baseline is "new" or "unchanged" when the run was compared with a
	// baseline (a previous run): only new findings count for a gate.
	Baseline string `json:"baseline,omitempty"`
}

// Implied is a kind of finding folded into a stronger one: its rule, its
// category, and how many there were.
type Implied struct {
	Rule     string   `json:"rule"`
	Category Category `json:"category"`
	Count    int      `json:"count"`
}

// Counts reports whether a finding counts for a gate: it is neither
// suppressed nor already in the baseline.
func (f *Finding) Counts() bool {
	return f.Suppressed == nil && f.Baseline != BaselineUnchanged
}

// The states of a finding compared with a baseline.
const (
	BaselineNew       = "new"
	BaselineUnchanged = "unchanged"
)

// Suppression is a decision, declared with its reason, to accept the
// findings of a rule in some files.
type Suppression struct {
	// Rule is what it applies to, as written: a rule id ("PC101"), a
	// rule name or a category.
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
	// Expires is the date (YYYY-MM-DD) after which it no longer
	// applies; empty: never.
	Expires string `json:"expires,omitempty"`
	// Source is where it was declared: ".policycheck.yaml:12",
	// "stack.yaml:40 (Metadata of AppRole)", "main.tf:7".
	Source string `json:"source"`
	// Problem says why it was not applied (no reason given, expired);
	// empty when it was.
	Problem string `json:"problem,omitempty"`
}

// Document is the review of one policy document of the input.
type Document struct {
	Name       string `json:"name"`
	PolicyType string `json:"policy_type"`
	// Score and Summary judge the document alone. For a document
	// attached to principals of the input (AttachedTo) they are
	// information: the principals' reviews are what counts.
	Score    int       `json:"score"`
	Summary  string    `json:"summary"`
	Findings []Finding `json:"findings"`
	// AttachedTo names the principals of the input the document is
	// attached to.
	AttachedTo []string `json:"attached_to,omitempty"`
	// SuggestedPolicy is the document's own tightened policy, and
	// NoSuggestionReason why there is none, when the input holds several
	// documents (the report's SuggestedPolicy is the worst one's).
	SuggestedPolicy    *Suggestion `json:"suggested_policy,omitempty"`
	NoSuggestionReason string      `json:"no_suggestion_reason,omitempty"`
}

// Principal is the review of a user, role or group of the input: what
// every policy attached to it (its own, its groups', AWS managed ones)
// allows together, and its trust policy.
type Principal struct {
	Name string `json:"name"`
	Kind string `json:"kind"` // "user", "role" or "group"
	// Declared is false for a principal the input only names: other
	// policies may be attached to it elsewhere.
	Declared bool `json:"declared"`
	// Documents names the documents attached, AWS managed policies
	// included; Unknown the attached policies that are not known.
	Documents []string  `json:"documents"`
	Unknown   []string  `json:"unknown_policies,omitempty"`
	Score     int       `json:"score"`
	Summary   string    `json:"summary"`
	Findings  []Finding `json:"findings"`
}

// Change is one line of "what changed and why" for a suggested policy.
type Change struct {
	Statement int    `json:"statement"`
	What      string `json:"what"`
	Why       string `json:"why"`
}

// Suggestion is a tightened policy proven to grant nothing the original
// did not.
type Suggestion struct {
	Document string          `json:"document"`
	Policy   json.RawMessage `json:"policy"`
	Score    int             `json:"score"`
	Changes  []Change        `json:"changes"`
	Source   string          `json:"source"` // "engine" or "model"
	// Verdicts are the proofs that it is no broader: "built-in subset
	// check" always, "IAM Access Analyzer CheckNoNewAccess" when enabled.
	Verdicts []string `json:"verdicts,omitempty"`
	// Diff is a compact line diff from the original policy (canonical
	// JSON) to the suggestion.
	Diff string `json:"diff,omitempty"`
}

// Report is the review of one input.
type Report struct {
	File       string     `json:"file"`
	PolicyType string     `json:"policy_type"`
	Score      int        `json:"score"`
	Summary    string     `json:"summary"`
	Findings   []Finding  `json:"findings"`
	Documents  []Document `json:"documents"`
	// Principals are the users, roles and groups of the input, each
	// judged with everything attached to it; the score is the lowest of
	// theirs and of the documents attached to none.
	Principals []Principal `json:"principals,omitempty"`
	// UnusedPolicies names the customer managed policies of an account
	// export that nothing attaches.
	UnusedPolicies []string `json:"unused_policies,omitempty"`
	// ManagedPoliciesVersion is the version of the AWS managed policies
	// this binary knows, when the input attaches any.
	ManagedPoliciesVersion string `json:"managed_policies_version,omitempty"`
	// SuggestedPolicy is the tightened policy, or nil when nothing could
	// be improved (NoSuggestionReason then says why).
	SuggestedPolicy    *Suggestion `json:"suggested_policy"`
	NoSuggestionReason string      `json:"no_suggestion_reason,omitempty"`
	Analyzers          []string    `json:"analyzers"`
	// Explanation is the model's own summary, when a model ran; the
	// score and Summary stay the engine's (bounded) verdict.
	Explanation string `json:"explanation,omitempty"`
	// DataVersion is the version of the embedded IAM data.
	DataVersion string `json:"data_version"`
	// Lang is the language of the report's texts ("en", "es", "pt");
	// identifiers (rules, categories, severities, actions) are never
	// translated.
	Lang  string   `json:"lang,omitempty"`
	Notes []string `json:"notes,omitempty"`
	// SuppressionProblems are the suppressions meant for this file that
	// were not applied, each with its Problem: its findings count.
	SuppressionProblems []Suppression `json:"suppression_problems,omitempty"`
	// Usage is what the model calls of the review cost, in tokens; nil
	// when no model was called.
	Usage *Usage `json:"usage,omitempty"`
}

// Usage is the token count of one or more model calls, as Bedrock reports
// them.
type Usage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
	// CacheReadInputTokens and CacheWriteInputTokens are the prompt
	// tokens read from and written to Bedrock's prompt cache; they are
	// not counted in InputTokens.
	CacheReadInputTokens  int `json:"cache_read_input_tokens"`
	CacheWriteInputTokens int `json:"cache_write_input_tokens"`
	// Calls is the number of model calls counted.
	Calls int `json:"calls"`
}

// Add adds o to u.
func (u *Usage) Add(o Usage) {
	u.InputTokens += o.InputTokens
	u.OutputTokens += o.OutputTokens
	u.CacheReadInputTokens += o.CacheReadInputTokens
	u.CacheWriteInputTokens += o.CacheWriteInputTokens
	u.Calls += o.Calls
}

// OtherSuggestions are the documents that have a suggested policy of
// their own besides the report's (the worst document's), in order.
func (r *Report) OtherSuggestions() []Document {
	var out []Document
	for _, d := range r.Documents {
		if s := d.SuggestedPolicy; s != nil && (r.SuggestedPolicy == nil || s.Document != r.SuggestedPolicy.Document) {
			out = append(out, d)
		}
	}
	return out
}
