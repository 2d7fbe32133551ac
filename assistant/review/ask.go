package review

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/gate"
	"github.com/policycheck/policycheck/assistant/lang"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
)

// Asker is a model that answers follow-up questions about a review.
type Asker interface {
	Ask(ctx context.Context, req AskRequest) (*ModelAnswer, error)
}

// Turn is one earlier question and answer of a thread.
type Turn struct {
	Question string
	Answer   string
}

// AskRequest is a follow-up question about a reviewed input, as the
// model is asked it.
type AskRequest struct {
	// Documents are every policy document of the input, each with the
	// engine's findings about it: the facts.
	Documents []AskDocument
	// Earlier is what the model said in the review, unverified: history,
	// never facts. Nil when the model did not review the input.
	Earlier *EarlierReview
	// History is the thread so far, oldest first.
	History  []Turn
	Question string
}

// AskDocument is one policy document of a follow-up question.
type AskDocument struct {
	Name           string // as the review names it
	Policy         string // minified JSON
	PolicyType     string
	EngineScore    int
	EngineFindings []report.Finding
}

// EarlierReview is the model's part of a stored review.
type EarlierReview struct {
	Summary  string
	Findings []report.Finding
}

// ModelAnswer is the model's answer, decoded and within bounds, but not
// yet trusted.
type ModelAnswer struct {
	// Text is plain prose.
	Text string
	// Policy is a rewritten policy as compact JSON, or "". The gate
	// decides whether it is shown.
	Policy string
	// Document names the document Policy rewrites ("" when the input has
	// one document).
	Document string
	ModelID  string
	Usage    Usage
	// PolicyRejected says why a policy in the answer was discarded before
	// the gate.
	PolicyRejected string
}

// Question is a follow-up question in the thread of a review. Policy and
// Report come from the stored review, never from the person asking.
type Question struct {
	Policy  []byte         // the reviewed policy text
	Report  *report.Report // the stored review of it
	History []Turn         // earlier questions and answers, oldest first
	Text    string         // the question
}

// Answer is the reply to a follow-up question.
type Answer struct {
	Text string
	// Source is "model" or "engine".
	Source string
	// Suggestion is a rewritten policy from the model, shown only because
	// the gate accepted it; Review is the review of that policy.
	Suggestion *report.Suggestion
	Review     *report.Report
	// Note says what was withheld or unavailable, in plain words.
	Note string
	// Usage is what the model calls cost, in tokens (zero without them).
	Usage Usage
}

