package card

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/policycheck/policycheck/assistant/report"
)

// Limits of a Slack message (Block Kit reference). maxTotal, the text of
// all blocks together, stays under the undocumented msg_blocks_too_long
// that Slack reports near 13,000 characters.
const (
	maxBlocks      = 50
	maxSection     = 3000
	maxHeader      = 150
	maxContext     = 10
	maxButtonValue = 2000
	maxTotal       = 12000
	maxFallback    = 3000
)

// ReevaluateAction is the action_id of the Re-evaluate button. The button's
// value is the review ID.
const ReevaluateAction = "reevaluate"

// maxShown is the most findings a card lists; the others are counted.
const maxShown = 10

// Meta is what a card shows besides the report.
type Meta struct {
	ReviewID      string // the Re-evaluate button's value; no button when empty
	RequesterID   string // Slack user ID, "U123"
	ReevaluatedBy string // Slack user ID, for a re-evaluation
	PreviousScore int    // the score before re-evaluation; 0 for a first review
	// Models are the analyzers that ran, e.g. "built-in engine",
	// "bedrock:us.anthropic.claude-sonnet-4-5-20250929-v1:0"; the report's
	// Analyzers when empty.
	Models []string
	// DataVersion is the IAM data version; the report's when empty.
	DataVersion string
	At          time.Time // when the review was made; not shown when zero
	// Notes are shown above the findings, before the report's own notes,
	// e.g. "model unavailable: throttled; built-in review shown".
	Notes []string
}

// Message is a Slack message: Text is the notification fallback, Blocks the
// card.
type Message struct {
	Text   string
	Blocks []slack.Block
	// Snippet, when set, is the suggested policy, too long for the card, to
	// upload as a file in the card's thread.
	Snippet *Snippet
}

// Snippet is a file to upload next to a card.
type Snippet struct {
	Filename, Title, Content string
}

// Render draws the review r as a card. It never fails: nil or zero fields
// give a smaller card, and whatever the report holds the card stays within
// Slack's limits.
func Render(r *report.Report, m Meta) Message {
	if r == nil {
		r = &report.Report{}
	}
	score := validScore(r.Score)

	top := []slack.Block{header(scoreTitle(score))}
	if b := summaryBlock(r, m, score); b != nil {
		top = append(top, b)
	}
	if b := notesBlock(append(append([]string(nil), m.Notes...), r.Notes...)); b != nil {
		top = append(top, b)
	}
	if b := documentsBlock(r.Documents); b != nil {
		top = append(top, b)
	}
	top = append(top, slack.NewDividerBlock())

	suggestion, snippet := suggestionBlocks(r)
	tail := append([]slack.Block{slack.NewDividerBlock()}, suggestion...)
	if b := contextLine(r, m); b != nil {
		tail = append(tail, b)
	}
	if b := actions(m.ReviewID); b != nil {
		tail = append(tail, b)
	}

	used := textLen(top...) + textLen(tail...)
	findings := findingBlocks(sortedFindings(r), maxTotal-used, maxBlocks-len(top)-len(tail))

	blocks := append(append(top, findings...), tail...)
	return Message{Text: fallback(score, r.Summary), Blocks: blocks, Snippet: snippet}
}

// validScore is s when it is a score, 1 to 10, and 0 otherwise.
func validScore(s int) int {
	if s < 1 || s > 10 {
		return 0
	}
	return s
}

func scoreTitle(score int) string {
	if score == 0 {
		return "Policy review"
	}
	return fmt.Sprintf("Policy review: %d/10", score)
}

func fallback(score int, summary string) string {
	text := scoreTitle(score)
	if s := line(summary, 300); s != "" {
		text += " — " + s
	}
	return text
}

// band is the colour of a score: red 1-3, orange 4-6, green 7-10.
func band(score int) string {
	switch {
	case score <= 3:
		return "🟥"
	case score <= 6:
		return "🟧"
	}
	return "🟩"
}

// scale draws score as ten squares coloured by band.
func scale(score int) string {
	return strings.Repeat(band(score), score) + strings.Repeat("⬜", 10-score)
}

