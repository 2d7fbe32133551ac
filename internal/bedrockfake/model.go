package bedrockfake

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// How the fake counts tokens. Bedrock's Claude models count about four
// characters of English or JSON per token; a request that offers tools
// also pays for the tool-use system prompt Anthropic adds (313 tokens when
// the tool choice is forced, 346 with auto, for the Claude 4 family).
const (
	charsPerToken        = 4
	toolPromptForced     = 313
	toolPromptAuto       = 346
	defaultMinCacheToken = 1024 // Claude Sonnet's smallest cacheable prefix
)

// Messages of the validation errors the fake's model quirks give, as
// Bedrock words them.
const (
	TemperatureDeprecatedMessage = "The model returned the following errors: `temperature` is deprecated for this model."
	NoForcedToolMessage          = "This model doesn't support the toolConfig.toolChoice.tool field. Remove toolConfig.toolChoice.tool and try again."
)

// tokens estimates the tokens of a text.
func tokens(s string) int {
	if s == "" {
		return 0
	}
	return (len(s) + charsPerToken - 1) / charsPerToken
}

// matchesAny reports whether id contains one of the parts.
func matchesAny(id string, parts []string) bool {
	for _, p := range parts {
		if p != "" && strings.Contains(id, p) {
			return true
		}
	}
	return false
}

// quirk is the ValidationException a model of the fake gives for what it
// refuses in req, or nil.
func (s *Server) quirk(req *Request) *Response {
	bad := func(msg string) *Response {
		e := Error(http.StatusBadRequest, "ValidationException", msg)
		return &e
	}
	if ic := req.InferenceConfig; ic != nil && ic.Temperature != nil && matchesAny(req.ModelID, s.cfg.TemperatureDeprecated) {
		return bad(TemperatureDeprecatedMessage)
	}
	if tc := req.ToolConfig; tc != nil && tc.ToolChoice != nil && (tc.ToolChoice.Tool != nil || tc.ToolChoice.Any != nil) &&
		matchesAny(req.ModelID, s.cfg.NoForcedTool) {
		return bad(NoForcedToolMessage)
	}
	return nil
}

// checkCachePoint checks a cachePoint block as Bedrock does: an object
// whose type is "default".
func checkCachePoint(raw json.RawMessage, where string) *Response {
	var cp struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &cp); err != nil || cp.Type != "default" {
		e := Error(http.StatusBadRequest, "ValidationException",
			fmt.Sprintf("1 validation error detected: Value at '%s.cachePoint.type' failed to satisfy constraint: Member must satisfy enum value set: [default]", where))
		return &e
	}
	return nil
}

// usage is the token count of one answer.
type usage struct {
	input, output, cacheRead, cacheWrite int
}

// meter counts the tokens of a request the way Bedrock bills them: the
// prompt is read in the order tools, system, messages; a cachePoint ends a
// prefix, which is written to the cache the first time it is seen (if it
// is long enough) and read from it afterwards. Input tokens are those not
// read from or written to the cache.
func (s *Server) meter(req *Request, output int) usage {
	var u usage
	var prefix bytes.Buffer // what the model has read so far
	total, cached := 0, 0   // tokens so far; tokens up to the last cachePoint
	cachePoint := func() {
		if total < s.minCacheTokens() || total == cached {
			return
		}
		key := sha256.Sum256(append([]byte(req.ModelID+"\x00"), prefix.Bytes()...))
		s.mu.Lock()
		hit := s.cache[key]
		if s.cache == nil {
			s.cache = map[[32]byte]bool{}
		}
		s.cache[key] = true
		s.mu.Unlock()
		if hit {
			u.cacheRead += total - cached
		} else {
			u.cacheWrite += total - cached
		}
		cached = total
	}
	read := func(text string) {
		prefix.WriteString(text)
		prefix.WriteByte(0)
		total += tokens(text)
	}
	if tc := req.ToolConfig; tc != nil {
		if tc.ToolChoice != nil && tc.ToolChoice.Auto == nil {
			total += toolPromptForced
		} else {
			total += toolPromptAuto
		}
		for _, t := range tc.Tools {
			switch {
			case t.ToolSpec != nil:
				read(t.ToolSpec.Name + "\n" + t.ToolSpec.Description + "\n" + string(t.ToolSpec.InputSchema.JSON))
			case t.CachePoint != nil:
				cachePoint()
			}
		}
	}
	for _, b := range req.System {
		switch {
		case b.Text != nil:
			read(*b.Text)
		case b.CachePoint != nil:
			cachePoint()
		}
	}
	for _, m := range req.Messages {
		total += 3 // role and turn markers
		for _, b := range m.Content {
			switch {
			case b.Text != nil:
				read(*b.Text)
			case b.ToolUse != nil:
				read(b.ToolUse.Name + string(b.ToolUse.Input))
			case b.ToolResult != nil:
				read(string(b.ToolResult))
			case b.CachePoint != nil:
				cachePoint()
			}
		}
	}
	u.input = total - u.cacheRead - u.cacheWrite
	u.output = output
	return u
}

