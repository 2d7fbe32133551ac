package e2e

import (
	"regexp"
	"strings"
	"testing"

	"github.com/policycheck/policycheck/internal/slackfake"
)

// englishWord matches words of policycheck's English that a Spanish or
// Portuguese message must not hold, and englishIdentifiers what stays as
// it is in every language.
var (
	englishWord = regexp.MustCompile(`(?i)\b(the|and|with|every|findings?|statements?|policy|policies|resources?|actions?|scoped?|suggested|changed|requested|reviews?|details|more|show|score|risk|least|privilege|without|grants?|remove|replace|your|re-evaluate|re-evaluated|could|read|line|column)\b`)
	identifier  = []*regexp.Regexp{
		regexp.MustCompile("```[\\s\\S]*?```"), regexp.MustCompile("`[^`]*`"), regexp.MustCompile(`<[^>]*>`),
		regexp.MustCompile(`"(type|style|action_id|block_id|value|emoji)":"[^"]*"`), regexp.MustCompile(`\\"[^"\\]*\\"`), regexp.MustCompile(`"[a-z_]+":`),
		regexp.MustCompile(`arn:[^\s,)]+`), regexp.MustCompile(`[A-Za-z0-9_.*-]+:[A-Za-z0-9_.:/*${}-]+`),
		regexp.MustCompile(`/policycheck( [a-z]+)?`), regexp.MustCompile(`\bpolicycheck\b`),
		regexp.MustCompile(`\b(NotAction|NotResource|NotPrincipal|Action|Resource|Principal|Allow|Deny|Effect|Sid|Statement)\b`),
	}
)

func englishLeft(s string) []string {
	for _, re := range identifier {
		s = re.ReplaceAllString(s, " ")
	}
	return englishWord.FindAllString(s, -1)
}

// TestLanguages follows a user whose Slack locale is es-ES and one whose
// locale is pt-BR through the whole flow: a mention and its card, a
// question in its thread, Show
// all findings, Re-evaluate (by a colleague in English too), help, an
// invalid policy. Each is answered in their language, with no English
// left outside identifiers; the colleague's click keeps the card in the
// requester's language.
func TestLanguages(t *testing.T) {
	t.Parallel()
	s := newSlack(t, slackfake.Options{})
	const carla, joao = "U0CARLA01", "U0JOAO001"
	s.AddUser(carla, "carla")
	s.AddUser(joao, "joao")
	if err := s.SetLocale(carla, "es-ES"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLocale(joao, "pt-BR"); err != nil {
		t.Fatal(err)
	}
	start(t, s, t.TempDir(), nil)

	for _, tt := range []struct {
		user, locale                         string
		card, details, reevaluated, help     string
		unreadable, lineColumn, verdictStart string
		answeredBy                           string
	}{
		{carla, "es-ES", "Ver todos los hallazgos", "*Corrección:*", "Reevaluada por <@" + bob + ">", "Cómo usar policycheck",
			"No se pudo leer la política", "Línea 1, columna", "riesgo", "Respondido por el motor integrado para <@" + carla + ">"},
		{joao, "pt-BR", "Ver todas as descobertas", "*Correção:*", "Reavaliada por <@" + bob + ">", "Como usar o policycheck",
			"Não foi possível ler a política", "Linha 1, coluna", "risco", "Respondido pelo mecanismo integrado para <@" + joao + ">"},
	} {
		t.Run(tt.locale, func(t *testing.T) {
			ctx := ctxFor(t)
			d, err := s.Mention(ctx, general, tt.user, fenced(widePolicy), slackfake.MessageOptions{})
			if err != nil {
				t.Fatal(err)
			}
			c := waitMessage(t, ctx, s, general, d.TS, isCard)
			if !strings.Contains(c.Text, " "+tt.verdictStart+" ") || !strings.Contains(content(c), tt.card) {
				t.Errorf("card not in %s: %s", tt.locale, content(c))
			}
			if w := englishLeft(content(c)); len(w) > 0 {
				t.Errorf("English words %q left in the card:\n%s", w, content(c))
			}

			// A question in the thread: the engine's answer (no model here).
			if _, err := s.Mention(ctx, general, tt.user, "s3:* ?", slackfake.MessageOptions{ThreadTS: d.TS}); err != nil {
				t.Fatal(err)
			}
			a := waitMessage(t, ctx, s, general, d.TS, isAnswer)
			if !strings.Contains(content(a), tt.answeredBy) {
				t.Errorf("answer not in %s:\n%s", tt.locale, content(a))
			}
			if w := englishLeft(content(a)); len(w) > 0 {
				t.Errorf("English words %q left in the answer:\n%s", w, content(a))
			}

			pages := details(t, ctx, s, c, tt.user)
			all := strings.Join(pages[0], "\n")
			if !strings.Contains(all, tt.details) {
				t.Errorf("details not in %s:\n%s", tt.locale, all)
			}
			for _, p := range pages {
				if w := englishLeft(strings.Join(p, "\n")); len(w) > 0 {
					t.Errorf("English words %q left in the details:\n%s", w, strings.Join(p, "\n"))
				}
			}

			// A colleague whose Slack speaks English re-evaluates: the card
			// and the reply stay in the requester's language.
			if _, err := s.BlockAction(ctx, slackfake.BlockAction{Channel: general, MessageTS: c.TS, ActionID: "reevaluate", UserID: bob}); err != nil {
				t.Fatal(err)
			}
			reply := waitMessage(t, ctx, s, general, d.TS, func(m slackfake.Message) bool {
				return m.TS != c.TS && strings.Contains(m.Text, tt.reevaluated)
			})
			if w := englishLeft(content(reply)); len(w) > 0 {
				t.Errorf("English words %q left in the reply:\n%s", w, content(reply))
			}
			updated := waitMessage(t, ctx, s, general, d.TS, func(m slackfake.Message) bool {
				return m.TS == c.TS && strings.Contains(content(m), tt.reevaluated)
			})
			if w := englishLeft(content(updated)); len(w) > 0 {
				t.Errorf("English words %q left in the re-evaluated card:\n%s", w, content(updated))
			}

			env, err := s.SlashCommand(ctx, slackfake.SlashCommand{Command: "/policycheck", Text: "help", ChannelID: general, UserID: tt.user})
			if err != nil {
				t.Fatal(err)
			}
			ack, err := s.WaitAck(ctx, env)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(ack.Payload), tt.help) {
				t.Errorf("help not in %s: %s", tt.locale, ack.Payload)
			}
			if w := englishLeft(unescape(string(ack.Payload))); len(w) > 0 {
				t.Errorf("English words %q left in the help:\n%s", w, ack.Payload)
			}

			bad, err := s.Mention(ctx, general, tt.user, "```\n{\"Statement\": [}\n```", slackfake.MessageOptions{})
			if err != nil {
				t.Fatal(err)
			}
			f := waitMessage(t, ctx, s, general, bad.TS, isFailure)
			if !strings.Contains(content(f), tt.unreadable) || !strings.Contains(content(f), tt.lineColumn) {
				t.Errorf("failure not in %s:\n%s", tt.locale, content(f))
			}
			if w := englishLeft(content(f)); len(w) > 0 {
				t.Errorf("English words %q left in the failure:\n%s", w, content(f))
			}
		})
	}
}
