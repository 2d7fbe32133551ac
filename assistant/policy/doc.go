// Package policy reads AWS IAM policies as users paste them (raw JSON, text
// from Slack or an editor, YAML, CloudFormation templates, Terraform) into
// documents that remember where every statement and element came from.
//
// The model is deliberately forgiving: anything the reader had to repair is
// reported as a Note, and anything it could not understand is an *Error with
// a line and a column.
//
// Input is UTF-8, or UTF-16 with a byte-order mark (what Windows PowerShell
// writes), which is decoded first: positions then refer to the decoded
// text, in characters, as an editor shows them.
package policy
