package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/compose"
	"github.com/policycheck/policycheck/assistant/gate"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
)

// Intender is a model that turns a description of a workload into a
// policy intent (Bedrock's Claude, in package bedrock).
type Intender interface {
	Intent(ctx context.Context, req IntentRequest) (*ModelIntent, error)
}

// IntentRequest is a description to turn into an intent.
type IntentRequest struct {
	Description string
}

// ModelIntent is the model's intent, decoded and within bounds, but not
// yet trusted: the engine compiles it, and the gate checks the result.
type ModelIntent struct {
	Spec compose.Spec
	// Assumptions are what the model says it assumed.
	Assumptions []string
	ModelID     string
	Usage       Usage
}

// GenerateRequest asks for a policy: from a description (the model writes
// the intent) or from a spec.
type GenerateRequest struct {
	Description string
	Spec        *compose.Spec
}

// Generated is a policy written from an intent, as shown (and as the JSON
// output of policycheck generate).
type Generated struct {
	Policy   json.RawMessage  `json:"policy"`
	Score    int              `json:"score"`
	Summary  string           `json:"summary"`
	Findings []report.Finding `json:"findings"`
	// Assumptions say what was assumed: placeholders to fill, names
	// corrected, what the model inferred from the description.
	Assumptions []string `json:"assumptions"`
	// Source is "model" (a description the model turned into the spec)
	// or "spec" (a spec given as is).
	Source string `json:"source"`
	// Spec is the intent compiled, in policy_sentry's CRUD template: it
	// can be saved, reviewed and compiled again offline.
	Spec *compose.Spec `json:"spec"`
	// Verdicts are the gate's proofs.
	Verdicts []string `json:"verdicts"`
	// Notes say what the intent asked that was left out (unknown
	// services or actions, ARNs of no resource type).
	Notes     []string      `json:"notes,omitempty"`
	Analyzers []string      `json:"analyzers"`
	Usage     *report.Usage `json:"usage,omitempty"`
	// Lang is the language of the texts: "en", "es" or "pt".
	Lang string `json:"lang,omitempty"`
}

// Sources of a generated policy.
const (
	FromModel = "model"
	FromSpec  = "spec"
)

// ErrNoModel is returned by Generate for a description when no model is
// configured.
var ErrNoModel = errors.New("writing a policy from a description needs the Bedrock model (BEDROCK_MODEL_ID); without it, give a spec (--from SPEC.yaml)")

// maxDescription is the longest description accepted.
const maxDescription = 4000

// Generate writes a least-privilege policy from a description or a spec:
// the model (for a description) returns the intent, the engine compiles
// it with the knowledge base, and the gate accepts the result against the
// policy the intent denotes before it is reviewed and shown.
func (rv *Reviewer) Generate(ctx context.Context, req GenerateRequest) (*Generated, error) {
	g := &Generated{Source: FromSpec, Analyzers: []string{Engine}, Assumptions: []string{}}
	spec := req.Spec
	if spec == nil {
		desc := strings.TrimSpace(req.Description)
		switch {
		case desc == "":
			return nil, errors.New("describe what the policy is for, or give a spec")
		case len(desc) > maxDescription:
			return nil, fmt.Errorf("the description is %d characters; the limit is %d", len(desc), maxDescription)
		}
		intender, ok := rv.model.(Intender)
		if !ok || rv.model == nil {
			return nil, ErrNoModel
		}
		mi, err := intender.Intent(ctx, IntentRequest{Description: desc})
		if err != nil {
			var u *Unavailable
			if errors.As(err, &u) && u.Usage.Calls > 0 {
				g.Usage = &u.Usage
			}
			return nil, fmt.Errorf("the model could not write the intent: %s", causeOf(err))
		}
		spec = &mi.Spec
		g.Source = FromModel
		g.Analyzers = append(g.Analyzers, "bedrock:"+rv.model.ModelID())
		g.Usage = &mi.Usage
		for _, a := range mi.Assumptions {
			if m := analysis.Instructions(a); m != "" {
				g.Notes = append(g.Notes, fmt.Sprintf("An assumption of the model was not shown: its words read as steered (%q).", clipText(m, 60)))
				continue
			}
			g.Assumptions = append(g.Assumptions, "The model assumed: "+a)
		}
	}
	if spec.Mode == "" {
		spec.Mode = "crud"
	}
	g.Spec = spec
	res, err := compose.Compile(rv.kb, spec)
	if err != nil {
		if res != nil && len(res.Problems) > 0 {
			return nil, fmt.Errorf("%w (%s)", err, strings.Join(res.Problems, "; "))
		}
		return nil, err
	}
	g.Assumptions = append(g.Assumptions, res.Assumptions...)
	g.Notes = append(g.Notes, res.Problems...)
	denoted, err := policy.Read(res.Denoted, policy.Options{Name: "denoted policy", Type: policy.Identity, MaxBytes: 8 << 20})
	if err != nil || len(denoted.Documents) != 1 {
		return nil, fmt.Errorf("generate: the policy the spec denotes does not read: %v", err)
	}
	sug, doc, err := rv.gate.AcceptGenerated(ctx, denoted.Documents[0], gate.Candidate{Source: gate.Engine, Text: res.Policy})
	if err != nil {
		return nil, fmt.Errorf("the generated policy was withheld: %w", err)
	}
	name := spec.Name
	if name == "" {
		name = "generated policy"
	}
	doc.Name = name
	a := analysis.Analyze(rv.kb, doc)
	g.Policy = json.RawMessage(res.Policy)
	g.Score, g.Summary, g.Findings = a.Score, a.Summary, a.Findings
	if g.Findings == nil {
		g.Findings = []report.Finding{}
	}
	g.Verdicts = sug.Verdicts
	return g, nil
}
