package slackbot

import (
	"encoding/json"
	"testing"
)

func TestReadAnswer(t *testing.T) {
	tests := []struct {
		name, in string
		want     apiAnswer
		fails    bool
	}{
		{"posted", `{"ok":true,"channel":"C1","ts":"1.2","message":{"type":"message","blocks":[{"type":"section","text":{"text":"a \"}\" ]"}}]}}`, apiAnswer{OK: true, TS: "1.2"}, false},
		{"fields in any order", ` { "message" : {"ts":"9.9"} , "ts" : "1.2" , "ok" : true } `, apiAnswer{OK: true, TS: "1.2"}, false},
		{"error", `{"ok":false,"error":"invalid_blocks","response_metadata":{"messages":["[ERROR] x"]}}`, apiAnswer{Error: "invalid_blocks"}, false},
		{"escapes", `{"ok":true,"ts":"1\u002e2","te\"xt":"\\\"","n":-1.5e3,"b":[true,null,{}]}`, apiAnswer{OK: true, TS: "1.2"}, false},
		{"escaped name", `{"\u006fk":true}`, apiAnswer{OK: true}, false},
		{"last wins", `{"ts":"1","ts":"2"}`, apiAnswer{TS: "2"}, false},
		{"empty object", `{}`, apiAnswer{}, false},
		{"not an object", `[1]`, apiAnswer{}, true},
		{"HTML", `<html>502</html>`, apiAnswer{}, true},
		{"empty", ``, apiAnswer{}, true},
		{"truncated", `{"ok":true,"message":{"text":"ab`, apiAnswer{}, true},
		{"unterminated", `{"ok":true`, apiAnswer{}, true},
		{"wrong type", `{"ok":"yes"}`, apiAnswer{}, true},
		{"missing value", `{"ok":,"ts":"1"}`, apiAnswer{}, true},
		{"missing colon", `{"ok" true}`, apiAnswer{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAnswer([]byte(tt.in))
			if (err != nil) != tt.fails {
				t.Fatalf("readAnswer(%s): error %v, want failure %v", tt.in, err, tt.fails)
			}
			if err == nil && got != tt.want {
				t.Errorf("readAnswer(%s) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzReadAnswer checks readAnswer against encoding/json on every valid
// JSON object: the same members, or a failure when encoding/json fails.
func FuzzReadAnswer(f *testing.F) {
	for _, s := range []string{`{"ok":true,"ts":"1.2","message":{"blocks":[{"a":"]}"}]}}`, `{"ok":false,"error":"x"}`, `{"ts":1}`, `{}`, `{"a":[[{}]],"ok":null}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := readAnswer(data)
		var members map[string]json.RawMessage
		if !json.Valid(data) || json.Unmarshal(data, &members) != nil || members == nil {
			return // readAnswer does not validate: anything goes
		}
		var want apiAnswer
		var werr error
		for name, field := range map[string]any{"ok": &want.OK, "error": &want.Error, "ts": &want.TS} {
			if raw, ok := members[name]; ok {
				if e := json.Unmarshal(raw, field); e != nil {
					werr = e
				}
			}
		}
		if (err != nil) != (werr != nil) {
			t.Fatalf("readAnswer(%s): error %v, encoding/json's %v", data, err, werr)
		}
		if err == nil && got != want {
			t.Fatalf("readAnswer(%s) = %+v, encoding/json reads %+v", data, got, want)
		}
	})
}

func BenchmarkReadAnswer(b *testing.B) {
	msg := map[string]any{"type": "message", "text": "Policy review: 4/10", "blocks": make([]map[string]any, 20)}
	for i := range 20 {
		msg["blocks"].([]map[string]any)[i] = map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "🔴 *Privilege escalation* `iam:PassRole` on `*` — the holder can hand any role to any service that accepts one, and act with its permissions. *Fix:* scope it."}}
	}
	data, _ := json.Marshal(map[string]any{"ok": true, "channel": "C1", "ts": "1700000000.000100", "message": msg})
	b.SetBytes(int64(len(data)))
	b.Run("readAnswer", func(b *testing.B) {
		for b.Loop() {
			if _, err := readAnswer(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for b.Loop() {
			var a apiAnswer
			if err := json.Unmarshal(data, &a); err != nil {
				b.Fatal(err)
			}
		}
	})
}