func (s *Server) minCacheTokens() int {
	if s.cfg.MinCacheTokens > 0 {
		return s.cfg.MinCacheTokens
	}
	return defaultMinCacheToken
}

// truncate cuts an answer's content at maxTokens of output, as a model
// stopped by the limit: text is cut, and a tool call keeps the members of
// its input that were complete when the limit struck (and the complete
// elements of an array it was writing), which is what a client that reads
// the call as it streams has. It returns the content and whether it was
// cut.
func truncate(content []any, maxTokens int) ([]any, bool) {
	budget := maxTokens * charsPerToken
	var out []any
	for _, c := range content {
		b, err := json.Marshal(c)
		if err != nil {
			return content, false
		}
		if len(b) <= budget {
			out = append(out, c)
			budget -= len(b)
			continue
		}
		// The block being written when the limit struck.
		var blk struct {
			Text    *string `json:"text"`
			ToolUse *struct {
				ToolUseID string          `json:"toolUseId"`
				Name      string          `json:"name"`
				Input     json.RawMessage `json:"input"`
			} `json:"toolUse"`
		}
		json.Unmarshal(b, &blk)
		switch {
		case blk.Text != nil:
			out = append(out, TextBlock((*blk.Text)[:min(len(*blk.Text), budget)]))
		case blk.ToolUse != nil:
			out = append(out, map[string]any{"toolUse": map[string]any{
				"toolUseId": blk.ToolUse.ToolUseID,
				"name":      blk.ToolUse.Name,
				"input":     json.RawMessage(completePrefix(blk.ToolUse.Input, budget)),
			}})
		}
		return out, true
	}
	return out, false
}

// completePrefix is the object raw keeps when only its first n bytes were
// written: the members complete by then, and of an array member being
// written, its complete elements.
func completePrefix(raw json.RawMessage, n int) []byte {
	var members []struct {
		key   string
		value json.RawMessage
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return []byte("{}")
	}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			break
		}
		key, _ := kt.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			break
		}
		members = append(members, struct {
			key   string
			value json.RawMessage
		}{key, v})
	}
	var out bytes.Buffer
	out.WriteByte('{')
	used := 1
	for i, m := range members {
		k, _ := json.Marshal(m.key)
		cost := len(k) + 1 + len(m.value) + 1
		if used+cost <= n {
			if i > 0 {
				out.WriteByte(',')
			}
			out.Write(k)
			out.WriteByte(':')
			out.Write(m.value)
			used += cost
			continue
		}
		// The member being written: an array keeps its complete elements.
		var elems []json.RawMessage
		if json.Unmarshal(m.value, &elems) == nil && len(elems) > 0 {
			room := n - used - len(k) - 2
			var kept []json.RawMessage
			for _, e := range elems {
				if room -= len(e) + 1; room < 0 {
					break
				}
				kept = append(kept, e)
			}
			if len(kept) > 0 {
				if i > 0 {
					out.WriteByte(',')
				}
				arr, _ := json.Marshal(kept)
				out.Write(k)
				out.WriteByte(':')
				out.Write(arr)
			}
		}
		break
	}
	out.WriteByte('}')
	return out.Bytes()
}
