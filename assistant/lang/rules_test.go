package lang_test

import (
	"context"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/assistant/analysis"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/lang"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/review"
	"github.com/policycheck/policycheck/assistant/rules"
)

var _ = analysis.Analyze // the rules are registered by the engine

// placeholders are the argument names a template uses, plain or
// conditional.
var placeholder = regexp.MustCompile(`\{([A-Za-z0-9_-]+)[}?]`)

func names(tmpl string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(tmpl, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	sort.Strings(out)
	return out
}

// TestRuleTranslations checks that every rule of the registry has its
// title, detail, fix and phrase in every language, with the placeholders
// of the English templates. A rule added without translations is listed
// here (it is shown in English meanwhile).
func TestRuleTranslations(t *testing.T) {
	for _, tag := range []lang.Tag{lang.Spanish, lang.Portuguese} {
		var missing []string
		for _, r := range rules.All() {
			if r.ID >= "PC990" { // registered by tests
				continue
			}
			fields := map[string]string{"title": r.Title, "detail": r.Detail, "fix": r.Fix}
			if r.Phrase != "" {
				fields["phrase"] = r.Phrase
			}
			var lacks []string
			for _, field := range []string{"title", "detail", "fix", "phrase"} {
				english, ok := fields[field]
				if !ok {
					continue
				}
				tmpl, ok := tag.RuleText(r.ID, field)
				if !ok {
					lacks = append(lacks, field)
					continue
				}
				if (english == "") != (tmpl == "") {
					t.Errorf("%s %s %s: empty in one language and not in the other: %q", tag.Name(), r.ID, field, tmpl)
				}
				if got, want := names(tmpl), names(english); !slices.Equal(got, want) {
					t.Errorf("%s %s %s: placeholders %v, want %v as in English:\n%s", tag.Name(), r.ID, field, got, want, tmpl)
				}
				if strings.Count(tmpl, "{") != strings.Count(tmpl, "}") {
					t.Errorf("%s %s %s: braces do not balance: %s", tag.Name(), r.ID, field, tmpl)
				}
			}
			if len(lacks) > 0 {
				missing = append(missing, r.ID+" ("+strings.Join(lacks, ", ")+")")
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s: %d rules are not translated in assistant/lang/catalog/%s.json; add them, keyed by id:\n%s",
				tag.Name(), len(missing), tag, strings.Join(missing, "\n"))
		}
	}
}

func TestRuleCatalogsNameRules(t *testing.T) {
	for _, tag := range []lang.Tag{lang.Spanish, lang.Portuguese} {
		for _, id := range catalogRuleIDs(t, tag) {
			if _, ok := rules.Lookup(id); !ok {
				t.Errorf("%s: catalog/%s.json translates %s, which is not a rule", tag.Name(), tag, id)
			}
		}
	}
}

func catalogRuleIDs(t *testing.T, tag lang.Tag) []string {
	t.Helper()
	b, err := os.ReadFile("catalog/" + tag.String() + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range regexp.MustCompile(`"(PC[0-9]{3})"`).FindAllStringSubmatch(string(b), -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// englishWords are words of the English texts that no Spanish or
// Portuguese text should hold (outside code and identifiers).
var englishWords = regexp.MustCompile(`(?i)\b(the|and|with|every|findings?|statements?|policy|policies|resources?|actions?|scoped?|suggested|changed|requested|reviews?|details|more|show|score|risk|least|privilege|without|which|grants?|allows?|remove|replace)\b`)

// prose is s without what is code or an identifier: `code`, ARNs,
// actions, condition keys, JSON.
func prose(s string) string {
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`arn:[A-Za-z0-9_.:/*${}<>-]+`), regexp.MustCompile(`GitHub Actions`),
		regexp.MustCompile(`\bterraform [a-z]+( -[a-z]+)*`), // a command: terraform show -json
		regexp.MustCompile(`\([a-z_]+\)`),                   // a Terraform document's name: aws_iam_role_policy.worker (policy)
		regexp.MustCompile("```[\\s\\S]*?```"), regexp.MustCompile("`[^`]*`"),
		regexp.MustCompile(`"[^"]*"`), regexp.MustCompile(`<[^>]*>`),
		regexp.MustCompile(`[A-Za-z0-9_.*-]+:[A-Za-z0-9_.:/*${}<>-]+`),
		regexp.MustCompile(`\bPC[0-9]{3}\b`), regexp.MustCompile(`\b[a-z]+-[a-z-]+\b`),
		regexp.MustCompile(`\b[A-Za-z0-9]+(\.[A-Za-z0-9]+)+(\[[0-9]+\])?`), // a template's document names
		regexp.MustCompile(`\b(NotAction|NotResource|NotPrincipal|Action|Resource|Principal|Statement|Allow|Deny|Effect|Condition|Version|Sid|Id)\b`),
	} {
		s = re.ReplaceAllString(s, " ")
	}
	return s
}

// EnglishLeft reports the English words left in a translated text.
func englishLeft(s string) []string {
	return englishWords.FindAllString(prose(s), -1)
}

func reviewFile(t testing.TB, path string) *report.Report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rv := review.New(iamref.Default())
	r, err := rv.Review(context.Background(), review.Input{Name: path, Data: data, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestReport translates the reviews of the examples and checks that no
// English is left in what the engine wrote, and that identifiers are
// kept.
func TestReport(t *testing.T) {
	paths, _ := filepathGlob("../../examples/*")
	if len(paths) == 0 {
		t.Fatal("no examples")
	}
	// Templates whose references, defaults and endpoint policies give
	// notes, PC701, PC710 and PC711.
	refs, _ := filepathGlob("../../testdata/references/*.*")
	if len(refs) < 5 {
		t.Fatal("no templates in testdata/references")
	}
	paths = append(paths, refs...)
	for _, path := range paths {
		r := reviewFile(t, path)
		if lang.English.Report(r) != r {
			t.Errorf("%s: English Report is not the report itself", path)
		}
		for _, tag := range []lang.Tag{lang.Spanish, lang.Portuguese} {
			tr := tag.Report(r)
			if tr == r || tr.Score != r.Score || len(tr.Findings) != len(r.Findings) {
				t.Fatalf("%s %s: Report changed more than the words", path, tag)
			}
			texts := append([]string{tr.Summary, tr.NoSuggestionReason}, tr.Notes...)
			for i, f := range tr.Findings {
				o := r.Findings[i]
				if f.Rule != o.Rule || f.Category != o.Category || f.Severity != o.Severity || !slices.Equal(f.Actions, o.Actions) {
					t.Errorf("%s %s: identifiers of %s changed", path, tag, o.ID)
				}
				texts = append(texts, f.Title, f.Detail, f.Recommendation, f.Note)
			}
			if s := tr.SuggestedPolicy; s != nil {
				for _, c := range s.Changes {
					texts = append(texts, c.What, c.Why)
				}
			}
			for _, s := range texts {
				if w := englishLeft(s); len(w) > 0 {
					t.Errorf("%s %s: English words %v left in %q", path, tag.Name(), w, s)
				}
			}
		}
	}
}

// TestUntranslatedRule checks that a rule missing from the catalogs is
// shown in English, and that a report of an unknown rule does not fail.
func TestUntranslatedRule(t *testing.T) {
	r := rules.Register(&rules.Rule{ID: "PC995", Name: "lang-test-untranslated", Ceiling: 9,
		Title: "Untranslated {thing}", Detail: "Detail of {thing}.", Fix: "Fix {thing}."})
	f := r.Finding(rules.Args{"thing": "x"})
	rep := &report.Report{Summary: "9/10: untranslated x.", Findings: []report.Finding{f, {Rule: "PC404", Title: "unknown rule", Args: map[string]string{}}}}
	tr := lang.Spanish.Report(rep)
	if got := tr.Findings[0]; got.Title != "Untranslated x" || got.Detail != "Detail of x." || got.Recommendation != "Fix x." {
		t.Errorf("untranslated rule = %+v", got)
	}
	if tr.Findings[1].Title != "unknown rule" {
		t.Errorf("unknown rule = %+v", tr.Findings[1])
	}
}

// TestImplied checks that the sentence on the findings folded into full
// administrator access follows the translated detail, and that English
// keeps the engine's.
func TestImplied(t *testing.T) {
	rv := review.New(iamref.Default())
	r, err := rv.Review(context.Background(), review.Input{Name: "admin.json", Offline: true,
		Data: []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	var admin *report.Finding
	for i, f := range r.Findings {
		if f.Rule == "PC101" {
			admin = &r.Findings[i]
		}
	}
	if admin == nil || len(admin.Implies) == 0 {
		t.Fatalf("no PC101 finding that folds others: %+v", r.Findings)
	}
	en := lang.English.Implied(admin.Implies)
	if !strings.HasSuffix(admin.Detail, " "+en) || !strings.HasPrefix(en, "It also implies ") {
		t.Fatalf("English detail %q does not end with %q", admin.Detail, en)
	}
	for tag, want := range map[lang.Tag]string{lang.Spanish: "También implica ", lang.Portuguese: "Também implica "} {
		var got string
		for _, f := range tag.Report(r).Findings {
			if f.Rule == "PC101" {
				got = f.Detail
			}
		}
		sentence := tag.Implied(admin.Implies)
		if !strings.HasPrefix(sentence, want) || !strings.HasSuffix(got, " "+sentence) || strings.Contains(got, "It also implies") {
			t.Errorf("%s detail = %q, want it to end with %q", tag.Name(), got, sentence)
		}
	}
}

// TestReferenceNote checks the note on a finding judged with a
// reference, and the reference list of PC701, in Spanish.
func TestReferenceNote(t *testing.T) {
	r := reviewFile(t, "../../testdata/references/kms-key.tf")
	tr := lang.Spanish.Report(r)
	var note, what string
	for _, f := range tr.Findings {
		if f.Note != "" && note == "" {
			note = f.Note
		}
		if f.Rule == "PC701" {
			what = f.Detail
		}
	}
	const wantNote = `Juzgado tomando ${var.key_users} como cualquier valor posible ("*" incluido), o como un valor predeterminado declarado: ` +
		"${var.key_users} es la variable de Terraform key_users."
	if note != wantNote {
		t.Errorf("note = %q\nwant %q", note, wantNote)
	}
	if !strings.HasPrefix(what, "${var.key_users} es la variable de Terraform key_users: ") {
		t.Errorf("PC701 detail = %q", what)
	}
	// Two references, one read as its default.
	got := lang.Portuguese.Text("${var.a} is Terraform variable a; ${DestinationBucketName} is CloudFormation parameter DestinationBucketName, read as its default")
	if want := "${var.a} é a variável do Terraform a; ${DestinationBucketName} é o parâmetro do CloudFormation DestinationBucketName, lido como seu padrão"; got != want {
		t.Errorf("reference list = %q\nwant %q", got, want)
	}
}
