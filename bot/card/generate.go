package card

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/policycheck/policycheck/assistant/lang"
	"github.com/policycheck/policycheck/assistant/report"
)

// GeneratedView is a policy written from a description or a spec
// (policycheck generate). Description, Assumptions and Notes may come
// from the model: they are made inert like the rest of a card.
type GeneratedView struct {
	Description string // what was asked, "" for a spec
	Policy      []byte // JSON
	Score       int
	Summary     string
	Findings    []report.Finding
	Assumptions []string
	Notes       []string // what was left out
	// Source is "model" (a description the model turned into a spec) or
	// "spec".
	Source    string
	Verdicts  []string
	Analyzers []string
	// Spec is the intent compiled, as YAML (policy_sentry's CRUD template).
	Spec        string
	RequesterID string
	// ReviewID is the stored review of the policy: its Re-evaluate button.
	ReviewID string
	// Lang is the language of the message.
	Lang lang.Tag
}

// GenerateProgress is the card shown while a policy is written.
func GenerateProgress(lg lang.Tag, requesterID string) Message {
	text := "⏳ *" + lg.Sprintf("Writing a policy…") + "*"
	if requesterID != "" {
		text += "\n" + lg.Sprintf("Requested by %s", mention(requesterID))
	}
	return Message{Text: lg.Sprintf("Writing a policy…"), Blocks: []slack.Block{section(text)}}
}

// Generated draws a policy written from a description: its score, what it
// was asked, the policy (or a Snippet when too long), what was assumed and
// left out, its findings and the spec. It stays within Slack's limits
// whatever g holds.
func Generated(g GeneratedView) Message {
	lg := g.Lang
	g.Findings = lg.Report(&report.Report{Findings: g.Findings}).Findings
	g.Assumptions, g.Notes, g.Verdicts = lg.Texts(g.Assumptions), lg.Texts(g.Notes), lg.Texts(g.Verdicts)
	score := validScore(g.Score)
	heading := lg.Sprintf("Generated policy")
	if score != 0 {
		heading += fmt.Sprintf(": %d/10", score)
	}
	top := []slack.Block{header(heading)}
	var lines []string
	if score != 0 {
		summary := lg.Report(&report.Report{Summary: g.Summary, Findings: g.Findings}).Summary
		lines = append(lines, fmt.Sprintf("%s *%s* (%s) — %s", band(score), title(lg, score), lg.Sprintf("10 = least privilege"), mrkdwn(summaryText(summary), 500)))
	}
	if d := line(g.Description, 500); d != "" {
		lines = append(lines, lg.Sprintf("*Asked:* %s", mrkdwn(g.Description, 500)))
	}
	from := lg.Sprintf("Compiled by the built-in engine from a spec")
	if g.Source == "model" {
		from = lg.Sprintf("🤖 The model stated the intent; the built-in engine compiled it")
	}
	if g.RequesterID != "" {
		from += " · " + lg.Sprintf("Requested by %s", mention(g.RequesterID))
	}
	lines = append(lines, from)
	top = append(top, section(strings.Join(lines, "\n")))

	policy := prettyJSON(g.Policy)
	var snippet *Snippet
	proof := lg.Sprintf("Proven by the built-in subset check to grant nothing outside what the intent asks.")
	if len(g.Verdicts) > 1 {
		proof += " " + line(strings.Join(g.Verdicts[1:], "; "), 300)
	}
	top = append(top, section("💡 *"+lg.Sprintf("Policy")+"*\n"+proof))
	if block := "```\n" + blockBody(policy) + "\n```"; runes(block) <= maxSection && !strings.Contains(policy, "```") {
		top = append(top, section(block))
	} else {
		snippet = &Snippet{Filename: "generated-policy.json", Title: lg.Sprintf("Generated policy"), Content: policy + "\n"}
		if score != 0 {
			snippet.Title += " " + lg.Sprintf("(score %d/10)", score)
		}
		top = append(top, section(lg.Sprintf("📎 The policy is %d lines long, too long for this message: it is attached in the thread as %s.",
			strings.Count(policy, "\n")+1, code(snippet.Filename, 100))))
	}
	if b := listBlock(lg, "*"+lg.Sprintf("Assumed")+"*", g.Assumptions, 1200); b != nil {
		top = append(top, b)
	}
	if b := listBlock(lg, "*"+lg.Sprintf("Left out")+"*", g.Notes, 800); b != nil {
		top = append(top, b)
	}

	var tail []slack.Block
	if s := strings.TrimSpace(g.Spec); s != "" {
		if block := lg.Sprintf("*Spec* (policy_sentry's CRUD template; `policycheck generate --from` compiles it again)") + "\n```\n" + blockBody(s) + "\n```"; runes(block) <= maxSection && !strings.Contains(s, "```") {
			tail = append(tail, section(block))
		}
	}
	if list := codeList(lg, g.Analyzers, 5, 90); list != "" {
		tail = append(tail, contextBlock(lg.Sprintf("Analyzers: %s", list)))
	}
	if b := buttons(lg, g.ReviewID, len(g.Findings)); b != nil {
		tail = append(tail, b)
	}
	var findings []slack.Block
	if len(g.Findings) > 0 {
		findings = append(findings, findingsBlock(lg, sortedFindings(&report.Report{Findings: g.Findings}), false))
	}
	blocks := append(append(top, findings...), tail...)
	text := lg.Sprintf("Generated policy")
	if score != 0 {
		text += fmt.Sprintf(": %d/10", score)
	}
	return Message{Text: text, Blocks: blocks, Snippet: snippet}
}

// listBlock is a heading and a bulleted list in at most max characters.
func listBlock(lg lang.Tag, heading string, items []string, max int) slack.Block {
	text := heading
	n := 0
	for i, it := range items {
		item := "\n• " + line(it, 300)
		if item == "\n• " {
			continue
		}
		if runes(text)+runes(item) > max-40 {
			text += "\n…" + lg.Sprintf("and %d more", len(items)-i)
			break
		}
		text += item
		n++
	}
	if n == 0 {
		return nil
	}
	return section(text)
}