// Ask answers a follow-up question: with the model when one is
// configured, otherwise (or when it fails) with what the engine can say.
// The model is told every document of the input, by name, with the
// engine's findings as the facts; what a model said in the review goes as
// history, never as facts. A rewrite goes through the gate against the
// document it names.
func (rv *Reviewer) Ask(ctx context.Context, q Question) (*Answer, error) {
	if q.Report == nil {
		return nil, errors.New("ask: no review to ask about")
	}
	asker, ok := rv.model.(Asker)
	if !ok || rv.model == nil {
		a := engineAnswer(lang.FromContext(ctx), q)
		a.Note = "Free-form answers need the Bedrock model (BEDROCK_MODEL_ID); this is what the built-in engine can say."
		return a, nil
	}
	orig, err := policy.Read(q.Policy, policy.Options{Name: q.Report.File})
	if err != nil || len(orig.Documents) == 0 {
		return nil, fmt.Errorf("ask: the stored policy no longer reads: %w", err)
	}
	req := AskRequest{History: q.History, Question: q.Text, Earlier: earlierReview(q.Report)}
	scores := make([]int, len(orig.Documents))
	for i, doc := range orig.Documents {
		a := analysis.Analyze(rv.kb, doc)
		scores[i] = a.Score
		for _, f := range a.Findings {
			if f.Rule == analysis.RuleInstructions.ID {
				ans := engineAnswer(lang.FromContext(ctx), q)
				ans.Note = fmt.Sprintf("The policy contains text addressed to its reviewer (see the finding %q), so the model was not asked; this is what the built-in engine can say.", analysis.RuleInstructions.Title)
				return ans, nil
			}
		}
		req.Documents = append(req.Documents, AskDocument{
			Name: doc.Name, Policy: string(doc.MinifiedJSON()), PolicyType: string(doc.Type),
			EngineScore: a.Score, EngineFindings: a.Findings,
		})
	}
	ma, err := asker.Ask(ctx, req)
	if err != nil {
		a := engineAnswer(lang.FromContext(ctx), q)
		var u *Unavailable
		if errors.As(err, &u) {
			a.Usage = u.Usage
		}
		a.Note = fmt.Sprintf("The Bedrock model is unavailable (%s); this is what the built-in engine can say.", causeOf(err))
		return a, nil
	}
	if m := analysis.Instructions(ma.Text); m != "" {
		a := engineAnswer(lang.FromContext(ctx), q)
		a.Usage = ma.Usage
		a.Note = fmt.Sprintf("The model's answer was not shown: its words read as steered (%q); this is what the built-in engine can say.", clipText(m, 60))
		return a, nil
	}
	a := &Answer{Text: ma.Text, Source: "model", Usage: ma.Usage}
	switch {
	case ma.PolicyRejected != "":
		a.Note = "The model's rewritten policy was withheld: " + ma.PolicyRejected + "."
	case ma.Policy != "":
		i := documentNamed(orig.Documents, ma.Document)
		if i < 0 {
			a.Note = fmt.Sprintf("The model's rewritten policy was withheld: it names %q, which is not a document of the input.", ma.Document)
			break
		}
		doc := orig.Documents[i]
		sug, _, err := rv.gate.Accept(ctx, gate.Original{Doc: doc, Score: scores[i]}, gate.Candidate{
			Source:  gate.Model,
			Text:    []byte(ma.Policy),
			Changes: modelChanges(rv.kb, doc, ma.Policy),
		})
		if err != nil {
			a.Note = "The model's rewritten policy was withheld: " + err.Error() + "."
			break
		}
		rep, err := rv.Review(ctx, Input{Name: "rewritten policy", Data: sug.Policy, Type: doc.Type, Offline: true})
		if err != nil {
			a.Note = fmt.Sprintf("The model's rewritten policy was withheld: its review failed (%v).", err)
			break
		}
		if len(orig.Documents) > 1 {
			rep.File = "rewritten " + doc.Name
		}
		a.Suggestion, a.Review = sug, rep
	}
	return a, nil
}

// documentNamed is the index of the document a model's answer names (the
// only one, whatever the name, when the input has one), or -1.
func documentNamed(docs []*policy.Document, name string) int {
	if len(docs) == 1 {
		return 0
	}
	name = strings.TrimSpace(name)
	for i, d := range docs {
		if d.Name == name {
			return i
		}
	}
	return -1
}

// earlierReview is what the model said in a stored review, or nil.
func earlierReview(r *report.Report) *EarlierReview {
	e := &EarlierReview{Summary: r.Explanation}
	for _, f := range r.Findings {
		if f.Source == "model" {
			e.Findings = append(e.Findings, f)
		}
	}
	if e.Summary == "" && len(e.Findings) == 0 {
		return nil
	}
	return e
}

// engineAnswer answers from the stored findings: those whose actions,
// category or words the question names, worst first, in the language lg.
func engineAnswer(lg lang.Tag, q Question) *Answer {
	q.Report = lg.Report(q.Report)
	words := strings.FieldsFunc(strings.ToLower(q.Text), func(r rune) bool {
		return !(r == ':' || r == '-' || r == '*' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
	type hit struct {
		f     report.Finding
		score int
	}
	var hits []hit
	for _, f := range q.Report.Findings {
		if f.Source == "model" {
			continue // the model's words are not the engine's facts
		}
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
		b.WriteString(lg.Sprintf("The review scored this policy %s No finding matches the question; name an action (for example s3:GetObject) or a finding to hear why it was flagged, or post an edited policy in this thread to re-score it.", q.Report.Summary))
		return &Answer{Text: b.String(), Source: "engine"}
	}
	for i, h := range hits {
		if i == 3 {
			b.WriteString(lg.Plural(len(hits)-3, "…and %d more matching findings.", len(hits)-3) + "\n")
			break
		}
		f := h.f
		fmt.Fprintf(&b, "%s (%s, %s", f.Title, f.Severity, f.Category)
		if f.Statement >= 0 {
			b.WriteString(", " + lg.Sprintf("statement %d", f.Statement))
		}
		fmt.Fprintf(&b, "): %s", f.Detail)
		if f.Recommendation != "" {
			b.WriteString(" " + lg.Sprintf("Fix: %s", f.Recommendation))
		}
		b.WriteString("\n")
	}
	return &Answer{Text: strings.TrimSpace(b.String()), Source: "engine"}
}
