package lang

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// Tag is a language policycheck speaks. The zero value is English.
type Tag string

// The languages.
const (
	English    Tag = "en"
	Spanish    Tag = "es"
	Portuguese Tag = "pt"
)

// All lists the languages, English first.
var All = []Tag{English, Spanish, Portuguese}

// Parse reads a locale, as Slack ("es-ES", "pt-BR") or POSIX
// ("pt_BR.UTF-8", "es_MX@euro") write them: Spanish for es, Portuguese for
// pt, English for anything else, the empty string and "C" included.
func Parse(locale string) Tag {
	t, _ := Lookup(locale)
	return t
}

// Lookup is Parse that also reports whether locale names a language
// policycheck speaks.
func Lookup(locale string) (Tag, bool) {
	s := strings.ToLower(strings.TrimSpace(locale))
	if i := strings.IndexAny(s, "-_.@"); i >= 0 {
		s = s[:i]
	}
	switch s {
	case "en":
		return English, true
	case "es":
		return Spanish, true
	case "pt":
		return Portuguese, true
	}
	return English, false
}

// FromEnv is the language of a command line: POLICYCHECK_LANG, else the
// locale of the environment (LC_ALL, LC_MESSAGES, LANG, the first set
// wins, as in POSIX), else English. A value naming a language policycheck
// does not speak gives English.
func FromEnv(getenv func(string) string) Tag {
	for _, name := range []string{"POLICYCHECK_LANG", "LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return Parse(v)
		}
	}
	return English
}

// String is the tag, "en", "es" or "pt".
func (t Tag) String() string { return string(t.norm()) }

// Name is the language's English name, as a prompt names it: "English",
// "Spanish", "Portuguese".
func (t Tag) Name() string {
	switch t.norm() {
	case Spanish:
		return "Spanish"
	case Portuguese:
		return "Portuguese"
	}
	return "English"
}

func (t Tag) norm() Tag {
	if t == Spanish || t == Portuguese {
		return t
	}
	return English
}

// Sprintf formats the translation of the message whose English text is
// format. A message missing from the language's catalog is formatted in
// English.
func (t Tag) Sprintf(format string, args ...any) string {
	return fmt.Sprintf(t.lookup(format, -1), args...)
}

// Plural formats the translation of the message whose English text is
// format in the plural form that n calls for in the language (CLDR),
// e.g. Plural(3, "%d findings", 3) is "3 hallazgos" in Spanish.
func (t Tag) Plural(n int, format string, args ...any) string {
	return fmt.Sprintf(t.lookup(format, n), args...)
}

// lookup is the text of a message in the language, in the plural form
// for n (n < 0: not a plural message).
func (t Tag) lookup(key string, n int) string {
	c := catalogs[t.norm()]
	m, ok := c.Messages[key]
	if !ok {
		if t.norm() != English {
			return English.lookup(key, n)
		}
		return key
	}
	if len(m.Forms) == 0 {
		return m.Text
	}
	form := "other"
	if n >= 0 {
		form = formName(plural.Cardinal.MatchPlural(c.tag, n, 0, 0, 0, 0))
	}
	if s, ok := m.Forms[form]; ok {
		return s
	}
	return m.Forms["other"]
}

func formName(f plural.Form) string {
	switch f {
	case plural.Zero:
		return "zero"
	case plural.One:
		return "one"
	case plural.Two:
		return "two"
	case plural.Few:
		return "few"
	case plural.Many:
		return "many"
	}
	return "other"
}

// RuleText is the template of a rule's field ("title", "detail", "fix",
// "phrase") in the language, with the placeholders of the registry's
// English template; ok is false when the catalog does not have it (the
// caller then uses the registry's English).
func (t Tag) RuleText(id, field string) (tmpl string, ok bool) {
	r, ok := catalogs[t.norm()].Rules[id]
	if !ok {
		return "", false
	}
	tmpl, ok = r[field]
	return tmpl, ok
}

// message is a catalog entry: a text, or its plural forms by CLDR
// category ("one", "many", "other"...).
type message struct {
	Text  string
	Forms map[string]string
}

func (m *message) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &m.Text); err == nil {
		return nil
	}
	return json.Unmarshal(b, &m.Forms)
}

// catalog is one language's file.
type catalog struct {
	Messages map[string]message `json:"messages"`
	// Rules are the rules' templates by id, then by field.
	Rules map[string]map[string]string `json:"rules"`

	tag language.Tag
}

//go:embed catalog/*.json
var files embed.FS

var catalogs = func() map[Tag]*catalog {
	out := map[Tag]*catalog{}
	for _, t := range All {
		c, err := load(t)
		if err != nil {
			panic(err) // the catalogs are embedded: a test reads them all
		}
		out[t] = c
	}
	return out
}()

func load(t Tag) (*catalog, error) {
	b, err := files.ReadFile("catalog/" + string(t) + ".json")
	if err != nil {
		return nil, fmt.Errorf("lang: reading the %s catalog: %w", t.Name(), err)
	}
	c := &catalog{tag: language.Make(string(t))}
	if err := json.Unmarshal(b, c); err != nil {
		return nil, fmt.Errorf("lang: reading the %s catalog: %w", t.Name(), err)
	}
	return c, nil
}

type contextKey struct{}

// NewContext returns ctx carrying the language of the request it serves,
// for the calls below it that write for a person (a model's prompt).
func NewContext(ctx context.Context, t Tag) context.Context {
	return context.WithValue(ctx, contextKey{}, t)
}

// FromContext is the language ctx carries; English when none.
func FromContext(ctx context.Context) Tag {
	t, _ := ctx.Value(contextKey{}).(Tag)
	return t.norm()
}
