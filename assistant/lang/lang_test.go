package lang

import (
	"context"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Tag
		ok   bool
	}{
		{"es-ES", Spanish, true}, {"es-419", Spanish, true}, {"es_MX.UTF-8", Spanish, true}, {"ES", Spanish, true},
		{"pt-BR", Portuguese, true}, {"pt_PT@euro", Portuguese, true}, {"pt", Portuguese, true},
		{"en-US", English, true}, {"en", English, true},
		{"fr-FR", English, false}, {"C", English, false}, {"C.UTF-8", English, false}, {"POSIX", English, false}, {"", English, false},
		{"esperanto", English, false},
	}
	for _, tt := range tests {
		got, ok := Lookup(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Lookup(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
		if Parse(tt.in) != tt.want {
			t.Errorf("Parse(%q) = %q", tt.in, Parse(tt.in))
		}
	}
}

func TestFromEnv(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want Tag
	}{
		{nil, English},
		{map[string]string{"LANG": "es_ES.UTF-8"}, Spanish},
		{map[string]string{"LANG": "es_ES.UTF-8", "LC_MESSAGES": "pt_BR.UTF-8"}, Portuguese},
		{map[string]string{"LANG": "es_ES.UTF-8", "LC_MESSAGES": "pt_BR.UTF-8", "LC_ALL": "C"}, English},
		{map[string]string{"LC_ALL": "pt_PT", "POLICYCHECK_LANG": "es"}, Spanish},
		{map[string]string{"POLICYCHECK_LANG": "fr", "LANG": "es_ES"}, English}, // a language not spoken: English, not the next variable
		{map[string]string{"POLICYCHECK_LANG": " ", "LANG": "pt_BR"}, Portuguese},
	}
	for _, tt := range tests {
		if got := FromEnv(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("FromEnv(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
}

func TestContext(t *testing.T) {
	if got := FromContext(context.Background()); got != English {
		t.Errorf("FromContext(background) = %q", got)
	}
	if got := FromContext(NewContext(context.Background(), Portuguese)); got != Portuguese {
		t.Errorf("FromContext = %q", got)
	}
}

func TestPlural(t *testing.T) {
	tests := []struct {
		t    Tag
		n    int
		want string
	}{
		{English, 1, "*1 finding:*"}, {English, 0, "*0 findings:*"}, {English, 3, "*3 findings:*"},
		{Spanish, 1, "*1 hallazgo:*"}, {Spanish, 0, "*0 hallazgos:*"}, {Spanish, 3, "*3 hallazgos:*"},
		{Spanish, 1000000, "*1000000 hallazgos:*"}, // CLDR "many": falls back to other
		{Portuguese, 1, "*1 descoberta:*"}, {Portuguese, 2, "*2 descobertas:*"},
		{Portuguese, 0, "*0 descoberta:*"}, // CLDR: 0 is "one" in Portuguese
	}
	for _, tt := range tests {
		if got := tt.t.Plural(tt.n, "*%d findings:*", tt.n); got != tt.want {
			t.Errorf("%s: Plural(%d) = %q, want %q", tt.t, tt.n, got, tt.want)
		}
	}
	// A message no catalog has is formatted as it is.
	if got := Spanish.Sprintf("no such message %d", 7); got != "no such message 7" {
		t.Errorf("missing message = %q", got)
	}
}

func TestText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"I am busy", "Estoy ocupado"},
		{"The review could not be made: throttled. Try again in a few minutes.", "No se pudo hacer la revisión: throttled. Inténtelo de nuevo en unos minutos."},
		{"7/10: every action is named and every resource scoped; nothing to tighten.", "7/10: cada acción está nombrada y cada recurso acotado; no hay nada que restringir."},
		{`expected ':' after the key "Effect" but found '}'`, `se esperaba ':' después de la clave "Effect" pero se encontró '}'`},
		{"no safe suggestion: nothing to tighten: every action is named and every resource scoped",
			"ninguna sugerencia segura: no hay nada que restringir: cada acción está nombrada y cada recurso acotado"},
		// The acceptance gate's refusals, inside the sentence that gives
		// them, and its proofs.
		{"no safe suggestion: the suggestion allows s3:Get* (and any action AWS adds that matches it), which the original did not",
			"ninguna sugerencia segura: la sugerencia permite s3:Get* (y cualquier acción que AWS añada y coincida con él), que el original no permitía"},
		{"The model's suggested policy was rejected: it scores 6, no higher than the built-in suggestion (8), which is shown instead.",
			"Se rechazó la política sugerida por el modelo: obtiene 6, no más que la sugerencia integrada (8), que se muestra en su lugar."},
		{"The model's rewritten policy was withheld: the suggestion removes the original's Deny of iam:*.",
			"Se retuvo la política reescrita por el modelo: la sugerencia quita el Deny del original sobre iam:*."},
		{"IAM Access Analyzer CheckNoNewAccess: PASS", "IAM Access Analyzer CheckNoNewAccess: superada"},
		{"Something the catalog does not know.", "Something the catalog does not know."},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Spanish.Text(tt.in); got != tt.want {
			t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := English.Text("I am busy"); got != "I am busy" {
		t.Errorf("English Text = %q", got)
	}
}

// verbs matches the verbs of a format.
var verbs = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

func verbList(s string) []string { return verbs.FindAllString(s, -1) }

// TestCatalogs checks that every message is in every language, with the
// same verbs, and plural forms where English has them.
func TestCatalogs(t *testing.T) {
	en := catalogs[English].Messages
	for key, m := range en {
		if len(m.Forms) == 0 && m.Text != key {
			t.Errorf("en: %q has the text %q: an English message's text is its key", key, m.Text)
		}
	}
	for _, tag := range []Tag{Spanish, Portuguese} {
		c := catalogs[tag].Messages
		var missing, extra []string
		for key, m := range en {
			tr, ok := c[key]
			if !ok {
				missing = append(missing, key)
				continue
			}
			if (len(m.Forms) == 0) != (len(tr.Forms) == 0) {
				t.Errorf("%s: %q: plural in one language and not in the other", tag, key)
				continue
			}
			texts := []string{tr.Text}
			if len(tr.Forms) > 0 {
				texts = nil
				for _, form := range []string{"one", "other"} {
					if tr.Forms[form] == "" {
						t.Errorf("%s: %q has no %q form", tag, key, form)
					}
				}
				for form, s := range tr.Forms {
					if !slices.Contains([]string{"zero", "one", "two", "few", "many", "other"}, form) {
						t.Errorf("%s: %q: %q is not a CLDR plural category", tag, key, form)
					}
					texts = append(texts, s)
				}
			}
			for _, s := range texts {
				if strings.TrimSpace(s) == "" {
					t.Errorf("%s: %q is translated by an empty text", tag, key)
				}
				if got, want := verbList(s), verbList(key); !slices.Equal(got, want) {
					t.Errorf("%s: %q has the verbs %v, want %v (as in English): %q", tag, key, got, want, s)
				}
			}
		}
		for key := range c {
			if _, ok := en[key]; !ok {
				extra = append(extra, key)
			}
		}
		sort.Strings(missing)
		sort.Strings(extra)
		if len(missing) > 0 {
			t.Errorf("%s: %d messages not translated in catalog/%s.json:\n%s", tag.Name(), len(missing), tag, strings.Join(missing, "\n"))
		}
		if len(extra) > 0 {
			t.Errorf("%s: %d messages of catalog/%s.json are not in catalog/en.json:\n%s", tag.Name(), len(extra), tag, strings.Join(extra, "\n"))
		}
	}
}

// TestSourceMessages checks that every message the code translates is in
// the catalogs, as a plural message exactly when the code asks for one.
func TestSourceMessages(t *testing.T) {
	messages, plurals := sourceMessages(t)
	if len(messages) < 100 {
		t.Fatalf("found %d messages in the code: the search is broken", len(messages))
	}
	en := catalogs[English].Messages
	var missing []string
	for key, where := range messages {
		m, ok := en[key]
		switch {
		case !ok:
			missing = append(missing, where+": "+key)
		case plurals[key] && len(m.Forms) == 0:
			t.Errorf("%s: %q is used as a plural message but has no plural forms", where, key)
		case !plurals[key] && len(m.Forms) > 0:
			t.Errorf("%s: %q has plural forms but is used with Sprintf: use Plural", where, key)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d messages of the code are not in catalog/en.json (nor translated):\n%s", len(missing), strings.Join(missing, "\n"))
	}
}