func summaryBlock(r *report.Report, m Meta, score int) slack.Block {
	var lines []string
	summary := mrkdwn(r.Summary, 700)
	switch {
	case score != 0 && summary != "":
		lines = append(lines, fmt.Sprintf("%s  *%d/10* — %s", scale(score), score, summary))
	case score != 0:
		lines = append(lines, fmt.Sprintf("%s  *%d/10*", scale(score), score))
	case summary != "":
		lines = append(lines, summary)
	}
	if e := mrkdwn(r.Explanation, 600); e != "" {
		lines = append(lines, "_Model:_ "+e)
	}
	var who []string
	if m.RequesterID != "" {
		who = append(who, "Requested by "+mention(m.RequesterID))
	}
	if f := code(r.File, 100); f != "" {
		who = append(who, f)
	}
	if m.ReevaluatedBy != "" {
		re := "Re-evaluated by " + mention(m.ReevaluatedBy)
		if prev := validScore(m.PreviousScore); prev != 0 && score != 0 {
			re += fmt.Sprintf(": %d → %d", prev, score)
		}
		who = append(who, re)
	}
	if len(who) > 0 {
		lines = append(lines, strings.Join(who, " · "))
	}
	if len(lines) == 0 {
		return nil
	}
	return section(strings.Join(lines, "\n"))
}

// slackID matches user (U, W) and conversation (C, D, G) IDs.
var slackID = regexp.MustCompile(`^[UWCDG][A-Z0-9]{1,40}$`)

// mention is a mention of a user, or the ID as inert code if it is not one.
func mention(id string) string {
	if slackID.MatchString(id) && strings.IndexByte("UW", id[0]) >= 0 {
		return "<@" + id + ">"
	}
	return code(id, 50)
}

func notesBlock(notes []string) slack.Block {
	var lines []string
	seen := map[string]bool{}
	total := 0
	for i, n := range notes {
		text := line(identifiers(n), 300)
		if text == "" || seen[text] {
			continue
		}
		seen[text] = true
		if total+runes(text) > 700 {
			lines = append(lines, fmt.Sprintf("…and %d more notes", len(notes)-i))
			break
		}
		lines = append(lines, "ℹ️ "+text)
		total += runes(text) + 4
	}
	if len(lines) == 0 {
		return nil
	}
	return contextBlock(strings.Join(lines, "\n"))
}

func documentsBlock(docs []report.Document) slack.Block {
	if len(docs) < 2 {
		return nil
	}
	const max, maxDocs = 1500, 10
	text := "*Documents*"
	for i, d := range docs {
		item := "\n• " + or(code(d.Name, 80), fmt.Sprintf("document %d", i+1))
		if t := line(d.PolicyType, 40); t != "" {
			item += " (" + t + ")"
		}
		if s := validScore(d.Score); s != 0 {
			item += fmt.Sprintf(" — %s *%d/10*", band(s), s)
		}
		if s := line(d.Summary, 200); s != "" {
			item += " · " + s
		}
		if i == maxDocs || runes(text)+runes(item) > max-40 {
			text += fmt.Sprintf("\n…and %d more documents", len(docs)-i)
			break
		}
		text += item
	}
	return section(text)
}

// Severity bands, by report.Severity.Rank.
var (
	severityNames  = [...]string{"Critical", "High", "Medium", "Low", "Info"}
	severityEmojis = [...]string{"🔴", "🟠", "🟡", "🔵", "⚪"}
)

// sortedFindings are the report's findings, worst first; the documents'
// findings if the report lists none itself.
func sortedFindings(r *report.Report) []report.Finding {
	fs := append([]report.Finding(nil), r.Findings...)
	if len(fs) == 0 {
		for _, d := range r.Documents {
			fs = append(fs, d.Findings...)
		}
	}
	slices.SortStableFunc(fs, func(a, b report.Finding) int { return a.Severity.Rank() - b.Severity.Rank() })
	return fs
}

// findingBlocks lists fs, worst first and grouped by severity, in at most
// chars characters and blocks blocks, and counts the findings left out.
func findingBlocks(fs []report.Finding, chars, blocks int) []slack.Block {
	var counts [len(severityNames)]int
	for _, f := range fs {
		counts[f.Severity.Rank()]++
	}
	var out []slack.Block
	if len(fs) == 0 {
		return append(out, section("✅ *No findings.*"))
	}
	out = append(out, section("*Findings:* "+countList(counts)))
	const moreLen = 200 // the "…and N more" line
	used, shown := textLen(out...), 0
	for i, f := range fs {
		if shown == maxShown {
			break
		}
		var add []slack.Block
		rank := f.Severity.Rank()
		if i == 0 || fs[i-1].Severity.Rank() != rank {
			add = append(add, contextBlock(fmt.Sprintf("*%s* (%d)", severityNames[rank], counts[rank])))
		}
		add = append(add, section(findingText(f)))
		cost := textLen(add...)
		if used+cost > chars-moreLen || len(out)+len(add) > blocks-1 {
			break
		}
		out = append(out, add...)
		used += cost
		shown++
	}
	if shown < len(fs) {
		var rest [len(severityNames)]int
		for _, f := range fs[shown:] {
			rest[f.Severity.Rank()]++
		}
		out = append(out, contextBlock(fmt.Sprintf("…and %d more findings: %s", len(fs)-shown, countList(rest))))
	}
	return out
}

