package slackfake

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

func repeatBlocks(n int, block string) string {
	return "[" + strings.TrimSuffix(strings.Repeat(block+",", n), ",") + "]"
}

func section(text string) string {
	return fmt.Sprintf(`{"type":"section","text":{"type":"mrkdwn","text":%q}}`, text)
}

func buttons(n int, text, value string) string {
	var els []string
	for i := 0; i < n; i++ {
		els = append(els, fmt.Sprintf(`{"type":"button","action_id":"a%d","text":{"type":"plain_text","text":%q},"value":%q}`, i, text, value))
	}
	return `[{"type":"actions","elements":[` + strings.Join(els, ",") + `]}]`
}

func TestValidateMessage(t *testing.T) {
	x := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name    string
		blocks  string
		code    string // "" when valid
		problem string // expected in the problems
	}{
		{"50 blocks", repeatBlocks(50, `{"type":"divider"}`), "", ""},
		{"51 blocks", repeatBlocks(51, `{"type":"divider"}`), "invalid_blocks", "no more than 50 items allowed [json-pointer:/blocks]"},
		{"section text 3000", "[" + section(x(3000)) + "]", "", ""},
		{"section text 3001", "[" + section(x(3001)) + "]", "invalid_blocks", "must be less than 3001 characters [json-pointer:/blocks/0/text/text]"},
		{"section text counts code points", "[" + section(strings.Repeat("é", 3000)) + "]", "", ""},
		{"empty section text", "[" + section("") + "]", "invalid_blocks", "must be more than 0 characters [json-pointer:/blocks/0/text/text]"},
		{"section without text", `[{"type":"section"}]`, "invalid_blocks", "must provide either text or fields [json-pointer:/blocks/0]"},
		{"10 fields", `[{"type":"section","fields":` + repeatBlocks(10, fmt.Sprintf(`{"type":"mrkdwn","text":%q}`, x(1300))) + `}]`, "", ""},
		{"field 2000", `[{"type":"section","fields":[{"type":"mrkdwn","text":"` + x(2000) + `"}]}]`, "", ""},
		{"11 fields", `[{"type":"section","fields":` + repeatBlocks(11, `{"type":"mrkdwn","text":"f"}`) + `}]`, "invalid_blocks", "no more than 10 items allowed [json-pointer:/blocks/0/fields]"},
		{"field 2001", `[{"type":"section","fields":[{"type":"mrkdwn","text":"` + x(2001) + `"}]}]`, "invalid_blocks", "must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]"},
		{"header 150", `[{"type":"header","text":{"type":"plain_text","text":"` + x(150) + `"}}]`, "", ""},
		{"header 151", `[{"type":"header","text":{"type":"plain_text","text":"` + x(151) + `"}}]`, "invalid_blocks", "must be less than 151 characters [json-pointer:/blocks/0/text/text]"},
		{"header mrkdwn", `[{"type":"header","text":{"type":"mrkdwn","text":"h"}}]`, "invalid_blocks", "must be a valid enum value: plain_text [json-pointer:/blocks/0/text/type]"},
		{"block_id 255", `[{"type":"divider","block_id":"` + x(255) + `"}]`, "", ""},
		{"block_id 256", `[{"type":"divider","block_id":"` + x(256) + `"}]`, "invalid_blocks", "must be less than 256 characters [json-pointer:/blocks/0/block_id]"},
		{"duplicate block_id", `[{"type":"divider","block_id":"d"},{"type":"divider","block_id":"d"}]`, "invalid_blocks", "duplicate block_id: d [json-pointer:/blocks/1/block_id]"},
		{"action_id 256", `[{"type":"actions","elements":[{"type":"button","action_id":"` + x(256) + `","text":{"type":"plain_text","text":"b"}}]}]`, "invalid_blocks", "must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]"},
		{"25 buttons", buttons(25, x(75), x(2000)), "", ""},
		{"26 buttons", buttons(26, "b", "v"), "invalid_blocks", "no more than 25 items allowed [json-pointer:/blocks/0/elements]"},
		{"button text 76", buttons(1, x(76), "v"), "invalid_blocks", "must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]"},
		{"button value 2001", buttons(1, "b", x(2001)), "invalid_blocks", "must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]"},
		{"button mrkdwn text", `[{"type":"actions","elements":[{"type":"button","text":{"type":"mrkdwn","text":"b"}}]}]`, "invalid_blocks", "must be a valid enum value: plain_text [json-pointer:/blocks/0/elements/0/text/type]"},
		{"button bad style", `[{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"b"},"style":"green"}]}]`, "invalid_blocks", "must be a valid enum value [json-pointer:/blocks/0/elements/0/style]"},
		{"context 10", `[{"type":"context","elements":` + repeatBlocks(10, `{"type":"mrkdwn","text":"c"}`) + `}]`, "", ""},
		{"context 11", `[{"type":"context","elements":` + repeatBlocks(11, `{"type":"mrkdwn","text":"c"}`) + `}]`, "invalid_blocks", "no more than 10 items allowed [json-pointer:/blocks/0/elements]"},
		{"unknown block type", `[{"type":"carousel_of_doom"}]`, "invalid_blocks", "unsupported type: carousel_of_doom [json-pointer:/blocks/0/type]"},
		{"missing type", `[{"text":"x"}]`, "invalid_blocks", "missing required field: type [json-pointer:/blocks/0]"},
		{"bad text type", `[{"type":"section","text":{"type":"markdown","text":"x"}}]`, "invalid_blocks", "must be a valid enum value [json-pointer:/blocks/0/text/type]"},
		{"emoji on mrkdwn", `[{"type":"section","text":{"type":"mrkdwn","text":"x","emoji":true}}]`, "invalid_blocks", "invalid additional property: emoji [json-pointer:/blocks/0/text]"},
		{"emoji on plain_text", `[{"type":"section","text":{"type":"plain_text","text":"x","emoji":true}}]`, "", ""},
		{"unknown element", `[{"type":"actions","elements":[{"type":"slider"}]}]`, "invalid_blocks", "unsupported type: slider [json-pointer:/blocks/0/elements/0/type]"},
		{"image without alt_text", `[{"type":"image","image_url":"https://x/y.png"}]`, "invalid_blocks", "missing required field: alt_text [json-pointer:/blocks/0]"},
		{"rich_text and markdown", `[{"type":"rich_text","elements":[]},{"type":"markdown","text":"**hi**"}]`, "", ""},
		{"blocks text 13000", repeatBlocks(5, section(x(2600))), "", ""},
		{"blocks text over 13000", "[" + strings.Repeat(section(x(2600))+",", 5) + section("y") + "]", "msg_blocks_too_long", "13001 characters"},
		{"not an array", `{"type":"divider"}`, "invalid_blocks_format", ""},
		{"not JSON", `[{"type":`, "invalid_blocks_format", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateMessage("", json.RawMessage(tt.blocks))
			if tt.code == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code {
				t.Fatalf("error = %v, want %s", err, tt.code)
			}
			if tt.problem != "" && !strings.Contains(strings.Join(e.Problems, "\n"), tt.problem) {
				t.Errorf("problems = %q, want one containing %q", e.Problems, tt.problem)
			}
		})
	}
}

