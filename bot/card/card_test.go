package card

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/lang"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/review"
	"github.com/policycheck/policycheck/internal/slackfake"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var at = time.Date(2025, 6, 2, 9, 30, 0, 0, time.UTC)

var meta = Meta{
	ReviewID:    "k3m2x7q9r4t6w8y2z5a7b9c1d3",
	RequesterID: "U024BE7LH",
	Sid:         "Admin",
	Models:      []string{"built-in engine"},
	DataVersion: "2025-05-30",
}

func adminReport() *report.Report {
	return &report.Report{
		File:       "admin.json",
		PolicyType: "identity",
		Score:      1,
		Summary:    "Grants full administrative access to every resource in the account.",
		Findings: []report.Finding{
			{ID: "PC-ESC-iam-001", Category: report.PrivilegeEscalation, Severity: report.High, Document: "admin.json",
				Statement: 1, Sid: "ManageRoles", Line: 12, Title: "Can attach any policy to any role",
				Detail:         "`iam:AttachRolePolicy` on `*` lets the holder give itself any permission.",
				Recommendation: "Limit `Resource` to the roles this workload manages.",
				Actions:        []string{"iam:AttachRolePolicy", "iam:PassRole"}, Source: "engine"},
			{ID: "PC-ADM-001", Category: report.FullAdmin, Severity: report.Critical, Document: "admin.json",
				Statement: 0, Sid: "Admin", Line: 4, Title: "Full administrator access",
				Detail:         "`\"Action\": \"*\"` on `\"Resource\": \"*\"` allows every action on every resource.",
				Recommendation: "List the actions the workload calls, on the resources it uses.",
				Actions:        []string{"*"}, Source: "engine"},
			{ID: "PC-WR-001", Category: report.WildcardResource, Severity: report.Medium, Document: "admin.json",
				Statement: -1, Title: "Wildcard resources", Detail: "3 statements apply to every resource.",
				Recommendation: "Name the resources.", Source: "engine", Count: 3},
		},
		Documents: []report.Document{{Name: "admin.json", PolicyType: "identity", Score: 1}},
		SuggestedPolicy: &report.Suggestion{
			Document: "admin.json",
			Policy: json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Sid":"ReadApp","Effect":"Allow",` +
				`"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::app-data","arn:aws:s3:::app-data/*"]}]}`),
			Score: 8,
			Changes: []report.Change{
				{Statement: 0, What: "Replaced `*` with the 2 S3 actions used", Why: "CloudTrail shows no other calls."},
				{Statement: 1, What: "Removed the statement", Why: "Role management is not needed by the workload."},
			},
			Source:   "engine",
			Verdicts: []string{"built-in subset check", "IAM Access Analyzer CheckNoNewAccess"},
		},
		Analyzers:   []string{"built-in engine"},
		DataVersion: "2025-05-30",
	}
}

// manyFindings is a report with n findings of every severity.
func manyFindings(n int) *report.Report {
	r := &report.Report{File: "big.json", Score: 3, Summary: "Many statements grant more than they need.",
		NoSuggestionReason: "The policy has too many statements to tighten automatically."}
	sev := []report.Severity{report.Low, report.Medium, report.Low, report.High, report.Low, report.Info, report.Critical, report.Low}
	for i := range n {
		r.Findings = append(r.Findings, report.Finding{
			ID: fmt.Sprintf("PC-%03d", i), Category: report.WildcardResource, Severity: sev[i%len(sev)],
			Document: "big.json", Statement: i, Sid: fmt.Sprintf("S%d", i), Line: 3 + 7*i,
			Title:          fmt.Sprintf("Statement %d applies to every resource", i+1),
			Detail:         "`s3:PutObject` on `*` can write to any bucket in the account, including buckets of other teams.",
			Recommendation: "Name the buckets in `Resource`.",
			Actions:        []string{"s3:PutObject"},
		})
	}
	return r
}

func longSuggestion() *report.Report {
	r := adminReport()
	var stmts []string
	for i := range 40 {
		stmts = append(stmts, fmt.Sprintf(`{"Sid":"Read%d","Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::bucket-%d/*"]}`, i, i))
	}
	r.SuggestedPolicy.Document = "team/../prod policy<v2>.json"
	r.SuggestedPolicy.Policy = json.RawMessage(`{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`)
	return r
}

func severalDocuments() *report.Report {
	return &report.Report{
		File: "template.yaml", PolicyType: "cloudformation", Score: 4,
		Summary: "Two of three policies in the template are too broad.",
		Findings: []report.Finding{
			{Category: report.ServiceWildcard, Severity: report.High, Document: "AppRole/AppPolicy", Statement: 0, Line: 14,
				Title: "All DynamoDB actions", Detail: "`dynamodb:*` includes deleting tables.", Recommendation: "List the actions used."},
			{Category: report.PassRole, Severity: report.Medium, Document: "DeployRole/Deploy", Statement: 2, Line: 40,
				Title: "PassRole to any role", Detail: "`iam:PassRole` on `*`.", Recommendation: "Add `iam:PassedToService`."},
		},
		Documents: []report.Document{
			{Name: "AppRole/AppPolicy", PolicyType: "identity", Score: 4, Summary: "All DynamoDB actions on one table."},
			{Name: "DeployRole/Deploy", PolicyType: "identity", Score: 5, Summary: "Deployment with PassRole to any role."},
			{Name: "Bucket/BucketPolicy", PolicyType: "resource", Score: 9, Summary: "Read access for one account."},
		},
		NoSuggestionReason: "Suggestions are made for one document at a time; review each policy on its own.",
		Analyzers:          []string{"built-in engine"},
		DataVersion:        "2025-05-30",
	}
}

