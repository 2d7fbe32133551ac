package card

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/slack-go/slack"

	"github.com/policycheck/policycheck/assistant/lang"
	"github.com/policycheck/policycheck/assistant/report"
)

// translated are the messages of the package in a language, drawn from
// the engine's own reviews (a hand-written report's texts have no rule to
// be translated from).
func translated(t *testing.T, lg lang.Tag) (map[string]Message, map[string]slack.ModalViewRequest) {
	escalation := engineReview(t, "deploy.json", escalationPolicy)
	admin := engineReview(t, "", adminPolicy)
	clean := engineReview(t, "read.json", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]}`)
	m := Meta{ReviewID: "r1", RequesterID: "U0ALICE01", Sid: "Deploy", Lang: lg}
	re := m
	re.ReevaluatedBy, re.PreviousScore = "U0BOB0001", 1
	re.Notes = []string{"The file is no longer attached to the message, so the policy as first reviewed was used."}
	msgs := map[string]Message{
		"escalation":  Render(escalation, m),
		"admin":       Render(admin, m),
		"clean":       Render(clean, m),
		"reevaluated": Render(escalation, re),
		"summary":     Summary(escalation, m),
		"reply":       Reevaluated(lg, "U0BOB0001", 1, escalation),
		"progress":    Progress(lg),
		"busy":        Failure(lg, "I am busy", "Too many reviews are waiting. Try again in a minute."),
		"syntax": SyntaxFailure(lg, `expected ',' or '}' after the value of "Effect"; is a comma missing at the end of this line?`, 3, 22,
			`  "Effect": "Allow" "Action": "s3:GetObject",`),
		"no policy": Failure(lg, "No policy found", "I found no IAM policy in your message."),
		"help":      Help(lg),
		"history": History(lg, []HistoryRow{
			{Score: 7, FirstScore: 4, At: at, ChannelID: "C0123ABC", File: "deploy.json", Sid: "Deploy"},
			{Score: 9, At: at, ChannelID: "D0456DEF"},
		}),
		"history-empty": History(lg, nil),
		"answer":        Answer(AnswerView{Text: "`s3:GetObject` …", AskedBy: "U0ALICE01", Policy: []byte(`{"Version": "2012-10-17"}`), PolicyScore: 9, Lang: lg}),
		"generating":    GenerateProgress(lg, "U0ALICE01"),
		"generated": Generated(GeneratedView{Policy: []byte(`{"Version": "2012-10-17", "Statement": []}`), Score: clean.Score,
			Summary: clean.Summary, Findings: escalation.Findings, Source: "model", ReviewID: "r1", RequesterID: "U0ALICE01", Lang: lg,
			// What the engine wrote in English: the compiler's and the
			// acceptance gate's sentences.
			Assumptions: []string{"Fill in the placeholders <region>, <account-id> with your own values: the description or the spec did not give them"},
			Notes:       []string{"dynamodb:Frobnicate (under actions) is not an AWS action; it was left out"},
			Verdicts:    []string{"built-in subset check: grants nothing the original does not", "IAM Access Analyzer CheckNoNewAccess: PASS"}}),
	}
	page := func(r *report.Report, n int) slack.ModalViewRequest {
		v, _ := Details(r, m, n)
		return v
	}
	views := map[string]slack.ModalViewRequest{
		"details-escalation": page(escalation, 1),
		"details-admin-5":    page(admin, 5),
	}
	// Templates with references (a finding's note, PC701, a reader's
	// note on a default) and endpoint policies (PC710, PC711).
	for _, name := range []string{"kms-key.tf", "bucket-policy.tf", "alb-logs.yaml", "endpoints.yaml"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "references", name))
		if err != nil {
			t.Fatal(err)
		}
		r := engineReview(t, name, string(b))
		msgs["references-"+name] = Render(r, m)
		views["details-references-"+name] = page(r, 1)
	}
	return msgs, views
}

// englishWord matches words of policycheck's English that a Spanish or
// Portuguese message must not hold.
var englishWord = regexp.MustCompile(`(?i)\b(the|and|with|every|findings?|statements?|policy|policies|resources?|actions?|scoped?|suggested|changed|requested|reviews?|details|more|show|score|risk|least|privilege|without|which|grants?|allows?|remove|replace|your|re-evaluate|previous|next|close|whole|line)\b`)

// identifiers are what is not translated: code, mentions, links, ARNs,
// actions, condition keys, policy elements and names.
var identifiers = []*regexp.Regexp{
	regexp.MustCompile("```[\\s\\S]*?```"), regexp.MustCompile("`[^`]*`"),
	regexp.MustCompile(`<[^>]*>`), regexp.MustCompile(`&lt;[^&]*&gt;`), regexp.MustCompile(`"[^"]*"`),
	regexp.MustCompile(`arn:[^\s,)]+`), regexp.MustCompile(`[A-Za-z0-9_.*-]+:[A-Za-z0-9_.:/*${}-]+`),
	regexp.MustCompile(`/policycheck( [a-z]+)?`), regexp.MustCompile(`\bterraform [a-z]+( -[a-z]+)*`), // a command
	regexp.MustCompile(`\([a-z_]+\)`),           // a Terraform document's name: aws_kms_key.this (policy)
	regexp.MustCompile(`\((?:en|em) [a-z-]+\)`), // a field of a generate spec: (en actions)
	regexp.MustCompile(`\bpolicycheck\b`), regexp.MustCompile(`GitHub Actions`),
	regexp.MustCompile(`\b(NotAction|NotResource|NotPrincipal|Action|Resource|Principal|Allow|Deny|Effect|Sid|Statement)\b`),
}

