// Package slackhtml draws Slack messages and modals, as the bot sends them
// to the Web API, as HTML that looks like Slack's client, so that whoever
// changes a card can look at the bot's real payloads in a browser
// (scripts/render-cards.sh takes screenshots of them). It draws the
// blocks the bot uses (header, section, context, divider, actions) and
// mrkdwn's formatting, with Slack's fonts, sizes and spacing as near as
// plain CSS gets; nothing more.
package slackhtml

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strings"
)

// Message is one message or modal page to draw.
type Message struct {
	// Title names the picture, above it; Text is the message's
	// notification text, shown below it as a notification would.
	Title, Text string
	// Blocks is the blocks array as sent.
	Blocks json.RawMessage
	// ModalTitle, when set, draws a modal of that title instead of a
	// message.
	ModalTitle string
}

// Page is an HTML page of width pixels showing m. Once loaded, its body's
// data-height is the height the message takes, data-page the page's.
func Page(width int, m Message) ([]byte, error) {
	var blocks []map[string]any
	if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
		return nil, fmt.Errorf("blocks of %q: %w", m.Title, err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<!doctype html><html><head><meta charset="utf-8"><title>%s</title><style>%s</style></head><body style="width:%dpx">`,
		html.EscapeString(m.Title), css, width)
	if m.ModalTitle != "" {
		fmt.Fprintf(&b, `<div id="message" class="modal"><div class="modal-title">%s</div><div class="modal-body">`, html.EscapeString(m.ModalTitle))
	} else {
		b.WriteString(`<div id="message" class="message"><div class="avatar">pc</div><div class="content">` +
			`<div class="name">policycheck <span class="app">APP</span> <span class="time">9:41 AM</span></div>`)
	}
	for _, blk := range blocks {
		drawBlock(&b, blk)
	}
	b.WriteString(`</div></div>`)
	if m.Text != "" {
		fmt.Fprintf(&b, `<div class="notification"><b>Notification:</b> %s</div>`, html.EscapeString(m.Text))
	}
	b.WriteString(`<script>document.body.setAttribute("data-height", Math.ceil(document.getElementById("message").getBoundingClientRect().height));` +
		`document.body.setAttribute("data-page", Math.ceil(document.body.getBoundingClientRect().bottom) + 8)</script></body></html>`)
	return b.Bytes(), nil
}

func drawBlock(b *bytes.Buffer, blk map[string]any) {
	switch blk["type"] {
	case "header":
		fmt.Fprintf(b, `<div class="header">%s</div>`, textObject(blk["text"]))
	case "section":
		fmt.Fprintf(b, `<div class="section">%s</div>`, textObject(blk["text"]))
	case "context":
		b.WriteString(`<div class="context">`)
		for _, e := range list(blk["elements"]) {
			fmt.Fprintf(b, `<span>%s</span>`, textObject(e))
		}
		b.WriteString(`</div>`)
	case "divider":
		b.WriteString(`<hr>`)
	case "actions":
		b.WriteString(`<div class="actions">`)
		for _, e := range list(blk["elements"]) {
			class := "button"
			if e["style"] == "primary" {
				class += " primary"
			}
			fmt.Fprintf(b, `<span class="%s">%s</span>`, class, textObject(e["text"]))
		}
		b.WriteString(`</div>`)
	default:
		fmt.Fprintf(b, `<div class="unknown">[%v block]</div>`, blk["type"])
	}
}

func list(v any) []map[string]any {
	var out []map[string]any
	arr, _ := v.([]any)
	for _, e := range arr {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func textObject(v any) string {
	t, _ := v.(map[string]any)
	text, _ := t["text"].(string)
	if t["type"] == "mrkdwn" {
		return Mrkdwn(text)
	}
	return html.EscapeString(text)
}

// Mrkdwn is Slack's mrkdwn as HTML: ```blocks```, `code`, *bold*,
// _italic_, ~strike~, line breaks, and the tokens <@U…>, <#C…>,
// <!date^…|fallback> and <url|text>. The text is escaped as Slack
// requires (&amp; &lt; &gt;), which is valid HTML already.
func Mrkdwn(s string) string {
	var b strings.Builder
	for i, part := range strings.Split(s, "```") {
		if i%2 == 1 {
			b.WriteString(`<pre>` + quote(strings.TrimPrefix(part, "\n")) + `</pre>`)
			continue
		}
		for j, piece := range splitCode(part) {
			if j%2 == 1 {
				b.WriteString(`<code>` + quote(piece) + `</code>`)
				continue
			}
			b.WriteString(inline(piece))
		}
	}
	return b.String()
}

