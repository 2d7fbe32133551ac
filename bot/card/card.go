package card

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/policycheck/policycheck/assistant/lang"
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

// A review card is read in one screen: at most cardBlocks blocks and
// cardText characters of text, whatever the report holds. It lists the
// topFindings worst findings; every finding is in the details (Details).
// A suggested policy of more than codeLines lines is attached as a file.
const (
	cardBlocks  = 20
	cardText    = 4000
	topFindings = 3
	codeLines   = 30
)

// CardBlockID is the block_id of the first block of a review card.
const CardBlockID = "policycheck-card"

// Actions of a card's buttons. The value of both is the review ID.
const (
	ReevaluateAction = "reevaluate"
	DetailsAction    = "show_findings"
)

// Meta is what a card shows besides the report.
type Meta struct {
	ReviewID    string // the buttons' value; no buttons when empty
	RequesterID string // Slack user ID, "U123"
	// Principal and Sid say what was reviewed besides the file name: the
	// first principal of a resource or trust policy, else the first Sid.
	Principal, Sid string
	ReevaluatedBy  string // Slack user ID, for a re-evaluation
	PreviousScore  int    // the score before re-evaluation; 0 for a first review
	// Models are the analyzers that ran, e.g. "built-in engine",
	// "bedrock:us.anthropic.claude-sonnet-4-5-20250929-v1:0"; the report's
	// Analyzers when empty.
	Models []string
	// DataVersion is the IAM data version; the report's when empty.
	DataVersion string
	// Notes come before the report's own notes, e.g. "model unavailable:
	// throttled; built-in review shown".
	Notes []string
	// Lang is the language the message speaks (the requester's); the
	// report is translated into it (lang.Tag.Report).
	Lang lang.Tag
}

// Message is a Slack message: Text is what notifications and screen
// readers say, Blocks the card.
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

// Render draws the review r as a card: the verdict and score with its
// scale, what was reviewed, the counts per severity and the worst
// findings in a line each, the suggested policy (or its snippet) with what
// changed, and the Show all findings and Re-evaluate buttons. It never
// fails: nil or zero fields give a smaller card, and whatever the report
// holds the card has at most 20 blocks and 4,000 characters of text.
func Render(r *report.Report, m Meta) Message {
	if r == nil {
		r = &report.Report{}
	}
	lg := m.Lang
	r = lg.Report(r)
	score := validScore(r.Score)
	findings := sortedFindings(r)

	head := []slack.Block{headerBlock(lg, score)}
	for _, b := range []slack.Block{
		summaryBlock(lg, r, 360, 240),
		aboutBlock(lg, r, m),
		notesBlock(lg, allNotes(lg, r, m), 2, 240),
		documentsBlock(lg, r.Documents, 4),
		findingsBlock(lg, findings, len(r.Documents) > 1),
	} {
		if b != nil {
			head = append(head, b)
		}
	}
	var tail []slack.Block
	if b := footerBlock(lg, r, m, score); b != nil {
		tail = append(tail, b)
	}
	if b := buttons(lg, m.ReviewID, len(findings)); b != nil {
		tail = append(tail, b)
	}
	suggestion, snippet := suggestionBlocks(lg, r, len(findings), cardText-textLen(head...)-textLen(tail...))

	blocks := make([]slack.Block, 0, len(head)+len(suggestion)+len(tail)+1)
	blocks = append(blocks, head...)
	if len(suggestion) > 0 {
		blocks = append(blocks, slack.NewDividerBlock())
		blocks = append(blocks, suggestion...)
	}
	blocks = append(blocks, tail...)
	return Message{Text: notification(lg, r), Blocks: blocks, Snippet: snippet}
}

// validScore is s when it is a score, 1 to 10, and 0 otherwise.
func validScore(s int) int {
	if s < 1 || s > 10 {
		return 0
	}
	return s
}