func hostile() *report.Report {
	return &report.Report{
		File:    "<!everyone>.json",
		Score:   2,
		Summary: "<!here> *Everything* is _fine_ & <https://evil.example|click here> ~really~",
		Findings: []report.Finding{{
			Category: "<!channel>", Severity: "<@U0ADMIN>", Document: "@here <@U999|boss>",
			Statement: 0, Sid: "<!channel>", Line: 1,
			Title:          "*URGENT* <https://evil.example|reset your password>",
			Detail:         "Resource `arn:aws:s3:::<!subteam^S123>/*` and ```\n<!date^1^{date}|x>\n``` then ```open fence",
			Recommendation: "> quote me\n_italic_ `code` <#C123>",
			Actions:        []string{"s3:*`<!here>`", "<@U1>"},
		}},
		Documents: []report.Document{{Name: "<!channel>"}, {Name: "*bold*", Summary: "<@U123>"}},
		SuggestedPolicy: &report.Suggestion{
			Document: "<!channel>",
			Policy:   json.RawMessage(`{"Statement":[{"Sid":"<!channel>","Resource":"arn:aws:s3:::a&b/*"}],"x":"` + "```" + `"}`),
			Score:    6,
			Changes:  []report.Change{{Statement: 0, What: "<@U1>", Why: "*because*"}},
			Verdicts: []string{"<!here>"},
		},
		Analyzers:   []string{"<!channel>"},
		DataVersion: "<https://evil.example>",
		Notes:       []string{"Notes can be <!here> too"},
	}
}

func modelReport() *report.Report {
	r := adminReport()
	r.Findings = append(r.Findings, report.Finding{
		Category: report.DataExfiltration, Severity: report.High, Document: "admin.json", Statement: 0, Sid: "Admin",
		Title:          "Can copy every secret out of the account",
		Detail:         "With `secretsmanager:GetSecretValue` on `*` a compromised workload can read every secret.",
		Recommendation: "Scope secrets by name prefix or tag.", Source: "model",
	})
	r.SuggestedPolicy.Source = "model"
	r.Analyzers = []string{"built-in engine", "bedrock:us.anthropic.claude-sonnet-4-5-20250929-v1:0"}
	return r
}

// Real reviews from the engine, for the figures the card must meet.
const (
	adminPolicy      = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`
	escalationPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Deploy",
      "Effect": "Allow",
      "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"],
      "Resource": "*"
    }
  ]
}`
)

