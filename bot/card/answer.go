package card

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/slack-go/slack"

	"github.com/policycheck/policycheck/assistant/lang"
)

// AnswerBlockID is the block_id of the first block of an answer; the
// answer's further text sections carry AnswerBlockID-2, -3... The bot finds
// the earlier answers of a thread by it (see AnswerText).
const AnswerBlockID = "policycheck-answer"

// AnswerView is the answer to a follow-up question asked in the thread of
// a card. Text, Note and Policy may come from the model: they are made
// inert like the rest of a card.
type AnswerView struct {
	Text string
	// Source is "model" or "engine": who answered.
	Source string
	// Note says what was withheld or unavailable, in plain words.
	Note string
	// AskedBy is the Slack user ID of who asked ("U123").
	AskedBy string
	// Policy is a policy rewritten by the model (JSON), shown because it
	// was proven to grant nothing the original did not; PolicyScore is its
	// score (1 to 10; 0 when unknown). Empty when there is none.
	Policy      []byte
	PolicyScore int
	// Lang is the language of the message (the answer's own text is the
	// engine's or the model's, asked for in that language).
	Lang lang.Tag
}

// Limits of an answer, within those of a message.
const (
	maxAnswerNote = 1000 // the note, in the context line
	minAnswerPart = 100  // the smallest piece of text worth a section
)

// Answer draws the answer to a follow-up question: its text, in as many
// sections as it needs, a rewritten policy (or, when too long for the
// message, a Snippet to upload in the thread), the note, and who answered
// for whom. It never fails, and stays within Slack's limits whatever a
// holds.
func Answer(a AnswerView) Message {
	var tail []slack.Block
	policy, snippet := answerPolicy(a)
	tail = append(tail, policy...)
	tail = append(tail, answerContext(a))

	lg := a.Lang
	tooLong := lg.Sprintf("…the answer is too long to show in full.")
	budget := maxTotal - textLen(tail...) - runes(tooLong)
	parts, cut := proseSections(a.Text, maxSection, budget, maxBlocks-len(tail)-2)
	if len(parts) == 0 {
		switch {
		case cut:
			parts = []string{lg.Sprintf("The answer is too long to show here.")}
		case len(a.Policy) > 0:
			parts = []string{lg.Sprintf("The rewritten policy is below.")}
		default:
			parts = []string{lg.Sprintf("No answer.")}
		}
	} else if cut {
		tail = append([]slack.Block{contextBlock(tooLong)}, tail...)
	}
	blocks := make([]slack.Block, 0, len(parts)+len(tail))
	for i, p := range parts {
		id := AnswerBlockID
		if i > 0 {
			id += "-" + strconv.Itoa(i+1)
		}
		blocks = append(blocks, slack.NewSectionBlock(md(p), nil, nil, slack.SectionBlockOptionBlockID(id)))
	}
	blocks = append(blocks, tail...)

	text := line(a.Text, 300)
	if text == "" {
		text = lg.Sprintf("Answer")
	}
	return Message{Text: text, Blocks: blocks, Snippet: snippet}
}

// answerPolicy shows the rewritten policy: as code, or as a Snippet when
// it is too long for a section.
func answerPolicy(a AnswerView) ([]slack.Block, *Snippet) {
	policy := prettyJSON(a.Policy)
	if policy == "" {
		return nil, nil
	}
	lg := a.Lang
	heading := "💡 *" + lg.Sprintf("Rewritten policy") + "*"
	if s := validScore(a.PolicyScore); s != 0 {
		heading += " · " + band(s) + " " + lg.Sprintf("score %d/10", s)
	}
	heading += "\n" + lg.Sprintf("Proven by the built-in subset check to grant nothing the original did not.")
	blocks := []slack.Block{section(heading)}
	if block := "```\n" + blockBody(policy) + "\n```"; runes(block) <= maxSection && !strings.Contains(policy, "```") {
		return append(blocks, section(block)), nil
	}
	snippet := &Snippet{Filename: "rewritten-policy.json", Title: lg.Sprintf("Rewritten policy"), Content: policy + "\n"}
	if s := validScore(a.PolicyScore); s != 0 {
		snippet.Title += " " + lg.Sprintf("(score %d/10)", s)
	}
	blocks = append(blocks, section(lg.Sprintf(
		"📎 The rewritten policy is %d lines long, too long for this message: it is attached in the thread as %s.",
		strings.Count(policy, "\n")+1, code(snippet.Filename, 100))))
	return blocks, snippet
}

