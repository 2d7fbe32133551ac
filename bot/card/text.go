package card

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text from the policy or the model is untrusted: a Sid can be "<!channel>",
// a title can be "*bold*" or "<https://evil|click>", an ARN such as
// "arn:aws:secretsmanager:...:secret:<secret-id>" holds ":secret:", which
// Slack draws as an emoji. Everything untrusted reaches a card through
// mrkdwn, line, code or blockBody, which make it inert without changing a
// character of it:
//
//   - &, < and > are escaped everywhere, so no mention, link or date token
//     can be formed;
//   - outside code, a word that holds a mrkdwn marker (* _ ~ `) or a colon
//     (an action, an ARN, a condition key, ":emoji:"), or a > that starts a
//     line, is put in code, and so is a {"JSON": "fragment"} written on one
//     line: in code nothing formats, quotes or becomes an emoji, and the
//     value copies as one token;
//   - `code` and ```code blocks``` already in the text stay code;
//   - a value that holds a backtick goes in a ```block```, where a single
//     backtick is an ordinary character; runs of three are broken by a
//     space, and a backtick at either end gets one, so that the block
//     cannot end early (the only change made to untrusted text besides
//     cleaning).
//
// No look-alike character is ever substituted. Every text object is sent
// with verbatim set, so Slack does not turn bare URLs, "@here" or
// "#channel" into links or mentions either.

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

// codeSpan is a value as code: `value`, or a ```block``` when it holds a
// backtick.
func codeSpan(s string) string {
	if !strings.Contains(s, "`") {
		return "`" + escape(s) + "`"
	}
	return "```" + blockBody(s) + "```"
}

// blockBody is the inside of a code block: escaped, with every run of
// three backticks broken by a space and a space next to a backtick at
// either end, so that the block cannot end early.
func blockBody(s string) string {
	if strings.Contains(s, "`") {
		var b strings.Builder
		run := 0
		for _, r := range s {
			if r == '`' {
				if run == 2 {
					b.WriteByte(' ')
					run = 0
				}
				run++
			} else {
				run = 0
			}
			b.WriteRune(r)
		}
		s = b.String()
		if strings.HasPrefix(s, "`") {
			s = " " + s
		}
		if strings.HasSuffix(s, "`") {
			s += " "
		}
	}
	return escape(s)
}

// code renders a value (a Sid, an ARN, an action, a file name) as code on
// one line, at most max characters including the backticks. It returns ""
// for an empty value.
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
		return codeSpan(s)
	})
}

// mrkdwn renders untrusted prose (a title, a detail, a summary) as inert
// mrkdwn of at most max characters. Inline `code` and ```code blocks``` in
// it are kept as code, and words that would format or turn into emoji are
// put in code; the rest is escaped. When s is too long it is cut on a rune
// boundary of the source, never inside an escape or a code span, and an
// open code block is closed.
func mrkdwn(s string, max int) string {
	s, cut := head(s, max)
	return fit(strings.TrimSpace(clean(s)), max, cut, renderProse)
}

// line is mrkdwn on a single line, for titles and list items.
func line(s string, max int) string {
	s, cut := head(s, max)
	return fit(oneLine(clean(s)), max, cut, renderProse)
}

// oneLine joins the words of s with single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// sentences renders prose in whole sentences, as many as fit in max
// characters, and reports how many were left out. When not even the
// first fits, it is cut at a word with an ellipsis.
func sentences(s string, max int) (string, int) {
	s, _ = head(s, 4*max)
	parts := splitSentences(oneLine(clean(s)))
	out := ""
	for i, p := range parts {
		next := strings.TrimSpace(out + " " + p)
		r := renderProse(next, false)
		if runes(r) > max {
			if i == 0 {
				return wordCut(p, max), len(parts) - 1
			}
			return renderProse(out, false), len(parts) - i
		}
		out = next
	}
	return renderProse(out, false), 0
}

// splitSentences splits s after each ". ", "! " and "? " that ends a
// sentence (not inside code).
func splitSentences(s string) []string {
	var out []string
	inCode := false
	start := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '`':
			inCode = !inCode
		case !inCode && (c == '.' || c == '!' || c == '?') && i+1 < len(s) && s[i+1] == ' ' &&
			i+2 < len(s) && (s[i+2] >= 'A' && s[i+2] <= 'Z' || s[i+2] >= '0' && s[i+2] <= '9'):
			out = append(out, s[start:i+1])
			start = i + 2
		}
	}
	if strings.TrimSpace(s[start:]) != "" {
		out = append(out, s[start:])
	}
	return out
}