// countList is "3 critical, 5 high".
func countList(counts [len(severityNames)]int) string {
	var parts []string
	for rank, n := range counts {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, strings.ToLower(severityNames[rank])))
		}
	}
	return strings.Join(parts, ", ")
}

// findingText is one finding: what, where, why and the fix.
func findingText(f report.Finding) string {
	rank := f.Severity.Rank()
	title := or(line(f.Title, 200), "Finding")
	text := severityEmojis[rank] + " *" + title + "*"

	var where []string
	if c := code(string(f.Category), 40); c != "" {
		where = append(where, c)
	}
	if d := code(f.Document, 80); d != "" {
		where = append(where, d)
	}
	if f.Statement >= 0 {
		where = append(where, fmt.Sprintf("statement %d", f.Statement+1))
	} else {
		where = append(where, "whole document")
	}
	if sid := code(f.Sid, 80); sid != "" {
		where = append(where, "Sid "+sid)
	}
	if f.Line > 0 {
		where = append(where, fmt.Sprintf("line %d", f.Line))
	}
	if f.Count > 1 {
		where = append(where, fmt.Sprintf("×%d similar", f.Count))
	}
	switch f.Source {
	case "model":
		where = append(where, "🤖 _found by the model_")
	case "access-analyzer":
		where = append(where, "🔎 _found by IAM Access Analyzer_")
	}
	text += "\n" + strings.Join(where, " · ")

	if d := mrkdwn(f.Detail, 700); d != "" {
		text += "\n" + d
	}
	if fix := mrkdwn(f.Recommendation, 400); fix != "" {
		text += "\n*Fix:* " + fix
	}
	if a := codeList(f.Actions, 5, 80); a != "" {
		text += "\nActions: " + a
	}
	return text
}

// codeList is up to n values as code, then how many more.
func codeList(values []string, n, max int) string {
	var parts []string
	for _, v := range values {
		if len(parts) == n {
			return strings.Join(parts, ", ") + fmt.Sprintf(" and %d more", len(values)-n)
		}
		if c := code(v, max); c != "" {
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, ", ")
}

// suggestionBlocks shows the suggested policy, or why there is none. A
// policy too long for a section is returned as a Snippet instead.
func suggestionBlocks(r *report.Report) ([]slack.Block, *Snippet) {
	s := r.SuggestedPolicy
	policy := ""
	if s != nil {
		policy = prettyJSON(s.Policy)
	}
	if policy == "" {
		reason := mrkdwn(r.NoSuggestionReason, 600)
		switch {
		case reason != "":
			reason = "*No suggested policy:* " + reason
		case validScore(r.Score) == 10:
			reason = "*No suggested policy:* nothing to tighten."
		default:
			reason = "*No suggested policy.*"
		}
		return []slack.Block{section(reason)}, nil
	}

	heading := "💡 *Suggested policy*"
	if d := code(s.Document, 80); d != "" {
		heading += " for " + d
	}
	if from, to := validScore(r.Score), validScore(s.Score); to != 0 {
		if from != 0 {
			heading += fmt.Sprintf(" · score %d → %d", from, to)
		} else {
			heading += fmt.Sprintf(" · score %d", to)
		}
	}
	if s.Source == "model" {
		heading += " · 🤖 _written by the model_"
	}
	var verdicts []string
	for _, v := range s.Verdicts[:min(len(s.Verdicts), 4)] {
		if v := line(v, 80); v != "" {
			verdicts = append(verdicts, v)
		}
	}
	if len(verdicts) > 0 {
		heading += "\nProven to grant nothing more: " + strings.Join(verdicts, ", ")
	}
	blocks := []slack.Block{section(heading)}

	var snippet *Snippet
	if block := "```\n" + codeBody(policy) + "\n```"; runes(block) <= maxSection {
		blocks = append(blocks, section(block))
	} else {
		snippet = &Snippet{
			Filename: snippetName(s.Document),
			Title:    "Suggested policy",
			Content:  policy + "\n",
		}
		if to := validScore(s.Score); to != 0 {
			snippet.Title += fmt.Sprintf(" (score %d/10)", to)
		}
		blocks = append(blocks, section(fmt.Sprintf(
			"📎 The suggested policy is %d lines long, too long for this message: it is attached in the thread as %s.",
			strings.Count(policy, "\n")+1, code(snippet.Filename, 100))))
	}

	if b := changesBlock(s.Changes); b != nil {
		blocks = append(blocks, b)
	}
	return blocks, snippet
}

// prettyJSON is the suggested policy indented, or "" when there is none.
func prettyJSON(policy json.RawMessage) string {
	raw := bytes.TrimSpace(policy)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return clean(string(raw))
	}
	return clean(b.String())
}

