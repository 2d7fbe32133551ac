package card

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text from the policy or the model is untrusted: a Sid can be "<!channel>",
// a title can be "*bold*" or "<https://evil|click>". Everything untrusted
// reaches a card through mrkdwn, line, code or codeBody, which make it inert:
//
//   - &, < and > are escaped everywhere, so no mention, link or date token
//     can be formed;
//   - outside code, the mrkdwn markers *, _ and ~ become look-alikes (∗ ˍ ∼)
//     and a leading > gets an invisible soft hyphen, so no formatting can be
//     injected (Slack has no escape for them, and zero-width spaces would
//     make formatting more likely, not less);
//   - inside code (`x` or ```x```) formatting does not apply, so values such
//     as "s3:*" or "arn:aws:s3:::a_b/*" keep their exact characters;
//     backticks inside code become ˋ so that no span can be closed early.
//
// Every text object is sent with verbatim set, so Slack does not turn bare
// URLs, "@here" or "#channel" into links or mentions either.

// clean makes s valid UTF-8 and removes what would disturb the layout or
// hide text: control characters but newline, and bidirectional overrides.
func clean(s string) string {
	if isClean(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case unicode.IsControl(r):
			return -1
		case bidi(r):
			return -1
		}
		return r
	}, strings.ReplaceAll(s, "\r\n", "\n"))
}

// isClean reports whether clean leaves s as it is: valid UTF-8 without
// control characters (but newline) or bidirectional overrides. Most text
// is, and is then not copied.
func isClean(s string) bool {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c < ' ' && c != '\n' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || unicode.IsControl(r) || bidi(r) {
			return false
		}
		i += size
	}
	return true
}

// bidi reports whether r is a bidirectional override or isolate.
func bidi(r rune) bool {
	return r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069'
}

// escape replaces the three characters Slack requires escaped in any text:
// &, < and >.
func escape(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	writeEscapedString(&b, s)
	return b.String()
}

// writeEscapedString writes s escaped. Invalid UTF-8 is written as U+FFFD,
// rune by rune.
func writeEscapedString(b *strings.Builder, s string) {
	if !utf8.ValidString(s) {
		for _, r := range s {
			writeEscaped(b, r)
		}
		return
	}
	for {
		i := strings.IndexAny(s, "&<>")
		if i < 0 {
			b.WriteString(s)
			return
		}
		b.WriteString(s[:i])
		writeEscaped(b, rune(s[i]))
		s = s[i+1:]
	}
}

func writeEscaped(b *strings.Builder, r rune) {
	switch r {
	case '&':
		b.WriteString("&amp;")
	case '<':
		b.WriteString("&lt;")
	case '>':
		b.WriteString("&gt;")
	default:
		b.WriteRune(r)
	}
}

// codeBody is the inside of a code span or block: escaped, with backticks
// replaced so that the code cannot end early.
func codeBody(s string) string {
	return escape(strings.ReplaceAll(s, "`", "ˋ"))
}

// code renders a value (a Sid, an ARN, an action, a file name) as inline
// code on one line, at most max characters including the backticks. It
// returns "" for an empty value.
func code(s string, max int) string {
	s, cut := head(s, max)
	s = strings.Join(strings.Fields(clean(s)), " ")
	if s == "" {
		return ""
	}
	return fit(s, max, cut, func(s string, cut bool) string {
		if cut {
			s += "…"
		}
		return "`" + codeBody(s) + "`"
	})
}

// mrkdwn renders untrusted prose (a title, a detail, a summary) as inert
// mrkdwn of at most max characters. Inline `code` and ```code blocks``` in
// it are kept as code; everything else is escaped and stripped of
// formatting. When s is too long it is cut on a rune boundary of the
// source, never inside an escape, and an open code block is closed.
func mrkdwn(s string, max int) string {
	s, cut := head(s, max)
	return fit(strings.TrimSpace(clean(s)), max, cut, renderProse)
}

// line is mrkdwn on a single line, for titles and list items.
func line(s string, max int) string {
	s, cut := head(s, max)
	return fit(strings.Join(strings.Fields(clean(s)), " "), max, cut, renderProse)
}

// head is the start of s that can matter for a text of max characters,
// and whether that is not all of s. It bounds the work on long input;
// the margin leaves room for what clean and strings.Fields remove.
func head(s string, max int) (string, bool) {
	n := 2*max + 64
	if len(s) <= n {
		return s, false // no more runes than bytes
	}
	for i := range s {
		if n == 0 {
			return s[:i], true
		}
		n--
	}
	return s, false
}

