package card

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMrkdwn(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"empty", "", 100, ""},
		{"blank", " \n\t\r\n ", 100, ""},
		{"trimmed", "\n  two\nlines \n", 100, "two\nlines"},
		{"plain", "Grants read access.", 100, "Grants read access."},
		{"channel mention", "<!channel> look", 100, "&lt;!channel&gt; look"},
		{"user mention", "<@U123> and @here", 100, "&lt;@U123&gt; and @here"},
		{"link", "<https://evil.example|click>", 100, "`&lt;https://evil.example|click&gt;`"},
		{"ampersand", "a & b &amp; c", 100, "a &amp; b &amp;amp; c"},
		{"formatting", "*bold* _italic_ ~strike~", 100, "`*bold*` `_italic_` `~strike~`"},
		{"quote", "> quoted\n  > again\nnot > here", 100, "`&gt;` quoted\n  `&gt;` again\nnot &gt; here"},
		{"quote word", ">quoted", 100, "`&gt;quoted`"},
		{"identifiers", "set BEDROCK_MODEL_ID (max_tokens): s3:* and iam:Get* on arn:aws:s3:::b/*, then", 200,
			"set `BEDROCK_MODEL_ID` (`max_tokens`): `s3:*` and `iam:Get*` on `arn:aws:s3:::b/*`, then"},
		{"emoji", "arn:aws:secretsmanager:<region>:<account-id>:secret:<secret-id> is :aws: here", 200,
			"`arn:aws:secretsmanager:&lt;region&gt;:&lt;account-id&gt;:secret:&lt;secret-id&gt;` is `:aws`: here"},
		{"quoted value", `("Action": "*" on "Resource": "*")`, 100, "(\"Action\": `\"*\"` on \"Resource\": `\"*\"`)"},
		{"fragment", `add {"StringEquals": {"iam:PassedToService": "<s>.amazonaws.com"}}.`, 200,
			"add `{\"StringEquals\": {\"iam:PassedToService\": \"&lt;s&gt;.amazonaws.com\"}}`."},
		{"label", "Fix: scope it.", 100, "Fix: scope it."},
		{"inline code kept", "Allows `s3:*` on `arn:aws:s3:::a_b/*`", 100, "Allows `s3:*` on `arn:aws:s3:::a_b/*`"},
		{"inline code escaped", "`<!here>`", 100, "`&lt;!here&gt;`"},
		{"unmatched backtick", "it`s *", 100, "```it`s``` `*`"},
		{"empty code", "`` x", 100, "``` `` ``` x"},
		{"code across lines", "`a\nb`", 100, "``` `a```\n```b` ```"},
		{"fence", "see:\n```\n{\"Action\": \"*\"} <x>\n```\nok", 100, "see:\n```\n{\"Action\": \"*\"} &lt;x&gt;\n```\nok"},
		{"fence with backticks", "```a`b```", 100, "```a`b```"},
		{"unmatched fence", "```\n*x*", 100, "``` `` ` ```\n`*x*`"},
		{"empty fence", "a``````b", 100, "ab"},
		{"controls", "a\x00b\tc\r\nd\u202Ee", 100, "ab c\nde"},
		{"invalid UTF-8", "a\xffb", 100, "a\uFFFDb"},
		{"cut", "abcdefghij", 5, "abcd…"},
		{"cut before an escape", "abc<def", 6, "abc…"},
		{"cut keeps whole escapes", "ab<def", 7, "ab&lt;…"},
		{"cut closes a fence", "x ```\nline one\nline two\n```", 19, "x ```\nline one…\n```"},
		{"cut inside code span", "ab `cdefgh`", 9, "ab …"},
		{"no room", "abc", 0, ""},
		{"room for the ellipsis only", "abc", 1, "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mrkdwn(tt.in, tt.max)
			if got != tt.want {
				t.Errorf("mrkdwn(%q, %d)\n got %q\nwant %q", tt.in, tt.max, got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n > tt.max {
				t.Errorf("%d characters, over %d", n, tt.max)
			}
		})
	}
}