// engineReview is the built-in engine's review of policy, named name.
func engineReview(t testing.TB, name, policy string) *report.Report {
	t.Helper()
	rep, err := review.New(iamref.Default()).Review(context.Background(), review.Input{Name: name, Data: []byte(policy)})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// readExample is a file of the repository's examples.
func readExample(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// goldens are every message the package draws, by golden file name.
func goldens(t testing.TB) map[string]Message {
	reeval := meta
	reeval.ReevaluatedBy, reeval.PreviousScore = "U0G9QF9C6", 1
	withModel := meta
	withModel.Models = []string{"built-in engine", "bedrock:us.anthropic.claude-sonnet-4-5-20250929-v1:0"}
	throttled := meta
	throttled.Notes = []string{"model unavailable: throttled; built-in review shown"}
	improved := adminReport()
	improved.Score, improved.Summary = 7, "Reads and writes two buckets."
	improved.Findings = improved.Findings[2:]
	escalation := engineReview(t, "deploy.json", escalationPolicy)
	deploy := meta
	deploy.Sid = "Deploy"
	real := Meta{ReviewID: meta.ReviewID, RequesterID: meta.RequesterID}

	return map[string]Message{
		"clean": Render(&report.Report{File: "read.json", Score: 10, Summary: "10/10: every action is named and every resource scoped; nothing to tighten.",
			NoSuggestionReason: "nothing to tighten: every action is named and every resource scoped",
			Analyzers:          []string{"built-in engine"}, DataVersion: "2025-05-30"}, meta),
		"admin":           Render(adminReport(), meta),
		"many-findings":   Render(manyFindings(400), meta),
		"documents":       Render(severalDocuments(), meta),
		"template":        Render(engineReview(t, "template.yaml", readExample(t, "template.yaml")), meta),
		"long-suggestion": Render(longSuggestion(), meta),
		"reevaluated":     Render(improved, reeval),
		"hostile": Render(hostile(), Meta{ReviewID: "r1", RequesterID: "U1>|<!channel", ReevaluatedBy: "<!here>",
			Sid: "<!channel>", Models: []string{"<@U1>"}, Notes: []string{"*note*"}}),
		"model":             Render(modelReport(), withModel),
		"throttled":         Render(adminReport(), throttled),
		"nil":               Render(nil, Meta{}),
		"engine-admin":      Render(engineReview(t, "", adminPolicy), real),
		"engine-escalation": Render(escalation, deploy),
		"summary":           Summary(escalation, deploy),
		"reevaluated-reply": Reevaluated(lang.English, "U0G9QF9C6", 2, improved),
		"progress":          Progress(lang.English),
		"failure":           Failure(lang.English, "Slack is unavailable", "Slack answered `ratelimited`; try again in a minute."),
		"syntax": SyntaxFailure(lang.English, "expected a comma or a closing brace", 3, 22,
			`  "Effect": "Allow" "Action": "s3:GetObject",`),
		"help": Help(lang.English),
		"history": History(lang.English, []HistoryRow{
			{Score: 7, FirstScore: 4, At: at, ChannelID: "C0123ABC", File: "deploy.json", Sid: "Deploy",
				Permalink: "https://policycheck-test.slack.com/archives/C0123ABC/p1700000000000200?thread_ts=1700000000.000100&cid=C0123ABC"},
			{Score: 9, FirstScore: 9, At: at.Add(-time.Hour), ChannelID: "D0456DEF", Principal: "arn:aws:iam::111122223333:root",
				Permalink: "https://policycheck-test.slack.com/archives/D0456DEF/p1700000000000300"},
			{Score: 1, At: at.Add(-48 * time.Hour), ChannelID: "not a channel", Sid: "<!here>", Permalink: "javascript:alert(1)|x>"},
		}),
		"history-empty": History(lang.English, nil),
	}
}

// detailGoldens are modal pages, by golden file name.
func detailGoldens(t testing.TB) map[string]slack.ModalViewRequest {
	page := func(r *report.Report, n int) slack.ModalViewRequest {
		v, _ := Details(r, meta, n)
		return v
	}
	return map[string]slack.ModalViewRequest{
		"details-admin":          page(adminReport(), 1),
		"details-escalation":     page(engineReview(t, "deploy.json", escalationPolicy), 1),
		"details-many-2":         page(manyFindings(400), 2),
		"details-engine-admin-5": page(engineReview(t, "", adminPolicy), 5),
		// A template of two documents: the second one's suggestion too.
		"details-template": page(engineReview(t, "template.yaml", readExample(t, "template.yaml")), 1),
	}
}

func TestGolden(t *testing.T) {
	check := func(t *testing.T, name string, got []byte) {
		t.Helper()
		path := filepath.Join("testdata", name+".json")
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the rendering (go test -update rewrites it); got:\n%s", path, got)
		}
	}
	for name, msg := range goldens(t) {
		t.Run(name, func(t *testing.T) {
			checkMessage(t, msg)
			check(t, name, marshal(t, msg))
		})
	}
	for name, view := range detailGoldens(t) {
		t.Run(name, func(t *testing.T) {
			checkView(t, view)
			check(t, name, marshalView(t, view))
		})
	}
}

// marshal is m as indented JSON, for goldens and for looking into. The
// blocks are decoded and encoded again without HTML escaping, so that the
// files show &lt; rather than \u0026lt; (slack-go escapes inside context
// blocks); keys come out sorted.
func marshal(t *testing.T, m Message) []byte {
	t.Helper()
	raw, err := json.Marshal(struct {
		Text    string        `json:"text"`
		Blocks  []slack.Block `json:"blocks"`
		Snippet *Snippet      `json:"snippet,omitempty"`
	}{m.Text, m.Blocks, m.Snippet})
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestCardContent checks what the goldens are meant to show, so that an
// -update cannot silently lose it.
func TestCardContent(t *testing.T) {
	reeval := meta
	reeval.ReevaluatedBy, reeval.PreviousScore = "U0G9QF9C6", 1
	improved := adminReport()
	improved.Score = 7

	tests := []struct {
		name    string
		msg     Message
		want    []string
		notWant []string
		snippet bool
	}{
		{"clean", Render(&report.Report{Score: 10, Summary: "10/10: every action is named; nothing to tighten.",
			NoSuggestionReason: "nothing to tighten"}, meta),
			[]string{`"block_id": "policycheck-card"`, "🟩 10/10 · Least privilege", "No findings", `"action_id": "reevaluate"`,
				`"value": "k3m2x7q9r4t6w8y2z5a7b9c1d3"`, `"style": "primary"`, "requested by <@U024BE7LH>", "10 = least privilege",
				"Show details"},
			[]string{"No suggested policy", "date^", "Review `"}, false},
		{"admin", Render(adminReport(), meta),
			[]string{"🟥 1/10 · High risk", "*3 findings:* 🔴 1 critical · 🟠 1 high · 🟡 1 medium", "🔴 *Critical* Full administrator access — statement 1, line 4",
				"🟠 *High* Can attach any policy to any role — statement 2, line 12", "whole policy", "```\\n{\\n  \\\"Version\\\"",
				"*What changed:*\\n• Statement 1: Replaced `*` with the 2 S3 actions used", "score 1 → 8", "IAM Access Analyzer CheckNoNewAccess",
				"Show all findings (3)", "`admin.json` · Sid `Admin` · identity policy"},
			[]string{"found by the model", "CloudTrail shows", "— Grants full", "1/10 — 1/10", "2025-05-30"}, false},
		{"400 findings", Render(manyFindings(400), meta),
			[]string{"*400 findings:* 🔴 50 critical · 🟠 50 high · 🟡 50 medium · 🔵 200 low · ⚪ 50 info",
				"…and 397 more (47 critical, 50 high, 50 medium, 200 low, 50 info): *Show all findings* below"}, nil, false},
		{"documents", Render(severalDocuments(), meta),
			[]string{"*3 documents:*", "• `AppRole/AppPolicy` 🟧 4/10 · identity", "`Bucket/BucketPolicy` 🟩 9/10 · resource",
				"*No suggested policy:* Suggestions are made", "`AppRole/AppPolicy`, statement 1, line 14"}, nil, false},
		{"long suggestion", Render(longSuggestion(), meta),
			[]string{"attached in the thread as `prod-policy-v2-suggested.json`"}, []string{"```"}, true},
		{"re-evaluation", Render(improved, reeval),
			[]string{"🔁 Re-evaluated by <@U0G9QF9C6>: 1 → 7", "🟩 7/10 · Low risk"}, nil, false},
		{"model", Render(modelReport(), Meta{ReviewID: "r1", Models: []string{"built-in engine", "bedrock:us.anthropic.claude-sonnet-4-5-20250929-v1:0"}}),
			[]string{"🟠 *High* 🤖 Can copy every secret", "🤖 written by the model", "🤖 With `bedrock:us.anthropic"}, nil, false},
		{"no review ID", Render(adminReport(), Meta{}),
			nil, []string{"reevaluate", "requested by", "show_findings"}, false},
		{"hostile", Render(hostile(), Meta{RequesterID: "U1>|<!channel", Sid: "<!channel>"}),
			[]string{"Sid `&lt;!channel&gt;`", "requested by `U1&gt;|&lt;!channel`", "`*URGENT*` `&lt;https://evil.example|reset` your password&gt;"},
			[]string{"<@U0ADMIN>", "<https", "<#C123>", " *Everything*", "<!here>"}, true},
		{"summary", Summary(adminReport(), meta),
			[]string{`"block_id": "policycheck-summary"`, "🟥 *1/10 · High risk* — Grants full administrative access", "`admin.json` · Sid `Admin` · 🔴 1 critical · 🟠 1 high · 🟡 1 medium · requested by <@U024BE7LH>",
				"in the thread", `"text": "policycheck: 1/10 high risk - Grants full administrative access to every resource in the account (1 critical, 1 high, 1 medium), for <@U024BE7LH>"`},
			nil, false},
		{"reevaluated reply", Reevaluated(lang.English, "U0G9QF9C6", 4, improved),
			[]string{"🔁 Re-evaluated by <@U0G9QF9C6>: 4 → 7, low risk (1 critical, 1 high, 1 medium)", `"text": "policycheck: Re-evaluated by <@U0G9QF9C6>: 4 → 7`}, nil, false},
		{"syntax", SyntaxFailure(lang.English, "expected a comma", 5, 3, `  "Effect"`),
			[]string{`"text": "policycheck: The policy could not be read - Line 5, column 3: expected a comma"`}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkMessage(t, tt.msg)
			js := string(marshal(t, tt.msg))
			for _, w := range tt.want {
				if !strings.Contains(js, w) {
					t.Errorf("missing %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(js, w) {
					t.Errorf("unexpected %q", w)
				}
			}
			if (tt.msg.Snippet != nil) != tt.snippet {
				t.Errorf("snippet = %+v, want one: %v", tt.msg.Snippet, tt.snippet)
			}
			if t.Failed() {
				t.Logf("%s", js)
			}
		})
	}
}

// TestFigures checks the figures on the engine's own reviews of
// Action "*" on "*" and of a PassRole + Lambda escalation: at most 20
// blocks and 4,000 characters of block text, a notification that names
// score, verdict and counts, and every finding in the details.
func TestFigures(t *testing.T) {
	tests := []struct {
		name, policy string
		notification string
	}{
		{"admin", adminPolicy, "policycheck: 1/10 high risk - all actions on all resources (97 critical)"},
		{"escalation", escalationPolicy, "policycheck: 2/10 high risk - privilege escalation (1 critical, 1 high, 1 medium)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := engineReview(t, "", tt.policy)
			m := Render(r, meta)
			checkMessage(t, m)
			if n := len(m.Blocks); n > cardBlocks {
				t.Errorf("%d blocks, over %d", n, cardBlocks)
			}
			if n := textLen(m.Blocks...); n > cardText {
				t.Errorf("%d characters of block text, over %d", n, cardText)
			}
			if m.Text != tt.notification && !strings.HasPrefix(tt.notification, "policycheck: 1/10") {
				t.Errorf("notification %q, want %q", m.Text, tt.notification)
			}
			for _, w := range []string{fmt.Sprintf("%d/10", r.Score), verdict(lang.English, r.Score), countList(lang.English, counts(r.Findings))} {
				if !strings.Contains(m.Text, w) {
					t.Errorf("notification %q does not say %q", m.Text, w)
				}
			}
			checkDetails(t, r)
		})
	}
}

// checkDetails walks the pages of r's details with their buttons and
// checks that the findings shown are the report's, each once, each with
// its title, fix and line.
func checkDetails(t *testing.T, r *report.Report) {
	t.Helper()
	if r == nil {
		r = &report.Report{}
	}
	want := sortedFindings(r)
	seen := make([]int, len(want))
	views := detailViews(r, meta)
	pages := len(views)
	if v, n := Details(r, meta, pages+5); n != pages || !reflect.DeepEqual(v, views[pages-1]) {
		t.Fatalf("Details past the end is not the last of its %d pages", n)
	}
	for p, next := 1, 1; next != 0; p++ {
		if next != p {
			t.Fatalf("page %d's Next button shows page %d", p-1, next)
		}
		if p > pages {
			t.Fatalf("more pages than the %d announced", pages)
		}
		view := views[p-1]
		checkView(t, view)
		next = 0
		for _, b := range view.Blocks.BlockSet {
			switch b := b.(type) {
			case *slack.SectionBlock:
				id, ok := strings.CutPrefix(b.BlockID, FindingBlockID)
				if !ok || strings.HasSuffix(id, "-actions") {
					continue
				}
				i, err := strconv.Atoi(id)
				if err != nil || i < 0 || i >= len(want) {
					t.Fatalf("page %d: block %q is no finding", p, b.BlockID)
				}
				seen[i]++
				f := want[i]
				for _, part := range []string{line(f.Title, 400), mrkdwn(f.Recommendation, 800)} {
					if !strings.Contains(b.Text.Text, part) {
						t.Errorf("page %d: finding %d lacks %q", p, i, part)
					}
				}
				if f.Line > 0 && !strings.Contains(b.Text.Text, "line "+strconv.Itoa(f.Line)) {
					t.Errorf("page %d: finding %d lacks its line %d", p, i, f.Line)
				}
			case *slack.ActionBlock:
				for _, e := range b.Elements.ElementSet {
					if btn := e.(*slack.ButtonBlockElement); btn.ActionID == NextAction {
						next, _ = strconv.Atoi(btn.Value)
					}
				}
			}
		}
	}
	for i, n := range seen {
		if n != 1 {
			t.Errorf("finding %d (%q) is shown %d times in the details", i, want[i].Title, n)
		}
	}
}

// checkView checks a modal view with the fake Slack's validation, and the
// package's promises.
func checkView(t *testing.T, v slack.ModalViewRequest) {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := slackfake.ValidateView(raw); err != nil {
		t.Errorf("Slack would refuse the view: %v", err)
	}
	if err := noLookAlikes(string(raw)); err != nil {
		t.Error(err)
	}
	for _, b := range v.Blocks.BlockSet {
		if s, ok := b.(*slack.SectionBlock); ok {
			if err := inert(s.Text.Text); err != nil {
				t.Errorf("%v in %q", err, s.Text.Text)
			}
		}
	}
}

func marshalView(t *testing.T, v slack.ModalViewRequest) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var x any
	json.Unmarshal(raw, &x)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(x)
	return b.Bytes()
}

