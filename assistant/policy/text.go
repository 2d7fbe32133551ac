package policy

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Repairs of the text as a whole, each reported once with a count.
const (
	fixBOM = iota
	fixEntity
	fixLink
	fixMention
	fixQuotes
	fixSpaces
	fixInvisible
	fixUTF8
	numFixes
)

var fixMessages = [numFixes]string{
	fixBOM:       "removed a byte-order mark",
	fixEntity:    "decoded Slack's escapes (&amp; &lt; &gt;)",
	fixLink:      "removed Slack link markup (<http://x|x> became x)",
	fixMention:   "removed a Slack mention or channel link",
	fixQuotes:    "replaced typographic quotes with straight quotes",
	fixSpaces:    "replaced non-breaking spaces with spaces",
	fixInvisible: "removed invisible characters (zero-width spaces)",
	fixUTF8:      "replaced bytes that are not UTF-8 text with U+FFFD",
}

// clean undoes what chat clients and editors do to pasted text: Slack's
// escapes, link and mention markup, typographic quotes, unusual spaces, a
// byte-order mark. It returns the cleaned text and, when it differs from
// the input, the input offset of each of its bytes (one more entry for the
// end).
//
// Text that is valid JSON (and UTF-8) as it stands was not mangled: its
// typographic quotes and entities are in its strings and are what the
// user wrote, so only a byte-order mark is removed; but in a chat message
// (Options.Chat) Slack's escapes and link markup are undone even in valid
// JSON, since Slack turns "lambda.amazonaws.com" into
// "<http://lambda.amazonaws.com|...>" inside strings. In other text a
// typographic quote is left alone inside a string in straight double
// quotes, where it is a character of the string.
func (r *reader) clean(in string) (string, []int32) {
	if k := plainRun(in); k == len(in) || nothingToFix(in[k:]) {
		// (The text before k is ASCII without '&' or '<': nothing
		// there to fix.)
		return in, nil
	}
	return r.cleanText(in)
}

// cleanText is clean for text that may need it.
func (r *reader) cleanText(in string) (string, []int32) {
	if body := strings.TrimPrefix(in, "\uFEFF"); utf8.ValidString(body) && !(r.opts.Chat && chatMarkup(body)) && json.Valid([]byte(body)) {
		if len(body) == len(in) {
			return in, nil
		}
		r.notes = append(r.notes, Note{Pos: r.lines.pos(0), Message: fixMessages[fixBOM]})
		orig := make([]int32, len(body)+1)
		for i := range orig {
			orig[i] = int32(i + len(in) - len(body))
		}
		return body, orig
	}
	var (
		b     strings.Builder
		orig  = make([]int32, 0, len(in)+1)
		count [numFixes]int
		first [numFixes]int
		// While a link's text is copied, the rest of the markup
		// [skipFrom, skipTo) is dropped.
		skipFrom, skipTo = -1, -1
		// The closing quote of the string in straight double quotes
		// being copied, or of the last one.
		strEnd = -1
	)
	b.Grow(len(in))
	fix := func(k, at int) {
		if count[k] == 0 {
			first[k] = at
		}
		count[k]++
	}
	emit := func(s string, at int) {
		b.WriteString(s)
		for range len(s) {
			orig = append(orig, int32(at))
		}
	}
	for i := 0; i < len(in); {
		c := in[i]
		switch {
		case i == skipFrom:
			i = skipTo
			continue
		case c == '&':
			if rep, n := slackEntity(in[i:]); n > 0 {
				fix(fixEntity, i)
				emit(rep, i)
				i += n
				continue
			}
		case c == '<':
			if m, ok := slackMarkup(in[i:]); ok {
				if m.textEnd == 0 {
					fix(fixMention, i)
					emit(m.text, i)
					i += m.end
					continue
				}
				// Copy the link's text through this loop, so that
				// escapes inside it are decoded too.
				fix(fixLink, i)
				skipFrom, skipTo = i+m.textEnd, i+m.end
				i += m.textStart
				continue
			}
		case c == '"' && i > strEnd:
			strEnd = closingQuote(in, i)
		case c >= utf8.RuneSelf:
			ru, n := utf8.DecodeRuneInString(in[i:])
			rep, k := runeFix(ru)
			if k == fixQuotes && i < strEnd {
				k = -1 // a character of a string: kept
			}
			switch {
			case ru == utf8.RuneError && n == 1:
				fix(fixUTF8, i)
				emit("\uFFFD", i)
			case k == fixInvisible && ru == '\uFEFF' && i == 0:
				fix(fixBOM, i)
			case k >= 0:
				fix(k, i)
				emit(rep, i)
			default:
				for k := range n {
					orig = append(orig, int32(i+k))
				}
				b.WriteString(in[i : i+n])
			}
			i += n
			continue
		}
		b.WriteByte(c)
		orig = append(orig, int32(i))
		i++
	}
	changed := false
	for k := range numFixes {
		if count[k] == 0 {
			continue
		}
		changed = true
		msg := fixMessages[k]
		if count[k] > 1 {
			msg = fmt.Sprintf("%s (%d places)", msg, count[k])
		}
		r.notes = append(r.notes, Note{Pos: r.lines.pos(first[k]), Message: msg})
	}
	if !changed {
		return in, nil
	}
	orig = append(orig, int32(len(in)))
	return b.String(), orig
}