// texts are the texts of a payload: every "text" of its JSON.
func texts(v any, out *[]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "text" {
				*out = append(*out, s)
			} else {
				texts(x, out)
			}
		}
	case []any:
		for _, x := range v {
			texts(x, out)
		}
	}
}

func englishIn(t *testing.T, payload []byte) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(payload, &v); err != nil {
		t.Fatal(err)
	}
	var ts []string
	texts(v, &ts)
	var found []string
	for _, s := range ts {
		for _, re := range identifiers {
			s = re.ReplaceAllString(s, " ")
		}
		found = append(found, englishWord.FindAllString(s, -1)...)
	}
	return found
}

// TestNoEnglish draws every message in Spanish and in Portuguese and
// checks that they keep Slack's limits and hold no English word outside
// identifiers.
func TestNoEnglish(t *testing.T) {
	for _, lg := range []lang.Tag{lang.Spanish, lang.Portuguese} {
		msgs, views := translated(t, lg)
		for name, m := range msgs {
			checkMessage(t, m)
			if w := englishIn(t, marshal(t, m)); len(w) > 0 {
				t.Errorf("%s %s: English words %q left in:\n%s", lg.Name(), name, w, marshal(t, m))
			}
		}
		for name, v := range views {
			checkView(t, v)
			if w := englishIn(t, marshalView(t, v)); len(w) > 0 {
				t.Errorf("%s %s: English words %q left in:\n%s", lg.Name(), name, w, marshalView(t, v))
			}
		}
	}
	// The check itself finds English.
	msgs, _ := translated(t, lang.English)
	if w := englishIn(t, marshal(t, msgs["escalation"])); len(w) < 5 {
		t.Errorf("the English card has only %q English words: the check is broken", w)
	}
}

// TestTranslatedGolden keeps a card and a modal page in each language,
// for people to read.
func TestTranslatedGolden(t *testing.T) {
	for _, lg := range []lang.Tag{lang.Spanish, lang.Portuguese} {
		msgs, views := translated(t, lg)
		files := map[string][]byte{
			"escalation-" + lg.String():         marshal(t, msgs["escalation"]),
			"help-" + lg.String():               marshal(t, msgs["help"]),
			"details-escalation-" + lg.String(): marshalView(t, views["details-escalation"]),
		}
		for name, got := range files {
			path := filepath.Join("testdata", "lang", name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the rendering (go test -update rewrites it); got:\n%s", path, got)
			}
		}
	}
}
