package policy

import "strings"

// Type is the kind of policy a document is, which decides which elements
// are legal and how principals are judged.
type Type string

const (
	Identity Type = "identity" // attached to a user, group or role
	Resource Type = "resource" // attached to a resource (bucket, queue, key...)
	Trust    Type = "trust"    // a role's AssumeRolePolicyDocument
	SCP      Type = "scp"      // an AWS Organizations service control policy
	RCP      Type = "rcp"      // an AWS Organizations resource control policy
	Endpoint Type = "endpoint" // a VPC endpoint policy: what may pass through the endpoint
)

// Control reports a type that grants nothing and only bounds what others
// grant: a service or resource control policy.
func (t Type) Control() bool { return t == SCP || t == RCP }

// ParseType turns a user-supplied name ("identity", "trust", "scp",
// "resource", "endpoint") into a Type. The empty string means "detect".
func ParseType(s string) (Type, bool) {
	switch t := Type(strings.ToLower(strings.TrimSpace(s))); t {
	case Identity, Resource, Trust, SCP, RCP, Endpoint, "":
		return t, true
	}
	return "", false
}

// Pos is a 1-based line and column in the text the user supplied. The zero
// Pos means "unknown".
type Pos struct {
	Line int `json:"line"`
	Col  int `json:"column"`
}

// Value is one string of a policy with the place it was written.
type Value struct {
	Text string
	Pos  Pos
}

// List is a policy element that may be written as a single string or a list
// of strings (Action, Resource, a condition's values...).
type List struct {
	Values []Value
	Pos    Pos  // where the element's key was written
	Set    bool // the element was present
	Single bool // written as a bare string rather than a list
}

// Strings returns the texts of the list's values.
func (l List) Strings() []string {
	out := make([]string, len(l.Values))
	for i, v := range l.Values {
		out[i] = v.Text
	}
	return out
}

// Trimmed returns the texts of the list's values without surrounding
// white space.
func (l List) Trimmed() []string {
	out := make([]string, len(l.Values))
	for i, v := range l.Values {
		out[i] = strings.TrimSpace(v.Text)
	}
	return out
}

// Principal is a Principal or NotPrincipal element.
type Principal struct {
	Pos Pos
	// Any is true for the bare wildcard form: "Principal": "*".
	Any bool
	// Entries maps the principal kind (AWS, Service, Federated,
	// CanonicalUser) to its values, in the order written.
	Entries []PrincipalEntry
}

// PrincipalEntry is one kind of principal with its values.
type PrincipalEntry struct {
	Kind   string // "AWS", "Service", "Federated", "CanonicalUser"
	Values List
}

// Condition is one key test inside a Condition block:
// {"StringEquals": {"aws:SourceAccount": ["123"]}} is one Condition with
// Operator "StringEquals", Key "aws:SourceAccount" and one value.
type Condition struct {
	Operator string // as written, e.g. "ForAnyValue:StringLike", "ArnEqualsIfExists"
	Key      string // as written
	Values   List
	Pos      Pos
}

// Statement is one statement of a policy document.
type Statement struct {
	Index int    // 0-based position in the document
	Sid   string // may be empty
	Pos   Pos    // where the statement starts

	Effect    string // "Allow" or "Deny" as written (validated by the analysis)
	EffectPos Pos

	Action, NotAction     List
	Resource, NotResource List
	Principal             *Principal
	NotPrincipal          *Principal
	Conditions            []Condition
	ConditionPos          Pos

	// Unknown holds element names the statement has that IAM does not know.
	Unknown []Value
}

// Document is one IAM policy document.
type Document struct {
	// Name says where the document came from: the file name, or for a
	// template the resource and property, e.g. "AppRole.Policies[0] (AWS::IAM::Role)".
	Name string
	// Type is the detected (or forced) policy type.
	Type Type
	// TypeKnown is true when the source said the type (the property of a
	// template or Terraform resource that holds the document): a type
	// given by the user (Options.Type) does not replace it.
	TypeKnown bool
	// Source is the format the document was read from: "json", "yaml",
	// "cloudformation", "terraform", "account" (the output of aws iam
	// get-account-authorization-details), or "aws-managed" for an AWS
	// managed policy attached by the input.
	Source string

	Version    string
	VersionPos Pos
	ID         string
	Pos        Pos // where the document starts in the input

	// StatementSingle is true when Statement was written as an object
	// rather than an array.
	StatementSingle bool
	Statements      []Statement

	// Unknown holds top-level element names IAM does not know.
	Unknown []Value

	// Text is the document as the user wrote it (after repairs), for
	// showing offending lines; Size is its length without white space
	// outside strings, the figure AWS's size quotas count.
	Text string
	Size int
	// Branched is true when a CloudFormation Fn::If in the document was
	// read as its true branch: the document is one of the template's
	// possible policies, not all of them.
	Branched bool
	// Refs are the references of a template or Terraform configuration
	// the document's values hold ("${var.who}", "${AWS::AccountId}"),
	// each with what it stands for; nil for a plain policy, whose
	// "${...}" are policy variables.
	Refs map[string]Reference
	// Managed is the ARN of the AWS managed policy the document is, read
	// from this binary's copy because the input attaches it (or, for one
	// this binary does not know, from the copy an account's output
	// holds); "" for a document of the input.
	Managed string
}

// Note is something the reader repaired or wants the user to know, never an
// error: "replaced typographic quotes", "removed Slack link markup".
type Note struct {
	Pos     Pos    `json:"pos"`
	Message string `json:"message"`
}

// Result is everything read from one input.
type Result struct {
	Documents []*Document
	Notes     []Note
	// Format is the detected input format: "json", "yaml",
	// "cloudformation", "terraform", "account".
	Format string
	// Entities are the users, roles and groups the input declares or
	// attaches policies to, each with its policies.
	Entities []*Entity
	// Unused are the customer managed policies of an account (the output
	// of aws iam get-account-authorization-details) that none of its
	// users, groups and roles has attached or as permissions boundary,
	// and that the output does not count as attached elsewhere
	// (AttachmentCount, PermissionsBoundaryUsageCount). They are in
	// Documents too, and reviewed like the others.
	Unused []*Document

	input *lineIndex // the input as supplied, for Line
}

// Quota is AWS's size quota for a kind of policy, counted in characters
// without white space (Document.Size).
type Quota struct {
	Limit int
	// What names the kind of policy the limit is for, in words.
	What string
}

// quotas are the size quotas AWS enforces by policy type.
var quotas = map[Type]Quota{
	Identity: {6144, "a customer managed policy (inline role policies may total 10,240; user 2,048; group 5,120)"},
	Trust:    {2048, "a role trust policy (the default quota; it can be raised to 4,096)"},
	SCP:      {5120, "a service control policy"},
	RCP:      {5120, "a resource control policy"},
	Resource: {20480, "an S3 bucket policy (SQS, SNS and Lambda policies are smaller)"},
	Endpoint: {20480, "a VPC endpoint policy"},
}

// SizeQuota returns AWS's size quota for a type of policy; an identity
// policy's when the type is unknown.
func SizeQuota(t Type) Quota {
	if q, ok := quotas[t]; ok {
		return q
	}
	return quotas[Identity]
}