func TestValidateView(t *testing.T) {
	x := func(n int) string { return strings.Repeat("x", n) }
	view := func(title, submit, close, meta string, blocks string) string {
		v := map[string]any{"type": "modal", "title": map[string]any{"type": "plain_text", "text": title}, "private_metadata": meta}
		if submit != "" {
			v["submit"] = map[string]any{"type": "plain_text", "text": submit}
		}
		if close != "" {
			v["close"] = map[string]any{"type": "plain_text", "text": close}
		}
		v["blocks"] = json.RawMessage(blocks)
		out, _ := json.Marshal(v)
		return string(out)
	}
	input := `{"type":"input","label":{"type":"plain_text","text":"L"},"element":{"type":"plain_text_input","action_id":"a"}}`
	tests := []struct {
		name, view, problem string
	}{
		{"valid", view(x(24), x(24), x(24), x(3000), repeatBlocks(100, `{"type":"divider"}`)), ""},
		{"title 25", view(x(25), "", "", "", "[]"), "must be less than 25 characters [json-pointer:/view/title/text]"},
		{"submit 25", view("t", x(25), "", "", "[]"), "must be less than 25 characters [json-pointer:/view/submit/text]"},
		{"close 25", view("t", "", x(25), "", "[]"), "must be less than 25 characters [json-pointer:/view/close/text]"},
		{"private_metadata 3001", view("t", "", "", x(3001), "[]"), "must be less than 3001 characters [json-pointer:/view/private_metadata]"},
		{"101 blocks", view("t", "", "", "", repeatBlocks(101, `{"type":"divider"}`)), "no more than 100 items allowed [json-pointer:/view/blocks]"},
		{"input without submit", view("t", "", "", "", "["+input+"]"), "must provide submit when using input blocks [json-pointer:/view]"},
		{"input with submit", view("t", "Go", "", "", "["+input+"]"), ""},
		{"not a modal", `{"type":"home","title":{"type":"plain_text","text":"t"},"blocks":[]}`, "must be a valid enum value [json-pointer:/view/type]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateView(json.RawMessage(tt.view))
			if tt.problem == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != "invalid_arguments" || !strings.Contains(strings.Join(e.Problems, "\n"), tt.problem) {
				t.Errorf("error = %v, want invalid_arguments with %q", err, tt.problem)
			}
		})
	}
}

