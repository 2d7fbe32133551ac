package slackbot

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/policycheck/policycheck/assistant/policy"
	"github.com/policycheck/policycheck/assistant/report"
)

// The reader gives positions in the text it was given. For a message that
// is the whole message: the line with the request ("please review"), the
// fence, then the policy; so line 5 of a pasted policy was line 7 of the
// card. chatLines maps a message's positions to positions in the policy
// as the user pasted it, the content of its code block, which is what the
// CLI reports for the same policy saved as a file.
type chatLines struct {
	blocks []codeBlock
}

// codeBlock is where a policy starts and ends in a message: its first and
// last line (from 1), and the column (in characters, from 0) where it
// starts on its first line.
type codeBlock struct {
	first, last, col int
}

// newChatLines finds the policies of a message's text where the reader
// finds them (policy.Blocks). A policy's first line is the first that is
// not blank: the rest of a fence's line, or the line after it.
func newChatLines(text string) chatLines {
	var c chatLines
	for _, b := range policy.Blocks(text) {
		start := b.Start
		if lead := len(text[start:b.End]) - len(strings.TrimLeft(text[start:b.End], " \t\r\n")); lead > 0 {
			if nl := strings.LastIndexByte(text[start:start+lead], '\n'); nl >= 0 {
				start += nl + 1 // from the start of the first line that is not blank
			}
		}
		c.add(text, start, b.End)
	}
	return c
}

func (c *chatLines) add(text string, start, end int) {
	lineStart := strings.LastIndexByte(text[:start], '\n') + 1
	c.blocks = append(c.blocks, codeBlock{
		first: strings.Count(text[:start], "\n") + 1,
		last:  strings.Count(text[:end], "\n") + 1,
		col:   utf8.RuneCountInString(text[lineStart:start]),
	})
}

// pos maps a line and column (from 1; 0 when unknown) of the message to
// the policy; ok is false for a place outside every policy.
func (c chatLines) pos(line, col int) (int, int, bool) {
	for _, b := range c.blocks {
		if line < b.first || line > b.last {
			continue
		}
		if line == b.first && col > 0 {
			col = max(col-b.col, 1)
		}
		return line - b.first + 1, col, true
	}
	return line, col, false
}

// noteLine matches the place a note of the review names: "line 7: ".
var noteLine = regexp.MustCompile(`^line (\d+): `)

// report maps the lines of rep's findings and notes.
func (c chatLines) report(rep *report.Report) {
	if rep == nil {
		return
	}
	findings := func(fs []report.Finding) {
		for i := range fs {
			if fs[i].Line > 0 {
				fs[i].Line, _, _ = c.pos(fs[i].Line, 0)
			}
		}
	}
	findings(rep.Findings)
	for i := range rep.Documents {
		findings(rep.Documents[i].Findings)
	}
	for i, n := range rep.Notes {
		m := noteLine.FindStringSubmatch(n)
		if m == nil {
			continue
		}
		l, _ := strconv.Atoi(m[1])
		rest := n[len(m[0]):]
		if l, _, ok := c.pos(l, 0); ok {
			rep.Notes[i] = "line " + strconv.Itoa(l) + ": " + rest
		} else {
			rep.Notes[i] = rest // about the message, not the policy
		}
	}
}

// error maps the place of a reading error, and cuts from its line what
// precedes the policy.
func (c chatLines) error(e *policy.Error) {
	if e == nil || e.Pos.Line <= 0 {
		return
	}
	line, col, ok := c.pos(e.Pos.Line, e.Pos.Col)
	if !ok {
		return
	}
	for _, b := range c.blocks {
		if e.Pos.Line == b.first && b.col > 0 {
			if rs := []rune(e.Line); len(rs) >= b.col {
				e.Line = string(rs[b.col:])
			}
		}
	}
	e.Pos.Line, e.Pos.Col = line, col
}