// wordCut renders s cut after its last whole word that fits in max
// characters with an ellipsis.
func wordCut(s string, max int) string {
	words := strings.Fields(s)
	if r := renderProse(strings.Join(words, " "), false); runes(r) <= max {
		return r
	}
	lo, hi := 0, len(words)
	render := func(n int) string { return renderProse(strings.Join(words[:n], " "), true) }
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if runes(render(mid)) <= max {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo == 0 {
		return line(s, max)
	}
	return render(lo)
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
				b.WriteString("```" + blockBody(body) + "```")
			}
			s = rest[j+3:]
		case cut:
			// The cut fell inside this block: close it.
			b.WriteString("```" + blockBody(rest+"…") + "\n```")
			return b.String()
		default:
			// An unmatched fence is three backticks of text.
			b.WriteString(codeSpan("```"))
			s = rest
		}
	}
}

// writeInline writes text outside code blocks: `spans` on one line as
// code, the rest as plain text, where a backtick that opens no span is a
// character of its word.
func writeInline(b *strings.Builder, s string) {
	from := 0 // the start of the plain text not written yet
	for i := 0; i < len(s); {
		k := strings.IndexByte(s[i:], '`')
		if k < 0 {
			break
		}
		k += i
		rest := s[k+1:]
		if j := strings.IndexAny(rest, "`\n"); j > 0 && rest[j] == '`' && strings.TrimSpace(rest[:j]) != "" {
			writePlain(b, s[from:k])
			b.WriteString("`" + escape(rest[:j]) + "`")
			i = k + 1 + j + 1
			from = i
			continue
		}
		i = k + 1
	}
	writePlain(b, s[from:])
}

// writePlain writes text outside code, word by word: escaped, with the
// words that need it (see needsCode) and JSON fragments in code.
func writePlain(b *strings.Builder, s string) {
	lineStart := b.Len() == 0 || strings.HasSuffix(b.String(), "\n")
	for s != "" {
		i := 0
		for i < len(s) && (s[i] == ' ' || s[i] == '\n') {
			if s[i] == '\n' {
				lineStart = true
			}
			i++
		}
		b.WriteString(s[:i])
		s = s[i:]
		if s == "" {
			return
		}
		if n := fragment(s); n > 0 {
			b.WriteString(codeSpan(s[:n]))
			s = s[n:]
			lineStart = false
			continue
		}
		j := strings.IndexAny(s, " \n")
		if j < 0 {
			j = len(s)
		}
		writeWord(b, s[:j], lineStart)
		s = s[j:]
		lineStart = false
	}
}

// Punctuation around a word that stays outside its code.
const (
	wordLead  = `("'[{`
	wordTrail = `)"'.,;:!?]}`
)

// writeWord writes one word of plain text; lineStart says it starts a
// line, where a > would make a quote.
func writeWord(b *strings.Builder, word string, lineStart bool) {
	core := strings.TrimLeft(word, wordLead)
	lead := word[:len(word)-len(core)]
	core = strings.TrimRight(core, wordTrail)
	trail := word[len(lead)+len(core):]
	if core == "" || !needsCode(core, lineStart && lead == "") {
		if lineStart && strings.HasPrefix(word, ">") {
			b.WriteString(codeSpan(word))
			return
		}
		b.WriteString(escape(word))
		return
	}
	// A quoted value keeps its quotes in the code: "*".
	if strings.HasSuffix(lead, `"`) && strings.HasPrefix(trail, `"`) {
		lead, core, trail = lead[:len(lead)-1], `"`+core+`"`, trail[1:]
	}
	b.WriteString(escape(lead))
	b.WriteString(codeSpan(core))
	b.WriteString(escape(trail))
}

// needsCode reports whether a word must be put in code: it holds a
// formatting marker, a backtick or a colon, or starts a line with >.
func needsCode(word string, lineStart bool) bool {
	return strings.ContainsAny(word, "*_~`:") || lineStart && word[0] == '>'
}

// fragment is the length of the JSON object that starts s and ends on the
// same line, {"key": "value"}, or 0 when s does not start with one.
func fragment(s string) int {
	if !strings.HasPrefix(s, `{"`) {
		return 0
	}
	depth, inString := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\n' || c == '`':
			return 0
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				if !strings.Contains(s[:i], ":") {
					return 0
				}
				return i + 1
			}
		}
	}
	return 0
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