// splitCode splits s at the backticks of `spans` that open and close on
// one line; odd pieces are code.
func splitCode(s string) []string {
	var out []string
	plain := ""
	for {
		i := strings.IndexByte(s, '`')
		if i < 0 {
			return append(out, plain+s)
		}
		j := strings.IndexAny(s[i+1:], "`\n")
		if j <= 0 || s[i+1+j] != '`' {
			plain += s[:i+1]
			s = s[i+1:]
			continue
		}
		out = append(out, plain+s[:i], s[i+1:i+1+j])
		plain, s = "", s[i+1+j+1:]
	}
}

var (
	token  = regexp.MustCompile(`<([^<>]+)>`)
	bold   = regexp.MustCompile(`(^|[\s(>])\*([^*\n]+)\*`)
	italic = regexp.MustCompile(`(^|[\s(>])_([^_\n]+)_`)
	strike = regexp.MustCompile(`(^|[\s(>])~([^~\n]+)~`)
)

func inline(s string) string {
	s = token.ReplaceAllStringFunc(s, func(t string) string {
		inner := t[1 : len(t)-1]
		label, fallback, hasFallback := strings.Cut(inner, "|")
		switch {
		case strings.HasPrefix(inner, "@"):
			return `<span class="mention">@` + strings.TrimPrefix(label, "@") + `</span>`
		case strings.HasPrefix(inner, "#"):
			return `<span class="mention">#general</span>`
		case strings.HasPrefix(inner, "!date^") && hasFallback:
			return quote(fallback)
		case hasFallback:
			return `<a href="#">` + quote(fallback) + `</a>`
		}
		return `<a href="#">` + quote(inner) + `</a>`
	})
	s = bold.ReplaceAllString(s, `$1<b>$2</b>`)
	s = italic.ReplaceAllString(s, `$1<i>$2</i>`)
	s = strike.ReplaceAllString(s, `$1<s>$2</s>`)
	return strings.ReplaceAll(s, "\n", "<br>")
}

// quote keeps text that is already escaped as it is, and escapes quotes.
func quote(s string) string { return strings.ReplaceAll(s, `"`, "&quot;") }

const css = `
body { margin: 0; padding: 8px 0; background: #fff; color: #1d1c1d;
  font: 15px/1.46668 Lato, "Noto Sans", "DejaVu Sans", sans-serif; -webkit-font-smoothing: antialiased; }
.message { display: flex; padding: 8px 20px 8px 16px; }
.avatar { flex: none; width: 36px; height: 36px; border-radius: 6px; background: #1d3557; color: #fff;
  font-weight: 900; font-size: 14px; line-height: 36px; text-align: center; margin-right: 8px; }
.content { flex: 1; min-width: 0; }
.name { font-weight: 900; }
.app { font-size: 10px; font-weight: 700; color: #616061; background: #ddd; border-radius: 2px; padding: 1px 3px; }
.time { font-size: 12px; font-weight: 400; color: #616061; }
.header { font-size: 18px; font-weight: 900; line-height: 1.33; margin: 4px 0; }
.section { margin: 4px 0; overflow-wrap: anywhere; }
.context { font-size: 13px; color: #616061; margin: 4px 0; line-height: 1.38; overflow-wrap: anywhere; }
.context span { margin-right: 8px; }
hr { border: 0; border-top: 1px solid #ddd; margin: 12px 0; }
.actions { margin: 8px 0 4px; display: flex; flex-wrap: wrap; gap: 8px; }
.button { border: 1px solid #bbb; border-radius: 4px; padding: 0 12px; height: 28px; line-height: 28px;
  font-size: 13px; font-weight: 700; }
.button.primary { background: #007a5a; border-color: #007a5a; color: #fff; }
code { font: 12px/1.5 Monaco, "DejaVu Sans Mono", monospace; color: #e01e5a; background: #f8f8f8;
  border: 1px solid #ddd; border-radius: 3px; padding: 2px 3px 1px; overflow-wrap: anywhere; }
pre { font: 12px/1.5 Monaco, "DejaVu Sans Mono", monospace; background: #f8f8f8; border: 1px solid #ddd;
  border-radius: 4px; padding: 8px; margin: 4px 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.mention { color: #1264a3; background: #e8f5fa; border-radius: 3px; padding: 0 2px; }
a { color: #1264a3; text-decoration: none; }
.modal { margin: 0 12px; border: 1px solid #ddd; border-radius: 8px; box-shadow: 0 4px 12px #0002; }
.modal-title { font-size: 22px; font-weight: 900; padding: 16px 20px; border-bottom: 1px solid #ddd; }
.modal-body { padding: 8px 20px 16px; }
.notification { margin: 8px 16px; padding: 8px 12px; font-size: 13px; background: #f4ede4; border-radius: 8px; }
.unknown { color: #e01e5a; }
`