func TestCode(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"", 10, ""},
		{"  \n ", 10, ""},
		{"AllowAll", 80, "`AllowAll`"},
		{"<!channel>", 80, "`&lt;!channel&gt;`"},
		{"arn:aws:s3:::my_bucket/*", 80, "`arn:aws:s3:::my_bucket/*`"},
		{"a`b", 80, "```a`b```"},
		{"`a", 80, "``` `a```"},
		{"a```b", 80, "```a`` `b```"},
		{"two\nlines", 80, "`two lines`"},
		{"abcdefghij", 6, "`abc…`"},
		{"a&&&&&&", 9, "`a&amp;…`"},
	}
	for _, tt := range tests {
		if got := code(tt.in, tt.max); got != tt.want {
			t.Errorf("code(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func TestPointAt(t *testing.T) {
	long := strings.Repeat("a", 100) + "X" + strings.Repeat("b", 100)
	tests := []struct {
		line string
		col  int
		want string
	}{
		{`{"Effect": "Allow",}`, 20, "{\"Effect\": \"Allow\",}\n                   ^"},
		{`{"a":1}`, 0, `{"a":1}`},
		{"\tx", 2, " x\n ^"},
		{long, 101, "…" + strings.Repeat("a", 40) + "X" + strings.Repeat("b", 39) + "…\n" + strings.Repeat(" ", 41) + "^"},
		{long, 201, "…" + strings.Repeat("b", 80) + "\n" + strings.Repeat(" ", 80) + "^"},
	}
	for _, tt := range tests {
		if got := pointAt(tt.line, tt.col); got != tt.want {
			t.Errorf("pointAt(%.20q…, %d)\n got %q\nwant %q", tt.line, tt.col, got, tt.want)
		}
	}
}

// allowedTokens are the only Slack tokens the package writes itself.
var allowedTokens = regexp.MustCompile(`<@[UW][A-Z0-9]+>|<#[CG][A-Z0-9]+>|<!date\^\d+\^\{date_short_pretty\} \{time\}\|[0-9: UTC-]+>|<https://[^\s<>|]+\|open the card>`)

var entities = regexp.MustCompile(`&(amp|lt|gt);`)

// inert reports why text could mention, link or format from untrusted
// input, or nil.
func inert(text string) error {
	s := allowedTokens.ReplaceAllString(text, "")
	if i := strings.IndexAny(s, "<>"); i >= 0 {
		return fmt.Errorf("raw %q at %d", s[i], i)
	}
	if strings.Contains(entities.ReplaceAllString(s, ""), "&") {
		return fmt.Errorf("unescaped &")
	}
	if n := strings.Count(text, "```"); n%2 != 0 {
		return fmt.Errorf("%d code fences: one is left open", n)
	}
	if !utf8.ValidString(text) {
		return fmt.Errorf("invalid UTF-8")
	}
	return nil
}

// unformatted reports an error if text, rendered from untrusted input alone,
// has a formatting marker outside code.
func unformatted(text string) error {
	for i, part := range strings.Split(text, "```") {
		if i%2 == 1 {
			continue // a code block
		}
		for j, piece := range strings.Split(part, "`") {
			if j%2 == 0 && strings.ContainsAny(piece, "*_~") {
				return fmt.Errorf("formatting marker in %q", piece)
			}
		}
	}
	return nil
}

func FuzzMrkdwn(f *testing.F) {
	for _, s := range []string{
		"", "plain", "<!channel> *b* _i_ ~s~", "`code` ``` block ``` `", "```\nopen", "a\n> q", "&amp;<>",
		"\xff\x00\u202E", strings.Repeat("`*", 50),
	} {
		f.Add(s, 20)
		f.Add(s, 3000)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		max = max % 4000
		if max < 0 {
			max = -max
		}
		got := mrkdwn(s, max)
		if n := utf8.RuneCountInString(got); n > max {
			t.Fatalf("mrkdwn(%q, %d) has %d characters", s, max, n)
		}
		if err := inert(got); err != nil {
			t.Fatalf("mrkdwn(%q, %d) = %q: %v", s, max, got, err)
		}
		if err := unformatted(got); err != nil {
			t.Fatalf("mrkdwn(%q, %d) = %q: %v", s, max, got, err)
		}
		c := code(s, max)
		if n := utf8.RuneCountInString(c); n > max {
			t.Fatalf("code(%q, %d) has %d characters", s, max, n)
		}
		if err := inert(c); err != nil {
			t.Fatalf("code(%q, %d) = %q: %v", s, max, c, err)
		}
		if c != "" && strings.Contains(c, "\n") {
			t.Fatalf("code(%q, %d) = %q is not one line", s, max, c)
		}
	})
}
