package gate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/norm"
	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/subset"
)

// BuiltinProof names the built-in subset check in a suggestion's verdicts.
const BuiltinProof = "built-in subset check: grants nothing the original does not"

// Who proposed a candidate: the Source of the suggestion shown.
const (
	Engine = "engine"
	Model  = "model"
)

// NoNewAccessChecker asks IAM Access Analyzer's CheckNoNewAccess whether
// candidate grants access that existing does not; pass is its verdict and
// reason its explanation when it does not pass.
type NoNewAccessChecker interface {
	NoNewAccess(ctx context.Context, existing, candidate, policyType string) (pass bool, reason string, err error)
}

// Gate accepts or refuses candidate policies. Build one with New; it is
// safe for concurrent use.
type Gate struct {
	kb     *iamref.KB
	access NoNewAccessChecker
}

// New returns a gate over a knowledge base; access, when not nil, also
// asks IAM Access Analyzer about every candidate the built-in checks
// accept.
func New(kb *iamref.KB, access NoNewAccessChecker) *Gate {
	return &Gate{kb: kb, access: access}
}

// Original is the policy a candidate would replace.
type Original struct {
	Doc *policy.Document
	// Score is the engine's score of Doc.
	Score int
	// Rival is a suggestion already accepted for Doc, or nil. A candidate
	// must score above it: on a tie the rival stays.
	Rival *report.Suggestion
	// Norm is Doc normalized, as analysis.Result.Policy has it, or nil:
	// the gate then normalizes Doc itself.
	Norm *norm.Policy
}

// Candidate is a policy proposed in place of an original.
type Candidate struct {
	// Source is who wrote it: Engine or Model.
	Source string
	// Text is the policy as proposed.
	Text []byte
	// Doc, when not nil, is the policy as proposed by a producer that
	// builds documents rather than text (the engine): the gate judges
	// it and shows it written as JSON (Document.AppendText), which is what
	// reading that text back would give, and ignores Text. The gate does
	// not change it.
	Doc *policy.Document
	// Changes say what changed and why, as the producer sees it.
	Changes []report.Change
}

// Refusal is why a candidate is withheld.
type Refusal struct {
	Reason string // in plain words: "it would score 3, below the original's 5"
}

func (r *Refusal) Error() string { return r.Reason }

func refuse(format string, args ...any) (*report.Suggestion, *policy.Document, error) {
	return nil, nil, refusal(format, args...)
}

func refusal(format string, args ...any) error {
	return &Refusal{Reason: fmt.Sprintf(format, args...)}
}

// Accept returns the candidate as the suggestion to show, with the
// document it reads as, or a *Refusal saying why it is withheld. A
// context error is returned as it is.
func (g *Gate) Accept(ctx context.Context, orig Original, c Candidate) (*report.Suggestion, *policy.Document, error) {
	return g.accept(ctx, orig, c, false)
}

// AcceptGenerated is Accept for a policy written from an intent rather
// than in place of a policy in use: denoted is the policy the intent
// denotes at its coarsest reading (package compose), which the candidate
// must be proven within. The criteria are Accept's, with one difference:
// the candidate must fit AWS's size quota whatever the size of denoted,
// since no deployed policy over the quota stands to be improved. The
// score compared is denoted's.
func (g *Gate) AcceptGenerated(ctx context.Context, denoted *policy.Document, c Candidate) (*report.Suggestion, *policy.Document, error) {
	score := analysis.Analyze(g.kb, denoted).Score
	return g.accept(ctx, Original{Doc: denoted, Score: score}, c, true)
}

