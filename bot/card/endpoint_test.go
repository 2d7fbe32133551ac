package card

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/report"
)

// TestEndpointAndNote: the card names an endpoint policy's type, and the
// details show a finding's note (an unresolved reference it rests on).
func TestEndpointAndNote(t *testing.T) {
	r := &report.Report{
		File: "vpc.tf", PolicyType: "endpoint", Score: 6,
		Summary: "6/10: an endpoint open to any principal and any resource.",
		Findings: []report.Finding{{
			ID: "public-access-1", Rule: "PC710", Category: report.PublicAccess, Severity: report.Medium,
			Document: "vpc.tf", Line: 7, Title: "The endpoint lets any principal reach any resource",
			Detail: "The statement lets requests signed by any AWS account's credentials through the endpoint.",
			Note:   "Judged with ${var.who} as possibly any value (\"*\" included), or a declared default: ${var.who} is Terraform variable who.",
		}},
		NoSuggestionReason: "no suggestion: an endpoint policy grants nothing",
	}
	card, err := json.Marshal(Render(r, meta).Blocks)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(card), "endpoint policy") {
		t.Errorf("the card does not name the type: %s", card)
	}
	v, _ := Details(r, meta, 1)
	details, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(details), "_Note:_ Judged with") {
		t.Errorf("the details do not show the note: %s", details)
	}
}