// chatMarkup reports Slack's escapes or link markup in text.
func chatMarkup(s string) bool {
	for _, m := range []string{"&amp;", "&lt;", "&gt;", "<http", "<mailto:"} {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// closingQuote returns the offset of the straight double quote that
// closes the string opened at s[open], or open when the line has none.
func closingQuote(s string, open int) int {
	for i := open + 1; i < len(s); i++ {
		switch s[i] {
		case '"':
			return i
		case '\\':
			i++
		case '\n':
			return open
		}
	}
	return open
}

// runeFix says what clean does with a character: its replacement and the
// kind of fix, or -1 when it keeps it.
func runeFix(r rune) (string, int) {
	switch {
	case r == '\uFEFF' || r == '\u200B' || r == '\u200C' || r == '\u200D' || r == '\u2060':
		return "", fixInvisible
	case r == '\u00A0' || r == '\u202F' || r == '\u205F' || r == '\u3000' || r >= '\u2000' && r <= '\u200A':
		return " ", fixSpaces
	case r == '“' || r == '”' || r == '„' || r == '‟' || r == '″':
		return `"`, fixQuotes
	case r == '‘' || r == '’' || r == '‚' || r == '‛' || r == '′':
		return "'", fixQuotes
	}
	return "", -1
}

// needsCleaning reports a '&', a '<' or a character that is not ASCII,
// what clean may have to change.
func needsCleaning(s string) bool { return plainRun(s) < len(s) }

// plainRun returns the length of the start of s that holds no '&', no
// '<' and no byte that is not ASCII. It tests eight bytes at a time.
func plainRun(s string) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	// zero reports whether a byte of v is zero.
	zero := func(v uint64) uint64 { return (v - ones) &^ v & highs }
	amp, lt := ones*uint64('&'), ones*uint64('<')
	i := 0
	for ; i+8 <= len(s); i += 8 {
		b := s[i : i+8]
		w := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		if w&highs|zero(w^amp)|zero(w^lt) != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c == '&' || c == '<' || c >= utf8.RuneSelf {
			return i
		}
	}
	return i
}

// nothingToFix reports text in which clean would change nothing: no
// Slack escape or markup, no character it replaces, no byte that is not
// UTF-8. Both of its ways, for valid JSON and for other text, then give
// back the input without a note, so the costlier test for valid JSON is
// not needed (a policy written by Document.JSON with a "<" or a
// character that is not ASCII in it, say).
func nothingToFix(s string) bool {
	for i := 0; i < len(s); {
		if i += plainRun(s[i:]); i == len(s) {
			break
		}
		switch c := s[i]; {
		case c == '&':
			if _, n := slackEntity(s[i:]); n > 0 {
				return false
			}
		case c == '<':
			if _, ok := slackMarkup(s[i:]); ok {
				return false
			}
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(s[i:])
			if _, fix := runeFix(r); fix >= 0 || r == utf8.RuneError && n == 1 {
				return false
			}
			i += n
			continue
		}
		i++
	}
	return true
}

func slackEntity(s string) (string, int) {
	switch {
	case strings.HasPrefix(s, "&amp;"):
		return "&", 5
	case strings.HasPrefix(s, "&lt;"):
		return "<", 4
	case strings.HasPrefix(s, "&gt;"):
		return ">", 4
	}
	return "", 0
}

// markup is one piece of Slack markup found at the start of a text.
type markup struct {
	end int // bytes of markup, '<' to '>' included
	// Links keep their text: the label after '|' or else the URL, at
	// [textStart, textEnd). Mentions (textEnd 0) are replaced by text,
	// which may be empty.
	textStart, textEnd int
	text               string
}

// slackMarkup recognises <http://x|label>, <https://x>, <mailto:a|a>,
// <@U123>, <#C123|general> and <!here> at the start of s.
func slackMarkup(s string) (markup, bool) {
	end := 1 + strings.IndexAny(s[1:], "> \t\r\n<")
	if end < 2 || s[end] != '>' {
		return markup{}, false
	}
	inner := s[1:end]
	bar := strings.IndexByte(inner, '|')
	label := ""
	if bar >= 0 {
		label = inner[bar+1:]
	}
	m := markup{end: end + 1}
	switch {
	case inner[0] == '@':
		// <@U123> or <@U123|name>: a user mention, not part of a policy.
		return m, true
	case inner[0] == '#':
		m.text = "#" + label
		if label == "" {
			m.text = ""
		}
		return m, true
	case inner[0] == '!':
		switch {
		case label != "":
			m.text = label
		case bar < 0:
			m.text = "@" + inner[1:]
		}
		return m, true
	case strings.HasPrefix(inner, "http://"), strings.HasPrefix(inner, "https://"), strings.HasPrefix(inner, "mailto:"):
		switch {
		case label != "":
			m.textStart, m.textEnd = 1+bar+1, end
		case bar >= 0: // "<http://x|>": keep the URL
			m.textStart, m.textEnd = 1, 1+bar
		default:
			m.textStart, m.textEnd = 1, end
		}
		return m, true
	}
	return markup{}, false
}

// region is a part of the cleaned text that may hold a policy.
type region struct {
	start, end int
	lang       string // a code fence's language tag, lower case
}

// Block is a part of a chat message that may hold a policy: the byte
// offsets of its contents, and a code fence's language tag in lower case.
type Block struct {
	Start, End int
	Lang       string
}

// Blocks finds where the policies of a chat message are: the contents of
// ``` code blocks when there are any, else of `inline code` that holds an
// object, else the whole text. The reader reads these; the bot uses them
// to give positions from the start of the policy the user pasted.
func Blocks(text string) []Block {
	var out []Block
	if strings.Contains(text, "```") {
		for i := 0; ; {
			k := strings.Index(text[i:], "```")
			if k < 0 {
				break
			}
			start := i + k + 3
			for start < len(text) && text[start] == '`' {
				start++
			}
			lang := ""
			if nl := strings.IndexByte(text[start:], '\n'); nl >= 0 {
				if tag := strings.TrimSpace(text[start : start+nl]); isLangTag(tag) {
					lang = strings.ToLower(tag)
					start += nl + 1
				}
			}
			end := len(text)
			next := len(text)
			if k := strings.Index(text[start:], "```"); k >= 0 {
				end = start + k
				next = end + 3
				for next < len(text) && text[next] == '`' {
					next++
				}
			}
			if strings.TrimSpace(text[start:end]) != "" {
				out = append(out, Block{Start: start, End: end, Lang: lang})
			}
			i = next
		}
		if len(out) > 0 {
			return out
		}
	}
	if strings.Count(text, "`") >= 2 {
		for i := 0; ; {
			a := strings.IndexByte(text[i:], '`')
			if a < 0 {
				break
			}
			a += i + 1
			b := strings.IndexByte(text[a:], '`')
			if b < 0 {
				break
			}
			b += a
			if strings.Contains(text[a:b], "{") {
				out = append(out, Block{Start: a, End: b})
			}
			i = b + 1
		}
		if len(out) > 0 {
			return out
		}
	}
	return []Block{{Start: 0, End: len(text)}}
}

// regions are the blocks of the cleaned text. Taking a policy out of a
// fence changes nothing in it: no note.
func (r *reader) regions(text string) []region {
	blocks := Blocks(text)
	out := make([]region, len(blocks))
	for i, b := range blocks {
		out[i] = region{start: b.Start, end: b.End, lang: b.Lang}
	}
	return out
}

func isLangTag(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '+' || c == '.') {
			return false
		}
	}
	return true
}