func (g *Gate) accept(ctx context.Context, orig Original, c Candidate, generated bool) (*report.Suggestion, *policy.Document, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if orig.Doc.Branched {
		return refuse("the template's Fn::If conditions were read as true, so no rewrite can be proven for every deployment")
	}
	scratch := textBuffers.Get().(*[]byte)
	defer textBuffers.Put(scratch)
	cand, shown, err := candidate(orig.Doc, c, scratch)
	if err != nil {
		return nil, nil, err
	}
	// The size first: it is known without the proof, and it is what
	// refuses most of the engine's bolder attempts.
	if q := policy.SizeQuota(orig.Doc.Type); cand.Size > q.Limit && (generated || cand.Size > orig.Doc.Size) {
		return refuse("it would be %d characters, over AWS's limit of %d for %s", cand.Size, q.Limit, q.What)
	}
	if c.Doc != nil {
		// The text is the candidate's own from here on.
		shown = bytes.Clone(shown)
		cand.Text = string(shown)
	}
	origN := orig.Norm
	if origN == nil || origN.Doc != orig.Doc {
		origN = norm.New(g.kb, orig.Doc)
	}
	// The candidate is normalized once, for the proof and the analysis;
	// the statements it keeps take the original's expansions.
	candN := norm.NewLike(g.kb, cand, origN)
	if v := subset.CheckPolicies(g.kb, origN, candN); !v.Proven {
		return refuse("%s", v.Reason)
	}
	if why := narrowsDelegation(g.kb, orig.Doc, candN); why != "" {
		return refuse("%s", why)
	}
	// Only the candidate's score is wanted; the findings' texts are
	// written when it is refused for its score, to say why.
	score := analysis.Score(g.kb, candN)
	if score < orig.Score {
		return refuse("it would score %d, below the original's %d (%s)", score, orig.Score, analysis.AnalyzePolicy(g.kb, candN).Summary)
	}
	if r := orig.Rival; r != nil && score <= r.Score {
		return refuse("it scores %d, no higher than the %s suggestion (%d), which is shown instead", score, sourceName(r.Source), r.Score)
	}
	sug := &report.Suggestion{
		Document: orig.Doc.Name,
		Policy:   json.RawMessage(shown),
		Score:    score,
		Changes:  c.Changes,
		Source:   c.Source,
		Verdicts: []string{BuiltinProof},
	}
	if sug.Changes == nil {
		sug.Changes = []report.Change{}
	}
	if g.access != nil {
		pass, reason, err := g.access.NoNewAccess(ctx, string(orig.Doc.MinifiedJSON()), string(cand.MinifiedJSON()), string(orig.Doc.Type))
		switch {
		case errors.Is(err, context.Canceled):
			return nil, nil, err
		case err != nil:
			sug.Verdicts = append(sug.Verdicts, "IAM Access Analyzer CheckNoNewAccess unavailable: "+err.Error())
		case !pass:
			return refuse("IAM Access Analyzer found new access: %s", reason)
		default:
			sug.Verdicts = append(sug.Verdicts, "IAM Access Analyzer CheckNoNewAccess: PASS")
		}
	}
	// The original's text serves the diff alone: it is written into a
	// pooled buffer.
	text := textBuffers.Get().(*[]byte)
	*text = orig.Doc.AppendJSON((*text)[:0])
	sug.Diff = report.Diff(*text, sug.Policy)
	textBuffers.Put(text)
	return sug, cand, nil
}

// textBuffers hold the text of the candidates the engine hands over as
// it is written: most of those refused are refused for their size, and
// need no text of their own.
var textBuffers = sync.Pool{New: func() any { return new([]byte) }}

// candidate returns c as the document to judge, named and with the
// references of orig, and the text to show for it; a candidate that does
// not read as one policy is refused. The text of a candidate handed over
// as a document is written into scratch, and is the caller's to copy.
func candidate(orig *policy.Document, c Candidate, scratch *[]byte) (*policy.Document, []byte, error) {
	if c.Doc != nil {
		cand := *c.Doc
		cand.Name = orig.Name
		cand.Refs = orig.Refs
		*scratch = cand.AppendText((*scratch)[:0])
		return &cand, *scratch, nil
	}
	text := c.Text
	if len(text) > policy.MaxInputBytes {
		// Indentation alone can push a large policy over the reader's
		// limit; the same policy without white space may fit.
		var b bytes.Buffer
		if json.Compact(&b, text) == nil {
			text = b.Bytes()
		}
	}
	rr, err := policy.Read(text, policy.Options{Name: orig.Name, Type: orig.Type})
	if err != nil {
		return nil, nil, refusal("it does not read as a policy (%v)", err)
	}
	if len(rr.Documents) != 1 {
		return nil, nil, refusal("it holds %d policy documents instead of one", len(rr.Documents))
	}
	cand := rr.Documents[0]
	cand.Name = orig.Name
	cand.Refs = orig.Refs // the template's references keep their meaning
	return cand, cand.JSON(), nil
}

func sourceName(source string) string {
	if source == Engine {
		return "built-in"
	}
	return source + "'s"
}