// answerContext is the note and who answered, for whom.
func answerContext(a AnswerView) slack.Block {
	var elems []string
	if n := line(a.Note, maxAnswerNote); n != "" {
		elems = append(elems, "ℹ️ "+n)
	}
	lg := a.Lang
	who := lg.Sprintf("Answered by the built-in engine")
	if a.Source == "model" {
		who = lg.Sprintf("🤖 Answered by the model")
	}
	if a.AskedBy != "" {
		who += " " + lg.Sprintf("for %s", mention(a.AskedBy))
	}
	return contextBlock(append(elems, who)...)
}

// AnswerText is the text of an answer made by Answer, read back from its
// blocks as Slack returns them: the sections whose block_id starts with
// AnswerBlockID, unescaped. It is "" for other messages.
func AnswerText(blocks slack.Blocks) string {
	var parts []string
	for _, blk := range blocks.BlockSet {
		s, ok := blk.(*slack.SectionBlock)
		if !ok || s.Text == nil || !strings.HasPrefix(s.BlockID, AnswerBlockID) {
			continue
		}
		text := s.Text.Text
		if s.Text.Type == slack.MarkdownType {
			text = unescapeEntities(text)
		}
		parts = append(parts, text)
	}
	return strings.Join(parts, "\n")
}

var unescapeEntities = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace

// proseSections renders untrusted prose as mrkdwn sections of at most max
// characters each, at most n sections and budget characters in all. It
// cuts between lines, else between words, where it can; a code block that
// must be cut is closed at the end of one section and opened again at the
// start of the next. cut reports that not all of s could be shown.
func proseSections(s string, max, budget, n int) (sections []string, cut bool) {
	s, cut = head(s, budget)
	s = strings.TrimSpace(clean(s))
	for s != "" {
		limit := min(max, budget)
		if len(sections) >= n || limit < minAnswerPart {
			return sections, true
		}
		rs := []rune(s)
		fits := func(k int) bool { return runes(renderPiece(string(rs[:k]))) <= limit }
		k := len(rs)
		if !fits(k) {
			// The longest prefix whose rendering fits.
			lo, hi := 0, len(rs)-1
			for lo < hi {
				mid := (lo + hi + 1) / 2
				if fits(mid) {
					lo = mid
				} else {
					hi = mid - 1
				}
			}
			k = breakAt(rs, lo)
			if !fits(k) {
				k = lo
			}
		}
		piece := strings.TrimRightFunc(string(rs[:k]), unicode.IsSpace)
		if strings.TrimSpace(piece) == "" || strings.TrimSpace(strings.TrimPrefix(piece, "```")) == "" {
			return sections, true
		}
		if out := renderPiece(piece); strings.TrimSpace(out) != "" {
			sections = append(sections, out)
			budget -= runes(out)
		}
		rest := string(rs[k:])
		if strings.Count(piece, "```")%2 == 1 {
			rest = "```\n" + strings.TrimLeft(rest, "\n")
		} else {
			rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
		}
		if strings.TrimSpace(strings.Trim(rest, "`")) == "" {
			rest = ""
		}
		s = rest
	}
	return sections, cut
}

// renderPiece renders a piece of prose, closing a code block left open.
func renderPiece(s string) string {
	if strings.Count(s, "```")%2 == 1 {
		s += "\n```"
	}
	return renderProse(s, false)
}

// breakAt is where to cut rs, which fits up to k: after the last line
// break in its second half, else after the last space there, else k.
func breakAt(rs []rune, k int) int {
	space := -1
	for i := k - 1; i > k/2; i-- {
		switch rs[i] {
		case '\n':
			return i + 1
		case ' ':
			if space < 0 {
				space = i + 1
			}
		}
	}
	if space > 0 {
		return space
	}
	return k
}
