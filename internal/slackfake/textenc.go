package slackfake

import (
	"encoding/json"
	"regexp"
	"strings"
)

// tokenRE finds what Slack treats specially in typed text: mentions and
// channel or broadcast references (kept as typed), URLs, and bare domain
// names (both turned into links).
var tokenRE = regexp.MustCompile(
	`<@[UW][A-Z0-9]+>|<#[CG][A-Z0-9]+(?:\|[^>]*)?>|<!(?:here|channel|everyone)>` +
		`|https?://[^\s<>"'` + "`" + `]+` +
		`|(?i:\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.(?:com|net|org|io|dev|aws|ai|app|co|cloud|info|biz|us|uk|de|fr|jp|me)\b)`)

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// encodeTyped turns what a user typed into the text Slack delivers and the
// rich_text block it attaches (named blockID). In the text, &, < and > are
// escaped and URLs and domain names become <url> and <http://d|d> links,
// inside code fences too; in the rich_text block, fenced code is a
// rich_text_preformatted element holding the raw text.
func encodeTyped(typed, blockID string) (string, json.RawMessage) {
	var wire strings.Builder
	var elements []any
	parts := strings.Split(typed, "```")
	// An unmatched fence is literal text.
	if len(parts)%2 == 0 {
		last := parts[len(parts)-2] + "```" + parts[len(parts)-1]
		parts = append(parts[:len(parts)-2], last)
	}
	for i, part := range parts {
		code := i%2 == 1
		text, rich := encodeProse(part)
		if code {
			wire.WriteString("```" + text + "```")
			elements = append(elements, map[string]any{
				"type":     "rich_text_preformatted",
				"elements": []any{map[string]any{"type": "text", "text": part}},
				"border":   0,
			})
			continue
		}
		wire.WriteString(text)
		if len(rich) > 0 {
			elements = append(elements, map[string]any{"type": "rich_text_section", "elements": rich})
		}
	}
	if len(elements) == 0 {
		return wire.String(), nil
	}
	blocks, _ := marshal([]any{map[string]any{
		"type":     "rich_text",
		"block_id": blockID,
		"elements": elements,
	}})
	return wire.String(), blocks
}

// encodeProse encodes text outside code fences: the wire text and the
// rich_text section elements.
func encodeProse(s string) (string, []any) {
	var wire strings.Builder
	var rich []any
	plain := func(t string) {
		if t == "" {
			return
		}
		wire.WriteString(htmlEscaper.Replace(t))
		rich = append(rich, map[string]any{"type": "text", "text": t})
	}
	pos := 0
	for _, loc := range tokenRE.FindAllStringIndex(s, -1) {
		start, end := loc[0], loc[1]
		if start < pos {
			continue
		}
		tok := s[start:end]
		// A domain glued to a preceding word character or '@' (e-mail) is
		// not a link of its own.
		if !strings.HasPrefix(tok, "<") && !strings.Contains(tok, "://") && start > 0 && strings.ContainsAny(s[start-1:start], "@./-_") {
			continue
		}
		if strings.Contains(tok, "://") {
			trimmed := strings.TrimRight(tok, ".,;:!?)]}")
			end -= len(tok) - len(trimmed)
			tok = trimmed
		}
		plain(s[pos:start])
		switch {
		case strings.HasPrefix(tok, "<@"):
			wire.WriteString(tok)
			rich = append(rich, map[string]any{"type": "user", "user_id": tok[2 : len(tok)-1]})
		case strings.HasPrefix(tok, "<#"):
			wire.WriteString(tok)
			id, _, _ := strings.Cut(tok[2:len(tok)-1], "|")
			rich = append(rich, map[string]any{"type": "channel", "channel_id": id})
		case strings.HasPrefix(tok, "<!"):
			wire.WriteString(tok)
			rich = append(rich, map[string]any{"type": "broadcast", "range": tok[2 : len(tok)-1]})
		case strings.Contains(tok, "://"):
			wire.WriteString("<" + htmlEscaper.Replace(tok) + ">")
			rich = append(rich, map[string]any{"type": "link", "url": tok})
		default:
			wire.WriteString("<http://" + tok + "|" + tok + ">")
			rich = append(rich, map[string]any{"type": "link", "url": "http://" + tok, "text": tok})
		}
		pos = end
	}
	plain(s[pos:])
	return wire.String(), rich
}