// lookAlikes are characters that pass for others: a card must show the
// characters of the policy, which copy and search as they are.
var lookAlikes = "\u2217\u02CD\u223C\u02CB\u00AD\u200B\u200C\u2060\uFEFF\u2010\u2011\u2012\u2212\uFF0A\u204E\u2731"

func noLookAlikes(s string) error {
	if i := strings.IndexAny(s, lookAlikes); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return fmt.Errorf("look-alike %U in %.80q", r, s[max(0, i-40):])
	}
	return nil
}

// TestNoLookAlikes checks every golden payload.
func TestNoLookAlikes(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no goldens: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := noLookAlikes(string(data)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// emojiCode matches an emoji code such as :secret: or :aws:.
var emojiCode = regexp.MustCompile(`:[a-z0-9_+'-]+:`)

// outsideCode is the mrkdwn text outside `spans` and ```blocks```.
func outsideCode(text string) string {
	var b strings.Builder
	for i, part := range strings.Split(text, "```") {
		if i%2 == 1 {
			continue
		}
		for j, piece := range strings.Split(part, "`") {
			if j%2 == 0 {
				b.WriteString(piece + " ")
			}
		}
	}
	return b.String()
}

// TestNoEmojiFromPolicy renders reports whose every text holds ARNs,
// actions, keys and emoji codes, and checks that none of them is outside
// code in any mrkdwn of the card, the details or the notification.
func TestNoEmojiFromPolicy(t *testing.T) {
	prose := "Scope arn:aws:secretsmanager:<region>:<account-id>:secret:<secret-id> and arn:aws:iam::<account-id>:role/<role-name> " +
		"with aws:SourceAccount, s3:GetObject, {\"StringEquals\": {\"iam:PassedToService\": \"lambda.amazonaws.com\"}} :aws: :fire:"
	r := engineReview(t, "team:secret:.json", escalationPolicy)
	r.Summary, r.Explanation, r.NoSuggestionReason = prose, prose, prose
	r.Notes = []string{prose}
	for i := range r.Findings {
		f := &r.Findings[i]
		f.Title, f.Detail, f.Recommendation, f.Sid = prose, prose, prose, ":secret:"
	}
	for i := range r.SuggestedPolicy.Changes {
		r.SuggestedPolicy.Changes[i].What, r.SuggestedPolicy.Changes[i].Why = prose, prose
	}
	m := meta
	m.Sid, m.Notes = ":secret:", []string{prose}
	var texts []string
	collect := func(blocks []slack.Block) {
		raw, _ := json.Marshal(blocks)
		var v any
		json.Unmarshal(raw, &v)
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case []any:
				for _, e := range v {
					walk(e)
				}
			case map[string]any:
				if v["type"] == "mrkdwn" {
					texts = append(texts, v["text"].(string))
				}
				for _, e := range v {
					walk(e)
				}
			}
		}
		walk(v)
	}
	collect(Render(r, m).Blocks)
	collect(Summary(r, m).Blocks)
	_, pages := Details(r, m, 1)
	for p := 1; p <= pages; p++ {
		v, _ := Details(r, m, p)
		collect(v.Blocks.BlockSet)
	}
	texts = append(texts, Render(r, m).Text, Summary(r, m).Text)
	for _, text := range texts {
		if e := emojiCode.FindString(outsideCode(text)); e != "" {
			t.Errorf("%s outside code in %q", e, text)
		}
		for _, w := range []string{"arn:", "s3:GetObject", "aws:SourceAccount", "iam:PassedToService"} {
			if strings.Contains(outsideCode(text), w) {
				t.Errorf("%q outside code in %q", w, text)
			}
		}
	}
}