// verdict is the word for a score: high risk 1-3, medium risk 4-6, low
// risk 7-9, least privilege 10.
func verdict(lg lang.Tag, score int) string {
	switch {
	case score == 0:
		return ""
	case score <= 3:
		return lg.Sprintf("high risk")
	case score <= 6:
		return lg.Sprintf("medium risk")
	case score <= 9:
		return lg.Sprintf("low risk")
	}
	return lg.Sprintf("least privilege")
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

// scoreVerdict is "2/10 high risk"; sep goes between score and verdict.
func scoreVerdict(lg lang.Tag, score int, sep string) string {
	if score == 0 {
		return lg.Sprintf("policy review")
	}
	return fmt.Sprintf("%d/10%s%s", score, sep, verdict(lg, score))
}

// title is "2/10 · High risk", for headings.
func title(lg lang.Tag, score int) string {
	if score == 0 {
		return lg.Sprintf("Policy review")
	}
	return fmt.Sprintf("%d/10 · %s", score, capitalize(verdict(lg, score)))
}

func headerBlock(lg lang.Tag, score int) slack.Block {
	text := title(lg, score)
	if score != 0 {
		text = band(score) + " " + text
	}
	return slack.NewHeaderBlock(plain(text), slack.HeaderBlockOptionBlockID(CardBlockID))
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// scorePrefix is the "2/10: " the engine's summaries start with: the card
// says the score once.
var scorePrefix = regexp.MustCompile(`^\s*\d{1,2}/10\s*[:—-]\s*`)

// summaryText is the report's summary without its score, capitalized.
func summaryText(summary string) string {
	return capitalize(scorePrefix.ReplaceAllString(summary, ""))
}

// headline is the summary as a short phrase for a notification: without
// its score, its final period, nor a closing parenthesis that lists
// actions.
func headline(summary string) string {
	s := strings.TrimSpace(scorePrefix.ReplaceAllString(oneLine(summary), ""))
	s = strings.TrimSuffix(s, ".")
	if strings.HasSuffix(s, ")") {
		if i := strings.LastIndex(s, " ("); i > 0 {
			s = s[:i]
		}
	}
	return s
}

// Notification is the text of a review's message: what a notification and
// a screen reader say, "policycheck: 2/10 high risk - privilege escalation
// (1 critical, 1 high)", in the language lg.
func Notification(lg lang.Tag, r *report.Report) string {
	return notification(lg, lg.Report(r))
}

// notification is Notification of a report already translated.
func notification(lg lang.Tag, r *report.Report) string {
	if r == nil {
		r = &report.Report{}
	}
	text := "policycheck: " + scoreVerdict(lg, validScore(r.Score), " ")
	if h := line(headline(r.Summary), 200); h != "" {
		text += " - " + h
	}
	if c := countList(lg, counts(sortedFindings(r))); c != "" {
		text += " (" + c + ")"
	} else {
		text += " (" + lg.Sprintf("no findings") + ")"
	}
	return text
}

func summaryBlock(lg lang.Tag, r *report.Report, summaryMax, explanationMax int) slack.Block {
	var parts []string
	if s, _ := sentences(summaryText(r.Summary), summaryMax); s != "" {
		parts = append(parts, s)
	}
	if e, left := sentences(r.Explanation, explanationMax); e != "" {
		if left > 0 {
			e += " " + lg.Sprintf("_(more in the details)_")
		}
		parts = append(parts, "🤖 "+e)
	}
	if len(parts) == 0 {
		return nil
	}
	return section(strings.Join(parts, "\n"))
}

// aboutBlock says what was reviewed and for whom, and reads the scale.
func aboutBlock(lg lang.Tag, r *report.Report, m Meta) slack.Block {
	elems := []string{lg.Sprintf("10 = least privilege")}
	if f := code(r.File, 80); f != "" {
		elems = append(elems, f)
	}
	if p := code(m.Principal, 80); p != "" {
		elems = append(elems, lg.Sprintf("principal %s", p))
	} else if sid := code(m.Sid, 60); sid != "" {
		elems = append(elems, "Sid "+sid)
	}
	if t := line(r.PolicyType, 30); t != "" && t != "mixed" {
		elems = append(elems, policyType(lg, t))
	}
	if m.RequesterID != "" {
		elems = append(elems, lg.Sprintf("requested by %s", mention(m.RequesterID)))
	}
	return contextBlock(strings.Join(elems, " · "))
}

// policyType names a policy type: "identity policy".
func policyType(lg lang.Tag, t string) string {
	switch t {
	case "identity":
		return lg.Sprintf("identity policy")
	case "resource":
		return lg.Sprintf("resource policy")
	case "trust":
		return lg.Sprintf("trust policy")
	case "scp":
		return lg.Sprintf("scp policy")
	case "rcp":
		return lg.Sprintf("rcp policy")
	case "endpoint":
		return lg.Sprintf("endpoint policy")
	}
	return t + " policy"
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

// allNotes are the notes of the bot, then the report's (translated
// already), in the language lg.
func allNotes(lg lang.Tag, r *report.Report, m Meta) []string {
	notes := make([]string, 0, len(m.Notes)+len(r.Notes))
	for _, n := range m.Notes {
		notes = append(notes, lg.Text(n))
	}
	return append(notes, r.Notes...)
}

// notesBlock shows up to n notes, each in the whole sentences that fit in
// max characters, and counts the others.
func notesBlock(lg lang.Tag, notes []string, n, max int) slack.Block {
	var lines []string
	seen := map[string]bool{}
	left := 0
	for _, note := range notes {
		key := oneLine(note)
		if strings.TrimSpace(key) == "" || seen[key] {
			continue
		}
		seen[key] = true
		if len(lines) == n {
			left++
			continue
		}
		text, more := sentences(note, max)
		if text == "" {
			continue
		}
		if more > 0 {
			text += " " + lg.Sprintf("_(more in the details)_")
		}
		lines = append(lines, "ℹ️ "+text)
	}
	if left > 0 {
		lines = append(lines, lg.Plural(left, "…and %d more notes in the details", left))
	}
	if len(lines) == 0 {
		return nil
	}
	return contextBlock(strings.Join(lines, "\n"))
}

// documentsBlock lists the documents of a template, up to n.
func documentsBlock(lg lang.Tag, docs []report.Document, n int) slack.Block {
	if len(docs) < 2 {
		return nil
	}
	text := lg.Plural(len(docs), "*%d documents:*", len(docs))
	for i, d := range docs {
		if i == n {
			text += "\n" + lg.Plural(len(docs)-i, "…and %d more documents in the details", len(docs)-i)
			break
		}
		text += "\n• " + documentLine(lg, d, i)
	}
	return section(text)
}

func documentLine(lg lang.Tag, d report.Document, i int) string {
	item := or(code(d.Name, 80), lg.Sprintf("document %d", i+1))
	if s := validScore(d.Score); s != 0 {
		item += fmt.Sprintf(" %s %d/10", band(s), s)
	}
	if t := line(d.PolicyType, 30); t != "" {
		if lg.String() != "en" {
			t = policyType(lg, t) // English shows the type as it is named in JSON
		}
		item += " · " + t
	}
	return item
}

// Severity bands, by report.Severity.Rank.
var (
	severityNames  = [...]string{"Critical", "High", "Medium", "Low", "Info"}
	severityEmojis = [...]string{"🔴", "🟠", "🟡", "🔵", "⚪"}
)

// severityName is the name of a severity band, "Critical".
func severityName(lg lang.Tag, rank int) string {
	switch rank {
	case 0:
		return lg.Sprintf("Critical")
	case 1:
		return lg.Sprintf("High")
	case 2:
		return lg.Sprintf("Medium")
	case 3:
		return lg.Sprintf("Low")
	}
	return lg.Sprintf("Info")
}

// severityCount is n findings of a severity band: "3 critical".
func severityCount(lg lang.Tag, rank, n int) string {
	switch rank {
	case 0:
		return lg.Plural(n, "%d critical", n)
	case 1:
		return lg.Plural(n, "%d high", n)
	case 2:
		return lg.Plural(n, "%d medium", n)
	case 3:
		return lg.Plural(n, "%d low", n)
	}
	return lg.Plural(n, "%d info", n)
}

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

func counts(fs []report.Finding) [len(severityNames)]int {
	var n [len(severityNames)]int
	for _, f := range fs {
		n[f.Severity.Rank()]++
	}
	return n
}

// countList is "3 critical, 1 high"; "" for no findings.
func countList(lg lang.Tag, counts [len(severityNames)]int) string {
	var parts []string
	for rank, n := range counts {
		if n > 0 {
			parts = append(parts, severityCount(lg, rank, n))
		}
	}
	return strings.Join(parts, ", ")
}

// findingsBlock counts the findings by severity and lists the worst
// topFindings in a line each.
func findingsBlock(lg lang.Tag, fs []report.Finding, documents bool) slack.Block {
	if len(fs) == 0 {
		return section(lg.Sprintf("✅ *No findings.*"))
	}
	n := counts(fs)
	var chips []string
	for rank, k := range n {
		if k > 0 {
			chips = append(chips, severityEmojis[rank]+" "+severityCount(lg, rank, k))
		}
	}
	text := lg.Plural(len(fs), "*%d findings:*", len(fs)) + " " + strings.Join(chips, " · ")
	for _, f := range fs[:min(len(fs), topFindings)] {
		text += "\n" + findingLine(lg, f, documents)
	}
	if rest := len(fs) - topFindings; rest > 0 {
		text += "\n" + lg.Sprintf("…and %d more (%s): *Show all findings* below", rest, countList(lg, counts(fs[topFindings:])))
	}
	return section(text)
}

// findingLine is a finding in one line: severity, title, where.
func findingLine(lg lang.Tag, f report.Finding, documents bool) string {
	rank := f.Severity.Rank()
	text := severityEmojis[rank] + " *" + severityName(lg, rank) + "*"
	switch f.Source {
	case "model":
		text += " 🤖"
	case "access-analyzer":
		text += " 🔎"
	}
	text += " " + or(wordCut(oneLine(clean(f.Title)), 140), lg.Sprintf("Finding"))
	if w := where(lg, f, documents, false); w != "" {
		text += " — " + w
	}
	return text
}

// where is the place of a finding: its document (when there are several),
// statement, Sid (when long) and line.
func where(lg lang.Tag, f report.Finding, document, long bool) string {
	var parts []string
	if d := code(f.Document, 60); document && d != "" {
		parts = append(parts, d)
	}
	st := lg.Sprintf("whole policy")
	if f.Statement >= 0 {
		st = lg.Sprintf("statement %d", f.Statement+1)
		if sid := code(f.Sid, 60); long && sid != "" {
			st += " (Sid " + sid + ")"
		}
	}
	parts = append(parts, st)
	if f.Line > 0 {
		parts = append(parts, lg.Sprintf("line %d", f.Line))
	}
	return strings.Join(parts, ", ")
}

// suggestionBlocks show the suggested policy, or why there is none, in at
// most budget characters. A policy that does not fit, or is longer than
// codeLines lines, is returned as a Snippet instead.
func suggestionBlocks(lg lang.Tag, r *report.Report, findings, budget int) ([]slack.Block, *Snippet) {
	s := r.SuggestedPolicy
	policy := ""
	if s != nil {
		policy = prettyJSON(s.Policy)
	}
	if policy == "" {
		reason, _ := sentences(r.NoSuggestionReason, 400)
		switch {
		case validScore(r.Score) == 10 && findings == 0:
			return nil, nil // the summary says there is nothing to tighten
		case reason != "":
			reason = lg.Sprintf("*No suggested policy:* %s", reason)
		default:
			reason = lg.Sprintf("*No suggested policy.*")
		}
		return append([]slack.Block{section(reason)}, othersBlock(lg, r)...), nil
	}

	heading := lg.Sprintf("💡 *Suggested policy*")
	if d := code(s.Document, 60); d != "" && len(r.Documents) > 1 {
		heading += " " + lg.Sprintf("for %s", d)
	}
	if from, to := validScore(r.Score), validScore(s.Score); to != 0 {
		if from != 0 {
			heading += " · " + lg.Sprintf("score %d → %d", from, to)
		} else {
			heading += " · " + lg.Sprintf("score %d", to)
		}
	}
	if s.Source == "model" {
		heading += " · " + lg.Sprintf("🤖 written by the model")
	}
	var verdicts []string
	for _, v := range s.Verdicts[:min(len(s.Verdicts), 3)] {
		// "built-in subset check: grants nothing the original does not"
		name, _, _ := strings.Cut(v, ":")
		if v := line(lg.Text(name), 60); v != "" {
			verdicts = append(verdicts, v)
		}
	}
	if len(verdicts) > 0 {
		heading += "\n" + lg.Sprintf("Proven to grant nothing more than the original: %s", strings.Join(verdicts, ", "))
	}
	blocks := []slack.Block{section(heading)}
	budget -= runes(heading)

	const changesRoom = 400 // kept for what changed
	var snippet *Snippet
	lines := strings.Count(policy, "\n") + 1
	block := "```\n" + blockBody(policy) + "\n```"
	if lines <= codeLines && !strings.Contains(policy, "```") && runes(block) <= maxSection && runes(block)+changesRoom <= budget {
		blocks = append(blocks, section(block))
		budget -= runes(block)
	} else {
		snippet = &Snippet{
			Filename: snippetName(s.Document),
			Title:    lg.Sprintf("Suggested policy"),
			Content:  policy + "\n",
		}
		if to := validScore(s.Score); to != 0 {
			snippet.Title += " " + lg.Sprintf("(score %d/10)", to)
		}
		text := lg.Sprintf("📎 The suggested policy is %d lines long: it is attached in the thread as %s.", lines, code(snippet.Filename, 100))
		blocks = append(blocks, section(text))
		budget -= runes(text)
	}
	if b := changesBlock(lg, s.Changes, 3, min(budget, 900)); b != nil {
		blocks = append(blocks, b)
	}
	return append(blocks, othersBlock(lg, r)...), snippet
}

// othersBlock says how many other documents have a suggested policy of
// their own, which the details show; none when no other has one.
func othersBlock(lg lang.Tag, r *report.Report) []slack.Block {
	n := len(r.OtherSuggestions())
	if n == 0 {
		return nil
	}
	return []slack.Block{contextBlock(lg.Plural(n, "%d more documents have a suggested policy of their own: *Show all findings* has them.", n))}
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

// changeItem is what a change did, where; with why when long.
func changeItem(lg lang.Tag, c report.Change, long bool) string {
	item := ""
	if c.Statement >= 0 {
		item = lg.Sprintf("Statement %d: ", c.Statement+1)
	}
	item += or(line(c.What, 1000), lg.Sprintf("changed"))
	if why := line(c.Why, 1000); long && why != "" {
		item += " — " + why
	}
	return item
}

// changesBlock lists up to n whole changes (what, not why) in at most max
// characters, and counts the others.
func changesBlock(lg lang.Tag, changes []report.Change, n, max int) slack.Block {
	if len(changes) == 0 {
		return nil
	}
	text := lg.Sprintf("*What changed:*")
	shown := 0
	for _, c := range changes {
		item := "\n• " + changeItem(lg, c, false)
		if shown == n || runes(text)+runes(item) > max-60 {
			break
		}
		text += item
		shown++
	}
	if rest := len(changes) - shown; rest > 0 {
		if shown == 0 {
			text = lg.Plural(rest, "*What changed:* %d changes, in the details.", rest)
		} else {
			text += "\n" + lg.Plural(rest, "…and %d more changes, with why each was made, in the details", rest)
		}
	}
	return section(text)
}

// footerBlock says who re-evaluated the card, and which model ran when
// one did.
func footerBlock(lg lang.Tag, r *report.Report, m Meta, score int) slack.Block {
	var elems []string
	if m.ReevaluatedBy != "" {
		re := lg.Sprintf("🔁 Re-evaluated by %s", mention(m.ReevaluatedBy))
		if prev := validScore(m.PreviousScore); prev != 0 && score != 0 {
			re += fmt.Sprintf(": %d → %d", prev, score)
		}
		elems = append(elems, re)
	}
	var models []string
	for _, a := range or2(m.Models, r.Analyzers) {
		if a != "built-in engine" {
			models = append(models, a)
		}
	}
	if list := codeList(lg, models, 2, 90); list != "" {
		elems = append(elems, lg.Sprintf("🤖 With %s", list))
	}
	if len(elems) == 0 {
		return nil
	}
	return contextBlock(strings.Join(elems, " · "))
}

// or2 is a, or b when a is empty.
func or2(a, b []string) []string {
	if len(a) == 0 {
		return b
	}
	return a
}

// codeList is up to n values as code, then how many more.
func codeList(lg lang.Tag, values []string, n, max int) string {
	var parts []string
	for i, v := range values {
		if len(parts) == n {
			return strings.Join(parts, ", ") + " " + lg.Sprintf("and %d more", len(values)-i)
		}
		if c := code(v, max); c != "" {
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, ", ")
}

// buttons are Show all findings and Re-evaluate, for a stored review.
func buttons(lg lang.Tag, reviewID string, findings int) slack.Block {
	if reviewID == "" || runes(reviewID) > maxButtonValue {
		return nil
	}
	label := lg.Sprintf("Show details")
	if findings > 0 {
		label = lg.Sprintf("Show all findings (%d)", findings)
	}
	details := slack.NewButtonBlockElement(DetailsAction, reviewID, plain(label))
	reevaluate := slack.NewButtonBlockElement(ReevaluateAction, reviewID, plain(lg.Sprintf("Re-evaluate"))).WithStyle(slack.StylePrimary)
	return slack.NewActionBlock("", details, reevaluate)
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
