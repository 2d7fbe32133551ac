package review

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/policycheck/policycheck/assistant/bedrock"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/subset"
)

// Asker is a model that answers follow-up questions about a review.
type Asker interface {
	Ask(ctx context.Context, req bedrock.AskRequest) (*bedrock.Answer, error)
}

// Question is a follow-up question in the thread of a review. Policy and
// Report come from the stored review, never from the person asking.
type Question struct {
	Policy  []byte         // the reviewed policy text
	Report  *report.Report // the stored review of it
	History []bedrock.Turn // earlier questions and answers, oldest first
	Text    string         // the question
}

// Answer is the reply to a follow-up question.
type Answer struct {
	Text string
	// Source is "model" or "engine".
	Source string
	// Policy is a rewritten policy from the model, shown only because it
	// was proven no broader than the original; Review is its own review.
	Policy []byte
	Review *report.Report
	// Note says what was withheld or unavailable, in plain words.
	Note string
}

// Ask answers a follow-up question: with the model when one is
// configured, otherwise (or when it fails) with what the engine can say.
func (rv *Reviewer) Ask(ctx context.Context, q Question) (*Answer, error) {
	if q.Report == nil {
		return nil, errors.New("ask: no review to ask about")
	}
	asker, ok := rv.model.(Asker)
	if !ok || rv.model == nil {
		a := engineAnswer(q)
		a.Note = "Free-form answers need the Bedrock model (BEDROCK_MODEL_ID); this is what the built-in engine can say."
		return a, nil
	}
	orig, err := policy.Read(q.Policy, policy.Options{Name: q.Report.File})
	if err != nil || len(orig.Documents) == 0 {
		return nil, fmt.Errorf("ask: the stored policy no longer reads: %w", err)
	}
	doc := orig.Documents[0]
	ma, err := asker.Ask(ctx, bedrock.AskRequest{
		Policy:         string(doc.MinifiedJSON()),
		PolicyType:     string(doc.Type),
		EngineScore:    q.Report.Score,
		EngineFindings: q.Report.Findings,
		History:        q.History,
		Question:       q.Text,
	})
	if err != nil {
		cause := err.Error()
		var u *bedrock.Unavailable
		if errors.As(err, &u) {
			cause = u.Cause
		}
		a := engineAnswer(q)
		a.Note = fmt.Sprintf("The Bedrock model is unavailable (%s); this is what the built-in engine can say.", cause)
		return a, nil
	}
	a := &Answer{Text: ma.Text, Source: "model"}
	switch {
	case ma.PolicyRejected != "":
		a.Note = "The model's rewritten policy was withheld: " + ma.PolicyRejected + "."
	case ma.Policy != "":
		rep, err := rv.Review(ctx, Input{Name: "rewritten policy", Data: []byte(ma.Policy), Type: doc.Type, Offline: true})
		if err != nil {
			a.Note = fmt.Sprintf("The model's rewritten policy was withheld: it is not a valid policy (%v).", err)
			break
		}
		cand, _ := policy.Read([]byte(ma.Policy), policy.Options{Type: doc.Type})
		if v := subset.Check(rv.kb, doc, cand.Documents[0]); !v.Proven {
			a.Note = "The model's rewritten policy was withheld: " + v.Reason + "."
			break
		}
		a.Policy, a.Review = cand.Documents[0].JSON(), rep
	}
	return a, nil
}

// engineAnswer answers from the stored findings: those whose actions,
// category or words the question names, worst first.
func engineAnswer(q Question) *Answer {
	words := strings.FieldsFunc(strings.ToLower(q.Text), func(r rune) bool {
		return !(r == ':' || r == '-' || r == '*' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
	type hit struct {
		f     report.Finding
		score int
	}
	var hits []hit
	for _, f := range q.Report.Findings {
		s := 0
		hay := strings.ToLower(f.Title + " " + string(f.Category) + " " + strings.Join(f.Actions, " "))
		for _, w := range words {
			if len(w) < 4 {
				continue
			}
			if strings.Contains(hay, w) {
				s++
				if strings.Contains(w, ":") {
					s += 2 // an action name is a strong hint
				}
			}
		}
		if s > 0 {
			hits = append(hits, hit{f, s})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].score != hits[j].score {
			return hits[i].score > hits[j].score
		}
		return hits[i].f.Severity.Rank() < hits[j].f.Severity.Rank()
	})
	var b strings.Builder
	if len(hits) == 0 {
		fmt.Fprintf(&b, "The review scored this policy %s No finding matches the question; name an action (for example s3:GetObject) or a finding to hear why it was flagged, or post an edited policy in this thread to re-score it.", q.Report.Summary)
		return &Answer{Text: b.String(), Source: "engine"}
	}
	for i, h := range hits {
		if i == 3 {
			fmt.Fprintf(&b, "…and %d more matching findings.\n", len(hits)-3)
			break
		}
		f := h.f
		fmt.Fprintf(&b, "%s (%s, %s", f.Title, f.Severity, f.Category)
		if f.Statement >= 0 {
			fmt.Fprintf(&b, ", statement %d", f.Statement)
		}
		fmt.Fprintf(&b, "): %s", f.Detail)
		if f.Recommendation != "" {
			fmt.Fprintf(&b, " Fix: %s", f.Recommendation)
		}
		b.WriteString("\n")
	}
	return &Answer{Text: strings.TrimSpace(b.String()), Source: "engine"}
}