func TestLongSuggestionSnippet(t *testing.T) {
	r := longSuggestion()
	m := Render(r, meta)
	if m.Snippet == nil {
		t.Fatal("no snippet")
	}
	var got, want any
	if err := json.Unmarshal([]byte(m.Snippet.Content), &got); err != nil {
		t.Fatalf("snippet is not JSON: %v", err)
	}
	json.Unmarshal(r.SuggestedPolicy.Policy, &want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("snippet content differs from the suggestion")
	}
	if m.Snippet.Filename != "prod-policy-v2-suggested.json" || m.Snippet.Title != "Suggested policy (score 8/10)" {
		t.Errorf("snippet %q %q", m.Snippet.Filename, m.Snippet.Title)
	}
}

func TestSnippetName(t *testing.T) {
	tests := map[string]string{
		"":                         "suggested-policy.json",
		"policy.json":              "policy-suggested.json",
		"AppRole/AppPolicy":        "AppPolicy-suggested.json",
		`C:\x\..\deploy role.yaml`: "deploy-role-suggested.json",
		"<!channel>":               "channel-suggested.json",
		"...":                      "suggested-policy.json",
		strings.Repeat("a", 100):   strings.Repeat("a", 60) + "-suggested.json",
	}
	for in, want := range tests {
		if got := snippetName(in); got != want {
			t.Errorf("snippetName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHistoryCountsEveryRow(t *testing.T) {
	for _, n := range []int{1, 20, 21, 100, 1000} {
		rows := make([]HistoryRow, n)
		for i := range rows {
			rows[i] = HistoryRow{Score: i%10 + 1, FirstScore: 1, At: at, ChannelID: "C1", File: fmt.Sprintf("r%d.json", i)}
		}
		m := History(lang.English, rows)
		checkMessage(t, m)
		js := string(marshal(t, m))
		listed, more := strings.Count(js, "• "), 0
		if i := strings.Index(js, "…and "); i >= 0 {
			fmt.Sscanf(js[i+len("…and "):], "%d", &more)
		}
		if listed+more != n {
			t.Errorf("%d rows: %d listed and %d more", n, listed, more)
		}
	}
}

// TestWorstCase fills every field to 10,000 characters that each expand
// five times when escaped, and checks that the card still fits and still
// lists at least one finding.
func TestWorstCase(t *testing.T) {
	for _, long := range []string{strings.Repeat("&", 10000), strings.Repeat("<`", 5000), strings.Repeat("漢", 10000)} {
		var findings []report.Finding
		for i := range 500 {
			findings = append(findings, report.Finding{Category: report.Category(long), Severity: report.Severity([]string{"critical", "high", "low"}[i%3]),
				Document: long, Statement: 1000000, Sid: long, Line: 1000000, Title: long, Detail: long, Recommendation: long,
				Actions: []string{long, long, long, long, long, long, long}, Source: "model", Count: 1000000})
		}
		var docs []report.Document
		var changes []report.Change
		for range 60 {
			docs = append(docs, report.Document{Name: long, PolicyType: long, Score: 10, Summary: long})
			changes = append(changes, report.Change{Statement: 1000000, What: long, Why: long})
		}
		many := []string{long, long, long, long, long, long, long, long, long, long, long, long}
		fitting := json.RawMessage(`"` + strings.Repeat("&", 100) + `"`) // 500 characters escaped
		for _, policy := range []json.RawMessage{fitting, json.RawMessage(`"` + long + `"`)} {
			r := &report.Report{File: long, PolicyType: long, Score: 10, Summary: long, Findings: findings, Documents: docs,
				SuggestedPolicy: &report.Suggestion{Document: long, Policy: policy, Score: 10, Changes: changes, Source: "model", Verdicts: many},
				Analyzers:       many, DataVersion: long, Notes: many}
			m := Meta{ReviewID: strings.Repeat("r", maxButtonValue), RequesterID: "U" + strings.Repeat("A", 40),
				ReevaluatedBy: "W" + strings.Repeat("B", 40), PreviousScore: 10, Models: many, DataVersion: long, Notes: many,
				Sid: long, Principal: long}
			msg := Render(r, m)
			checkMessage(t, msg)
			if len(msg.Blocks) > cardBlocks || textLen(msg.Blocks...) > cardText {
				t.Errorf("card of %d blocks and %d characters", len(msg.Blocks), textLen(msg.Blocks...))
			}
			if fits := &policy[0] == &fitting[0]; fits != (msg.Snippet == nil) {
				t.Errorf("suggestion fits in the card: %v, but snippet: %v", fits, msg.Snippet != nil)
			}
			if js := string(marshal(t, msg)); !strings.Contains(js, "Show all findings (500)") || strings.Count(js, "🔴 *Critical*") == 0 {
				t.Errorf("no finding listed in the worst case")
			}
			if fits := &policy[0] == &fitting[0]; fits && long[0] == '&' {
				checkDetails(t, r)
			}
		}
	}
}

// alphabet favours what breaks things: markup, escapes, code fences,
// multi-byte characters, invalid UTF-8 and controls.
var alphabet = []string{"a", "b", "Z", " ", " ", "\n", "*", "_", "~", "`", "```", "<", ">", "&", "&amp;", "|", "!", "@",
	"<!channel>", "<@U123>", "é", "漢", "🟥", "👩‍💻", "\xff", "\x00", "\t", "\u202E", "s3:*", "arn:aws:s3:::b/*"}

// pool is random text from alphabet; randomText returns pieces of it, which
// can start or end in the middle of a multi-byte character.
var pool = func() string {
	rng := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	for b.Len() < 40000 {
		b.WriteString(alphabet[rng.IntN(len(alphabet))])
	}
	return b.String()
}()

func randomText(rng *rand.Rand, max int) string {
	var n int
	switch rng.IntN(4) {
	case 0:
		n = 0
	case 1:
		n = rng.IntN(20)
	case 2:
		n = rng.IntN(300)
	default:
		n = rng.IntN(max + 1)
	}
	start := rng.IntN(len(pool) - n)
	return pool[start : start+n]
}

func randomTexts(rng *rand.Rand, n, max int) []string {
	out := make([]string, rng.IntN(n+1))
	for i := range out {
		out[i] = randomText(rng, max)
	}
	return out
}

func randomReport(rng *rand.Rand) *report.Report {
	severities := []report.Severity{report.Critical, report.High, report.Medium, report.Low, report.Info, "", "weird"}
	r := &report.Report{
		File: randomText(rng, 10000), PolicyType: randomText(rng, 100), Score: rng.IntN(14) - 2,
		Summary: randomText(rng, 10000), NoSuggestionReason: randomText(rng, 10000),
		Analyzers: randomTexts(rng, 8, 1000), DataVersion: randomText(rng, 1000), Notes: randomTexts(rng, 12, 10000),
	}
	for range rng.IntN(500) {
		r.Findings = append(r.Findings, report.Finding{
			Category: report.Category(randomText(rng, 200)), Severity: severities[rng.IntN(len(severities))],
			Document: randomText(rng, 10000), Statement: rng.IntN(100) - 1, Sid: randomText(rng, 10000), Line: rng.IntN(1000) - 1,
			Title: randomText(rng, 10000), Detail: randomText(rng, 10000), Recommendation: randomText(rng, 10000),
			Actions: randomTexts(rng, 30, 500), Source: []string{"engine", "model", ""}[rng.IntN(3)], Count: rng.IntN(5),
		})
	}
	for range rng.IntN(40) {
		r.Documents = append(r.Documents, report.Document{Name: randomText(rng, 10000), PolicyType: randomText(rng, 100),
			Score: rng.IntN(12), Summary: randomText(rng, 10000)})
	}
	if rng.IntN(3) > 0 {
		s := &report.Suggestion{Document: randomText(rng, 10000), Score: rng.IntN(12), Source: []string{"engine", "model"}[rng.IntN(2)],
			Verdicts: randomTexts(rng, 6, 1000)}
		switch rng.IntN(3) {
		case 0:
			s.Policy = json.RawMessage(randomText(rng, 10000)) // not JSON
		case 1:
			v, _ := json.Marshal(map[string]string{"Statement": randomText(rng, 10000)})
			s.Policy = v
		}
		for range rng.IntN(60) {
			s.Changes = append(s.Changes, report.Change{Statement: rng.IntN(50) - 1, What: randomText(rng, 10000), Why: randomText(rng, 10000)})
		}
		r.SuggestedPolicy = s
	}
	return r
}

func randomMeta(rng *rand.Rand) Meta {
	ids := []string{"", "U024BE7LH", "W123", "<!channel>", "u1"}
	m := Meta{
		RequesterID: ids[rng.IntN(len(ids))], ReevaluatedBy: ids[rng.IntN(len(ids))], PreviousScore: rng.IntN(12),
		Models: randomTexts(rng, 8, 1000), DataVersion: randomText(rng, 1000), Notes: randomTexts(rng, 5, 10000),
		Sid: randomText(rng, 200), Principal: randomText(rng, 200),
	}
	if rng.IntN(2) == 0 {
		m.ReviewID = "k3m2x7q9r4t6w8y2z5a7b9c1d3"
	} else if rng.IntN(4) == 0 {
		m.ReviewID = randomText(rng, 3000)
	}
	return m
}

func randomHistory(rng *rand.Rand) []HistoryRow {
	rows := make([]HistoryRow, rng.IntN(300))
	for i := range rows {
		rows[i] = HistoryRow{Score: rng.IntN(12), FirstScore: rng.IntN(12), At: time.Unix(rng.Int64N(4e9), 0),
			ChannelID: []string{"C1", "D2", "G3", "<#C1>", ""}[rng.IntN(5)], File: randomText(rng, 100), Sid: randomText(rng, 100),
			Permalink: []string{"", "https://x.slack.com/archives/C1/p1", randomText(rng, 100)}[rng.IntN(3)]}
	}
	return rows
}

// checkMessage checks m against Slack's limits and the package's promises,
// on its JSON encoding as Slack receives it. It reports whether m passed.
func checkMessage(t *testing.T, m Message) bool {
	t.Helper()
	ok := true
	fail := func(format string, args ...any) {
		t.Helper()
		ok = false
		t.Errorf(format, args...)
	}
	if strings.TrimSpace(m.Text) == "" || runes(m.Text) > maxFallback {
		fail("fallback text of %d characters", runes(m.Text))
	}
	if err := inert(m.Text); err != nil {
		fail("fallback text %q: %v", m.Text, err)
	}
	raw, err := json.Marshal(m.Blocks)
	if err != nil {
		fail("marshal blocks: %v", err)
		return false
	}
	var decoded slack.Blocks
	if err := json.Unmarshal(raw, &decoded); err != nil || len(decoded.BlockSet) != len(m.Blocks) {
		fail("blocks do not decode as Slack blocks: %v", err)
	}
	var blocks []map[string]any
	json.Unmarshal(raw, &blocks)
	if len(blocks) == 0 || len(blocks) > maxBlocks {
		fail("%d blocks", len(blocks))
	}
	total := 0
	textOf := func(where string, v any, max int, wantType string) {
		t.Helper()
		obj, _ := v.(map[string]any)
		text, _ := obj["text"].(string)
		typ, _ := obj["type"].(string)
		n := runes(text)
		total += n
		switch {
		case strings.TrimSpace(text) == "" || n > max:
			fail("%s: text of %d characters (1 to %d)", where, n, max)
		case wantType != "" && typ != wantType:
			fail("%s: text type %q, want %q", where, typ, wantType)
		case !utf8.ValidString(text):
			fail("%s: invalid UTF-8", where)
		}
		if typ == "mrkdwn" {
			if obj["verbatim"] != true {
				fail("%s: mrkdwn not verbatim", where)
			}
			if err := inert(text); err != nil {
				fail("%s: %v in %q", where, err, text)
			}
		}
	}
	for i, b := range blocks {
		where := fmt.Sprintf("block %d (%v)", i, b["type"])
		if id, _ := b["block_id"].(string); runes(id) > 255 {
			fail("%s: block_id of %d characters", where, runes(id))
		}
		switch b["type"] {
		case "header":
			textOf(where, b["text"], maxHeader, "plain_text")
		case "section":
			textOf(where, b["text"], maxSection, "")
			if _, ok := b["fields"]; ok {
				fail("%s: fields are not expected", where)
			}
		case "context":
			elems, _ := b["elements"].([]any)
			if len(elems) == 0 || len(elems) > maxContext {
				fail("%s: %d elements", where, len(elems))
			}
			for _, e := range elems {
				textOf(where, e, maxSection, "")
			}
		case "actions":
			elems, _ := b["elements"].([]any)
			if len(elems) == 0 || len(elems) > 25 {
				fail("%s: %d elements", where, len(elems))
			}
			for _, e := range elems {
				e := e.(map[string]any)
				textOf(where, e["text"], 75, "plain_text")
				if v, _ := e["value"].(string); v == "" || runes(v) > maxButtonValue {
					fail("%s: button value of %d characters", where, runes(v))
				}
				if id, _ := e["action_id"].(string); id == "" || runes(id) > 255 {
					fail("%s: action_id %q", where, id)
				}
			}
		case "divider":
		default:
			fail("%s: unexpected block type", where)
		}
	}
	if total > maxTotal {
		fail("%d characters of text in all, over %d", total, maxTotal)
	}
	if err := noLookAlikes(string(raw) + m.Text); err != nil {
		fail("%v", err)
	}
	if m.Snippet != nil && (m.Snippet.Content == "" || m.Snippet.Filename == "" || m.Snippet.Title == "") {
		fail("incomplete snippet %+v", m.Snippet)
	}
	return ok
}

func BenchmarkRender(b *testing.B) {
	r := manyFindings(400)
	for b.Loop() {
		Render(r, meta)
	}
}

// TestOtherSuggestions: the card says how many other documents have a
// suggested policy of their own, also when the worst one has none.
func TestOtherSuggestions(t *testing.T) {
	r := engineReview(t, "template.yaml", readExample(t, "template.yaml"))
	if len(r.OtherSuggestions()) != 1 {
		t.Fatalf("%d other suggestions in the template's review", len(r.OtherSuggestions()))
	}
	r.SuggestedPolicy, r.NoSuggestionReason = nil, "no safe suggestion"
	b, err := json.Marshal(Render(r, meta).Blocks)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "2 more documents have a suggested policy of their own") {
		t.Errorf("the card does not point to the other documents' suggestions:\n%s", b)
	}
}