// renderProse renders s; cut says s was truncated, so an ellipsis goes at
// its end and a code block left open is closed after it.
func renderProse(s string, cut bool) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "```")
		if i < 0 {
			writeInline(&b, s)
			if cut {
				b.WriteString("…")
			}
			return b.String()
		}
		writeInline(&b, s[:i])
		rest := s[i+3:]
		j := strings.Index(rest, "```")
		switch {
		case j >= 0:
			if body := rest[:j]; strings.TrimSpace(body) != "" {
				b.WriteString("```" + codeBody(body) + "```")
			}
			s = rest[j+3:]
		case cut:
			// The cut fell inside this block: close it.
			b.WriteString("```" + codeBody(rest) + "…\n```")
			return b.String()
		default:
			// An unmatched fence is just three backticks.
			b.WriteString("ˋˋˋ")
			s = rest
		}
	}
}

// writeInline writes text outside code blocks: `spans` on one line as code,
// the rest as plain text.
func writeInline(b *strings.Builder, s string) {
	for {
		i := strings.IndexByte(s, '`')
		if i < 0 {
			writePlain(b, s)
			return
		}
		writePlain(b, s[:i])
		rest := s[i+1:]
		if j := strings.IndexAny(rest, "`\n"); j > 0 && rest[j] == '`' && strings.TrimSpace(rest[:j]) != "" {
			b.WriteString("`" + escape(rest[:j]) + "`")
			s = rest[j+1:]
			continue
		}
		b.WriteString("ˋ")
		s = rest
	}
}

// writePlain writes text with no formatting: escaped, with the mrkdwn
// markers replaced by look-alikes. Runs of other characters are copied
// whole.
func writePlain(b *strings.Builder, s string) {
	lineStart := b.Len() == 0 || strings.HasSuffix(b.String(), "\n")
	if !utf8.ValidString(s) {
		writePlainRunes(b, s, lineStart)
		return
	}
	from := 0
	for i := 0; i < len(s); i++ {
		var with string
		switch s[i] {
		case '*':
			with = "∗"
		case '_':
			with = "ˍ"
		case '~':
			with = "∼"
		case '&':
			with = "&amp;"
		case '<':
			with = "&lt;"
		case '>':
			with = "&gt;"
			if lineStart {
				with = "\u00AD&gt;" // a quote only at the start of a line
			}
		case '\n':
			lineStart = true
			continue
		case ' ':
			continue // a line still starts after its indentation
		default:
			lineStart = false
			continue
		}
		b.WriteString(s[from:i])
		b.WriteString(with)
		from = i + 1
		lineStart = false
	}
	b.WriteString(s[from:])
}

// writePlainRunes is writePlain rune by rune, for text that is not valid
// UTF-8: each invalid byte is written as U+FFFD.
func writePlainRunes(b *strings.Builder, s string, lineStart bool) {
	for _, r := range s {
		switch r {
		case '*':
			b.WriteRune('∗')
		case '_':
			b.WriteRune('ˍ')
		case '~':
			b.WriteRune('∼')
		case '>':
			if lineStart {
				b.WriteRune('\u00AD')
			}
			writeEscaped(b, r)
		default:
			writeEscaped(b, r)
		}
		lineStart = r == '\n' || (lineStart && r == ' ')
	}
}

// fit renders s, cutting it first if the rendering would be longer than max
// characters; cut says s was cut already. render(s, true) must mark the cut
// (an ellipsis). The cut is made on the source, never on the rendering, so
// no escape or code span is ever broken.
func fit(s string, max int, cut bool, render func(s string, cut bool) string) string {
	if max <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) > max {
		cut = true // a rendering is rarely shorter than its source
	}
	if !cut {
		if out := render(s, false); utf8.RuneCountInString(out) <= max {
			return out
		}
	}
	runes := []rune(s)
	if len(runes) > max {
		runes = runes[:max]
	}
	ok := func(n int) bool {
		return utf8.RuneCountInString(render(string(runes[:n]), true)) <= max
	}
	// The longest prefix whose rendering fits; 0 if none but the empty one.
	lo, hi := 0, len(runes)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if ok(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if out := render(string(runes[:lo]), true); utf8.RuneCountInString(out) <= max {
		return out
	}
	return ""
}

// runes is the length of s in characters, as Slack counts its limits.
func runes(s string) int { return utf8.RuneCountInString(s) }