// TestInvalidBlocksThroughSlackGo checks the wire shape: slack-go surfaces
// the code and response_metadata.messages.
func TestInvalidBlocksThroughSlackGo(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	api := newAPI(srv)
	long := slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, strings.Repeat("h", 151), false, false))
	_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("fallback", false), slack.MsgOptionBlocks(long))
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) || se.Err != "invalid_blocks" {
		t.Fatalf("error = %v, want invalid_blocks", err)
	}
	want := []string{
		"[ERROR] failed to match all allowed schemas [json-pointer:/blocks/0/text]",
		"[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]",
	}
	if strings.Join(se.ResponseMetadata.Messages, "\n") != strings.Join(want, "\n") {
		t.Errorf("messages = %q, want %q", se.ResponseMetadata.Messages, want)
	}
	if len(se.Errors) != 2 || se.Errors[1].Message == nil || *se.Errors[1].Message != strings.TrimPrefix(want[1], "[ERROR] ") {
		t.Errorf("errors = %+v", se.Errors)
	}
	if len(srv.Messages("C1")) != 0 {
		t.Error("refused message was stored")
	}

	var big []slack.Block
	for i := 0; i < 6; i++ {
		big = append(big, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, strings.Repeat("s", 2500), false, false), nil, nil))
	}
	_, _, err = api.PostMessageContext(ctx, "C1", slack.MsgOptionText("fallback", false), slack.MsgOptionBlocks(big...))
	if slackErr(err) != "msg_blocks_too_long" {
		t.Errorf("15,000 characters of blocks = %v, want msg_blocks_too_long", err)
	}

	// chat.update validates too, and an empty blocks array clears blocks.
	_, ts, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("t", false), slack.MsgOptionBlocks(slack.NewDividerBlock()))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionBlocks(long)); slackErr(err) != "invalid_blocks" {
		t.Errorf("update with a long header = %v", err)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionBlocks()); err != nil {
		t.Fatal(err)
	}
	if m := srv.Messages("C1")[0]; m.Blocks != nil || m.Text != "t" {
		t.Errorf("after clearing blocks: %+v", m)
	}
}

// FuzzValidate checks that validation never panics and that blocks it
// accepts, once block_ids are assigned, are accepted again.
func FuzzValidate(f *testing.F) {
	f.Add(`[{"type":"section","text":{"type":"mrkdwn","text":"x"},"accessory":{"type":"button","text":{"type":"plain_text","text":"b"}}}]`)
	f.Add(`[{"type":"context","elements":[{"type":"image","image_url":"u","alt_text":"a"},{"type":"plain_text","text":"t","emoji":true}]}]`)
	f.Add(`[{"type":"actions","elements":[{"type":"overflow","options":[{"text":{"type":"plain_text","text":"a"},"value":"1"}]}]}]`)
	f.Add(`{"type":"modal","title":{"type":"plain_text","text":"t"},"blocks":[{"type":"input","label":{"type":"plain_text","text":"l"},"element":{"type":"file_input"}}]}`)
	f.Fuzz(func(t *testing.T, raw string) {
		ValidateView(json.RawMessage(raw))
		n := 0
		out, e := checkBlocks([]byte(raw), surfaceMessage, func() string { n++; return fmt.Sprintf("id%d", n) })
		if e != nil || out == nil {
			return
		}
		if _, e := checkBlocks(out, surfaceMessage, nil); e != nil {
			t.Errorf("accepted %s, then refused its normalized form %s: %v", raw, out, apiErrorText(e))
		}
	})
}

func TestDuplicateActionID(t *testing.T) {
	blocks := json.RawMessage(`[{"type":"actions","elements":[
		{"type":"button","action_id":"a","text":{"type":"plain_text","text":"One"}},
		{"type":"button","action_id":"a","text":{"type":"plain_text","text":"Two"}}]}]`)
	err := ValidateMessage("x", blocks)
	var e *Error
	if !errors.As(err, &e) || e.Code != "invalid_blocks" || !strings.Contains(e.Error(), "duplicate action_id: a") {
		t.Errorf("ValidateMessage = %v, want invalid_blocks for the duplicate action_id", err)
	}
}
