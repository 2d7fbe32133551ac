package card

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

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
}

// GenerateProgress is the card shown while a policy is written.
func GenerateProgress(requesterID string) Message {
	text := "⏳ *Writing a policy…*"
	if requesterID != "" {
		text += "\nRequested by " + mention(requesterID)
	}
	return Message{Text: "Writing a policy…", Blocks: []slack.Block{section(text)}}
}

// Generated draws a policy written from a description: its score, what it
// was asked, the policy (or a Snippet when too long), what was assumed and
// left out, its findings and the spec. It stays within Slack's limits
// whatever g holds.
func Generated(g GeneratedView) Message {
	score := validScore(g.Score)
	title := "Generated policy"
	if score != 0 {
		title += fmt.Sprintf(": %d/10", score)
	}
	top := []slack.Block{header(title)}
	var lines []string
	if score != 0 {
		lines = append(lines, fmt.Sprintf("%s  *%d/10* — %s", scale(score), score, mrkdwn(g.Summary, 500)))
	}
	if d := line(g.Description, 500); d != "" {
		lines = append(lines, "*Asked:* "+mrkdwn(g.Description, 500))
	}
	from := "Compiled by the built-in engine from a spec"
	if g.Source == "model" {
		from = "🤖 The model stated the intent; the built-in engine compiled it"
	}
	if g.RequesterID != "" {
		from += " · Requested by " + mention(g.RequesterID)
	}
	lines = append(lines, from)
	top = append(top, section(strings.Join(lines, "\n")))

	policy := prettyJSON(g.Policy)
	var snippet *Snippet
	proof := "Proven by the built-in subset check to grant nothing outside what the intent asks."
	if len(g.Verdicts) > 1 {
		proof += " " + line(strings.Join(g.Verdicts[1:], "; "), 300)
	}
	top = append(top, section("💡 *Policy*\n"+proof))
	if block := "```\n" + codeBody(policy) + "\n```"; runes(block) <= maxSection {
		top = append(top, section(block))
	} else {
		snippet = &Snippet{Filename: "generated-policy.json", Title: "Generated policy", Content: policy + "\n"}
		if score != 0 {
			snippet.Title += fmt.Sprintf(" (score %d/10)", score)
		}
		top = append(top, section(fmt.Sprintf("📎 The policy is %d lines long, too long for this message: it is attached in the thread as %s.",
			strings.Count(policy, "\n")+1, code(snippet.Filename, 100))))
	}
	if b := listBlock("*Assumed*", g.Assumptions, 1200); b != nil {
		top = append(top, b)
	}
	if b := listBlock("*Left out*", g.Notes, 800); b != nil {
		top = append(top, b)
	}

	var tail []slack.Block
	if s := strings.TrimSpace(g.Spec); s != "" {
		if block := "*Spec* (policy_sentry's CRUD template; `policycheck generate --from` compiles it again)\n```\n" + codeBody(s) + "\n```"; runes(block) <= maxSection {
			tail = append(tail, section(block))
		}
	}
	if list := codeList(g.Analyzers, 5, 90); list != "" {
		tail = append(tail, contextBlock("Analyzers: "+list))
	}
	if b := actions(g.ReviewID); b != nil {
		tail = append(tail, b)
	}
	fs := append([]report.Finding(nil), g.Findings...)
	findings := findingBlocks(sortedFindings(&report.Report{Findings: fs}), maxTotal-textLen(top...)-textLen(tail...), maxBlocks-len(top)-len(tail))
	if len(fs) == 0 {
		findings = nil
	}
	blocks := append(append(top, findings...), tail...)
	text := "Generated policy"
	if score != 0 {
		text += fmt.Sprintf(": %d/10", score)
	}
	return Message{Text: text, Blocks: blocks, Snippet: snippet}
}

// listBlock is a heading and a bulleted list in at most max characters.
func listBlock(heading string, items []string, max int) slack.Block {
	text := heading
	n := 0
	for i, it := range items {
		item := "\n• " + line(identifiers(it), 300)
		if item == "\n• " {
			continue
		}
		if runes(text)+runes(item) > max-40 {
			text += fmt.Sprintf("\n…and %d more", len(items)-i)
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