// unsafeName matches what does not belong in a file name.
var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// snippetName is a safe file name for the suggestion for document doc.
func snippetName(doc string) string {
	base := doc[strings.LastIndexAny(doc, `/\`)+1:]
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	base = strings.Trim(unsafeName.ReplaceAllString(base, "-"), ".-")
	if len(base) > 60 {
		base = strings.TrimRight(base[:60], ".-")
	}
	if base == "" {
		return "suggested-policy.json"
	}
	return base + "-suggested.json"
}

func changesBlock(changes []report.Change) slack.Block {
	if len(changes) == 0 {
		return nil
	}
	const max = 1200
	var text strings.Builder
	text.WriteString("*What changed*")
	n := runes(text.String())
	for i, c := range changes {
		item := "\n• "
		if c.Statement >= 0 {
			item += "Statement " + strconv.Itoa(c.Statement+1) + ": "
		}
		item += or(line(c.What, 250), "changed")
		if why := line(c.Why, 250); why != "" {
			item += " — " + why
		}
		if n+runes(item) > max-40 {
			fmt.Fprintf(&text, "\n…and %d more changes", len(changes)-i)
			break
		}
		text.WriteString(item)
		n += runes(item)
	}
	return section(text.String())
}

// contextLine says which analyzers ran, on which IAM data, when, and the
// review's ID.
func contextLine(r *report.Report, m Meta) slack.Block {
	var elems []string
	models := m.Models
	if len(models) == 0 {
		models = r.Analyzers
	}
	if list := codeList(models, 5, 90); list != "" {
		elems = append(elems, "Analyzers: "+list)
	}
	if v := code(or(m.DataVersion, r.DataVersion), 60); v != "" {
		elems = append(elems, "IAM data "+v)
	}
	if d := date(m.At); d != "" {
		elems = append(elems, d)
	}
	if id := code(m.ReviewID, 80); id != "" {
		elems = append(elems, "Review "+id)
	}
	if len(elems) == 0 {
		return nil
	}
	return contextBlock(elems...)
}

// date is t as a Slack date token, shown in the reader's time zone.
func date(t time.Time) string {
	if t.IsZero() || t.Unix() <= 0 {
		return ""
	}
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 UTC"))
}

func actions(reviewID string) slack.Block {
	if reviewID == "" || runes(reviewID) > maxButtonValue {
		return nil
	}
	button := slack.NewButtonBlockElement(ReevaluateAction, reviewID, plain("Re-evaluate")).WithStyle(slack.StylePrimary)
	return slack.NewActionBlock("", button)
}

// Block constructors. All mrkdwn is sent verbatim: Slack then leaves bare
// URLs, @here and #channel alone.

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, true, false)
}

func md(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, true)
}

func header(s string) slack.Block { return slack.NewHeaderBlock(plain(s)) }

func section(s string) slack.Block { return slack.NewSectionBlock(md(s), nil, nil) }

func contextBlock(elems ...string) slack.Block {
	var mixed []slack.MixedElement
	for _, e := range elems {
		mixed = append(mixed, md(e))
	}
	return slack.NewContextBlock("", mixed...)
}

// textLen is the number of characters of text in blocks, as counted against
// maxTotal.
func textLen(blocks ...slack.Block) int {
	n := 0
	text := func(t *slack.TextBlockObject) {
		if t != nil {
			n += runes(t.Text)
		}
	}
	for _, b := range blocks {
		switch b := b.(type) {
		case *slack.HeaderBlock:
			text(b.Text)
		case *slack.SectionBlock:
			text(b.Text)
			for _, f := range b.Fields {
				text(f)
			}
		case *slack.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				if t, ok := e.(*slack.TextBlockObject); ok {
					text(t)
				}
			}
		case *slack.ActionBlock:
			for _, e := range b.Elements.ElementSet {
				if btn, ok := e.(*slack.ButtonBlockElement); ok {
					text(btn.Text)
				}
			}
		}
	}
	return n
}

// or is s, or alt when s is empty.
func or(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
