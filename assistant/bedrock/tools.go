package bedrock

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/document"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/policycheck/policycheck/assistant/report"
)

const (
	reviewToolName        = "submit_review"
	reviewToolDescription = "Submit the least-privilege review of the IAM policy. This is the only way to answer."
	answerToolName        = "answer"
	answerToolDescription = "Answer the question about the IAM policy. This is the only way to answer."
)

// severities is the enum of a finding's severity, worst first.
var severities = []report.Severity{report.Critical, report.High, report.Medium, report.Low, report.Info}

// reviewSchema is the input schema of submit_review. It is a plain
// map[string]any because the SDK's document encoder ignores json tags.
// Strict tool schemas refuse numeric and length bounds: those are stated in
// the descriptions and enforced by decodeReview.
func reviewSchema() map[string]any {
	sev := make([]any, len(severities))
	for i, s := range severities {
		sev[i] = string(s)
	}
	cats := make([]any, len(report.Categories))
	for i, c := range report.Categories {
		cats[i] = string(c)
	}
	return map[string]any{
		"type":                 "object",
		"additionalProperties": false,
		"required":             []any{"embedded_instructions", "score", "summary", "findings", "suggested_policy"},
		"properties": map[string]any{
			"embedded_instructions": map[string]any{
				"type":        "boolean",
				"description": "True when the policy holds text addressed to you or to a reviewer (in a Sid, the Id, a condition value, a resource or anywhere else) rather than to IAM.",
			},
			"score": map[string]any{
				"type":        "integer",
				"description": fmt.Sprintf("Least-privilege score from %d (dangerous) to %d (least privilege).", minScore, maxScore),
			},
			"summary": map[string]any{
				"type":        "string",
				"description": fmt.Sprintf("One or two plain sentences on the policy's risk, at most %d characters.", maxSummary),
			},
			"findings": map[string]any{
				"type":        "array",
				"description": fmt.Sprintf("Problems worth telling the author, worst first, at most %d.", maxFindings),
				"items": map[string]any{
					"type":                 "object",
					"additionalProperties": false,
					"required":             []any{"severity", "category", "statement", "actions", "resources", "title", "detail", "recommendation"},
					"properties": map[string]any{
						"severity": map[string]any{"type": "string", "enum": sev},
						"category": map[string]any{
							"type":        "string",
							"enum":        cats,
							"description": "The kind of problem, one of policycheck's stable categories.",
						},
						"statement": map[string]any{
							"type":        "integer",
							"description": "0-based index of the statement the finding is about, or -1 for the whole document.",
						},
						"actions": map[string]any{
							"type":        "array",
							"items":       map[string]any{"type": "string"},
							"description": "The actions of the statement the finding is about, as the statement writes them or as actions its patterns grant. A finding that cites none, or one the statement does not grant, is discarded.",
						},
						"resources": map[string]any{
							"type":        "array",
							"items":       map[string]any{"type": "string"},
							"description": "The resources of the statement the finding is about, as the statement writes them. Cite actions, resources or both.",
						},
						"title": map[string]any{
							"type":        "string",
							"description": fmt.Sprintf("Short title, at most %d characters.", maxTitle),
						},
						"detail": map[string]any{
							"type":        "string",
							"description": fmt.Sprintf("What is wrong and why it matters, at most %d characters.", maxDetail),
						},
						"recommendation": map[string]any{
							"type":        "string",
							"description": fmt.Sprintf("How to fix it, at most %d characters.", maxDetail),
						},
					},
				},
			},
			"suggested_policy": map[string]any{
				"type": "string",
				"description": "A version of the whole policy as JSON text that is tighter than the engine's suggestion (and than the original), " +
					"or the empty string when you cannot improve on the engine's suggestion.",
			},
		},
	}
}

// answerSchema is the input schema of the answer tool.
func answerSchema() map[string]any {
	return map[string]any{
		"type":                 "object",
		"additionalProperties": false,
		"required":             []any{"text", "policy", "document"},
		"properties": map[string]any{
			"text": map[string]any{
				"type":        "string",
				"description": fmt.Sprintf("The answer in plain prose for a chat thread, at most %d characters.", maxAnswer),
			},
			"document": map[string]any{
				"type":        "string",
				"description": "The name of the document the rewritten policy replaces, as the user message names it; the empty string when there is no policy.",
			},
			"policy": map[string]any{
				"type":        "string",
				"description": "A rewritten policy as JSON text when the question asks for one, otherwise the empty string.",
			},
		},
	}
}

// newTool builds a tool spec and checks, once, that the SDK's document
// encoder produces exactly the JSON encoding/json would: its errors are
// otherwise dropped silently and the request would carry a broken schema.
func newTool(name, description string, schema map[string]any, strict bool) (types.Tool, error) {
	doc := document.NewLazyDocument(schema)
	got, err := doc.MarshalSmithyDocument()
	if err != nil {
		return nil, fmt.Errorf("bedrock: encode %s schema: %w", name, err)
	}
	want, err := json.Marshal(schema)
	if err != nil {
		return nil, fmt.Errorf("bedrock: encode %s schema: %w", name, err)
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		return nil, fmt.Errorf("bedrock: %s schema: the SDK encoder produced invalid JSON: %w", name, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		return nil, fmt.Errorf("bedrock: decode %s schema: %w", name, err)
	}
	if !reflect.DeepEqual(g, w) {
		return nil, fmt.Errorf("bedrock: %s schema: the SDK encoder changed it: %s", name, got)
	}
	spec := types.ToolSpecification{
		Name:        aws.String(name),
		Description: aws.String(description),
		InputSchema: &types.ToolInputSchemaMemberJson{Value: doc},
	}
	if strict {
		spec.Strict = aws.Bool(true)
	}
	return &types.ToolMemberToolSpec{Value: spec}, nil
}
